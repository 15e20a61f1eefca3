import { truncateCodePoints } from '../events/truncate.js';
import { compileOptionalFilter, keyValue, subjectOf, validateFilter, type CompiledFilter } from './filter.js';
import { renderLabelTemplate, validateLabelTemplate } from './label-template.js';
import { compileSafeRegex, regexInput } from './regex-guard.js';
import { assertNoProblems } from './rule-error.js';
import type { EnrichRule, MapAction } from './types.js';
import { eventLimits, labelName, labelNamePattern } from '../events/limits.js';

/** Where an extraction reads from. */
const sourceKey = new RegExp(`^(?:title|description|labels\\.${labelNamePattern})$`);

/** The fields of an event that rules read and write. */
export interface RuleEvent {
  title: string;
  description?: string;
  event_status: string;
  labels: Record<string, string>;
  integration_id: string;
}

type Labels = Record<string, string>;
/** Computes the labels a rule sets (undefined values are skipped) or removes (`remove`). */
type EnrichStep = (event: RuleEvent) => { set?: Labels; remove?: string[] };

/** An enrichment rule compiled once. */
export interface CompiledEnrichRule {
  id: string;
  matches: CompiledFilter;
  overwrite: boolean;
  step: EnrichStep;
}

const kinds = ['extract', 'compose', 'map', 'drop'] as const;

const badLabelNames = (names: readonly string[] | undefined, path: string): string[] =>
  !Array.isArray(names) || names.length === 0
    ? [`${path}: must list at least one label`]
    : names.flatMap((name, index) =>
        labelName.test(name) ? [] : [`${path}[${index}]: invalid label name ${JSON.stringify(name)}`],
      );

function validateMap(map: MapAction, path: string): string[] {
  const problems = [
    ...badLabelNames(map.source_labels, `${path}.source_labels`),
    ...badLabelNames(map.target_labels, `${path}.target_labels`),
  ];
  if (problems.length > 0) return problems;
  if (map.source_labels.length > 3) problems.push(`${path}.source_labels: at most 3 labels`);
  if (map.target_labels.length > 10) problems.push(`${path}.target_labels: at most 10 labels`);
  if (map.source_labels.some((name) => map.target_labels.includes(name)))
    problems.push(`${path}: source_labels and target_labels overlap`);
  if (map.table === undefined && map.file === undefined) problems.push(`${path}: needs table or file`);
  const columns = [...map.source_labels, ...map.target_labels];
  (map.table ?? []).forEach((row, index) => {
    const missing = columns.filter((column) => typeof row[column] !== 'string');
    if (missing.length > 0) problems.push(`${path}.table[${index}]: missing ${missing.join(', ')}`);
  });
  return problems;
}

/** Checks one enrichment rule; messages are `path: message`. */
export function validateEnrichRule(rule: EnrichRule, path: string): string[] {
  const problems = rule.if === undefined ? [] : validateFilter(rule.if, `${path}.if`);
  const present = kinds.filter((kind) => rule[kind] !== undefined);
  if (present.length !== 1) return [...problems, `${path}: needs exactly one of ${kinds.join(', ')}`];
  if (rule.extract) {
    const { source, pattern, target } = rule.extract;
    if (!sourceKey.test(source)) problems.push(`${path}.extract.source: must be title, description or labels.<name>`);
    const compiled = compileSafeRegex(pattern);
    if ('error' in compiled) problems.push(`${path}.extract.pattern: invalid regex /${pattern}/: ${compiled.error}`);
    if (!labelName.test(target)) problems.push(`${path}.extract.target: invalid label name ${JSON.stringify(target)}`);
  }
  if (rule.compose) {
    if (!labelName.test(rule.compose.target))
      problems.push(`${path}.compose.target: invalid label name ${JSON.stringify(rule.compose.target)}`);
    problems.push(...validateLabelTemplate(rule.compose.template, `${path}.compose.template`));
  }
  if (rule.map) problems.push(...validateMap(rule.map, `${path}.map`));
  if (rule.drop) problems.push(...badLabelNames(rule.drop.labels, `${path}.drop.labels`));
  return problems;
}

function mapStep(map: MapAction): EnrichStep {
  const keyOf = (values: Array<string | undefined>): string => JSON.stringify(values);
  const rows = new Map<string, Labels>();
  for (const row of map.table ?? []) {
    const key = keyOf(map.source_labels.map((name) => row[name]));
    // The first row for a key wins, as a lookup table reads top-down.
    if (!rows.has(key)) rows.set(key, Object.fromEntries(map.target_labels.map((name) => [name, row[name]])));
  }
  return (event) => {
    if (!map.source_labels.every((name) => Object.hasOwn(event.labels, name))) return {};
    return { set: rows.get(keyOf(map.source_labels.map((name) => event.labels[name]))) };
  };
}

function stepOf(rule: EnrichRule): EnrichStep {
  if (rule.extract) {
    const { source, target } = rule.extract;
    const compiled = compileSafeRegex(rule.extract.pattern);
    const regex = 'regex' in compiled ? compiled.regex : /(?!)/;
    return (event) => {
      const match = regex.exec(regexInput(keyValue(subjectOf(event), source) ?? ''));
      const value = match ? (match.groups?.result ?? match[0]) : undefined;
      return value ? { set: { [target]: value } } : {};
    };
  }
  if (rule.compose) {
    const { target, template } = rule.compose;
    return (event) => {
      const value = renderLabelTemplate(template, subjectOf(event));
      return value.trim() === '' ? {} : { set: { [target]: value } };
    };
  }
  if (rule.map) return mapStep(rule.map);
  const labels = rule.drop?.labels ?? [];
  return () => ({ remove: labels });
}

/** Compiles an integration's enrichment rules once; throws RuleValidationError listing every problem. */
export function compileEnrichRules(rules: readonly EnrichRule[], path = 'enrich'): CompiledEnrichRule[] {
  assertNoProblems(rules.flatMap((rule, index) => validateEnrichRule(rule, `${path}[${index}]`)));
  return rules.map((rule, index) => ({
    id: rule.id ?? `enrich[${index}]`,
    matches: compileOptionalFilter(rule.if, `${path}[${index}].if`),
    overwrite: rule.overwrite ?? false,
    step: stepOf(rule),
  }));
}

function applyStep(labels: Labels, change: ReturnType<EnrichStep>, overwrite: boolean): Labels | undefined {
  let next: Labels | undefined;
  for (const [name, value] of Object.entries(change.set ?? {})) {
    if (value === undefined || (!overwrite && Object.hasOwn(labels, name)) || labels[name] === value) continue;
    next ??= { ...labels };
    // defineProperty, not assignment: a label named __proto__ must stay a label.
    Object.defineProperty(next, name, {
      value: truncateCodePoints(value, eventLimits.labelValue),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  for (const name of change.remove ?? []) {
    if (!Object.hasOwn(next ?? labels, name)) continue;
    next ??= { ...labels };
    delete next[name];
  }
  return next;
}

/**
 * Runs enrichment rules top to bottom, each on the output of the one before; a rule whose `if` does not match is
 * skipped. Without `overwrite`, an existing label is kept. Returns a new event (the input is not changed) and the
 * ids of the rules that changed a label, for the trace.
 */
export function applyEnrichment<E extends RuleEvent>(
  rules: readonly CompiledEnrichRule[],
  event: E,
): { event: E; applied: string[] } {
  let current = event;
  const applied: string[] = [];
  for (const rule of rules) {
    if (!rule.matches(subjectOf(current))) continue;
    const labels = applyStep(current.labels, rule.step(current), rule.overwrite);
    if (!labels) continue;
    current = { ...current, labels };
    applied.push(rule.id);
  }
  return { event: current, applied };
}
