import { truncateCodePoints } from '../events/truncate.js';
import { compileOptionalFilter, keyValue, subjectOf, validateFilter, type CompiledFilter } from './filter.js';
import { renderLabelTemplate } from './label-template.js';
import { compileSafeRegex, regexInput } from './regex-guard.js';
import type { EnrichRule, MapAction } from './types.js';
import { eventLimits } from '../events/limits.js';
import { problemAt, type ProblemList } from '../problems.js';

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

/** A mapping table's labels overlapping, and rows lacking a column (a table from a CSV file is read first). */
function mapProblems(map: MapAction, path: string): ProblemList {
  const problems: ProblemList = [];
  if (map.source_labels.some((name) => map.target_labels.includes(name)))
    problems.push(problemAt(path, 'source_labels and target_labels overlap'));
  const columns = [...map.source_labels, ...map.target_labels];
  (map.table ?? []).forEach((row, index) => {
    const missing = columns.filter((column) => typeof row[column] !== 'string');
    if (missing.length > 0) problems.push(problemAt(`${path}.table[${index}]`, `missing ${missing.join(', ')}`));
  });
  return problems;
}

/**
 * Checks what the schema cannot of an enrichment rule: its filter's values, an extraction's regex (syntax and
 * safety), a mapping table against its labels. (One kind a rule, label names, lengths are the schema's.)
 */
export function validateEnrichRule(rule: EnrichRule, path: string): ProblemList {
  const problems = rule.if === undefined ? [] : validateFilter(rule.if, `${path}.if`);
  if (rule.extract) {
    const { pattern } = rule.extract;
    const compiled = compileSafeRegex(pattern);
    if ('error' in compiled)
      problems.push(problemAt(`${path}.extract.pattern`, `invalid regex /${pattern}/: ${compiled.error}`));
  }
  if (rule.map) problems.push(...mapProblems(rule.map, `${path}.map`));
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
    if ('error' in compiled) throw new Error(compiled.error);
    const { regex } = compiled;
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

/** Compiles an integration's checked enrichment rules once. */
export function compileEnrichRules(rules: readonly EnrichRule[]): CompiledEnrichRule[] {
  return rules.map((rule, index) => ({
    id: rule.id ?? `enrich[${index}]`,
    matches: compileOptionalFilter(rule.if),
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
