import type { FilterCondition, FilterSpec } from './types.js';
import { assertNoProblems } from './rule-error.js';
import { compileValue, type ValueMatcher } from './value-matchers.js';
import { labelNamePattern } from '../events/limits.js';

/** What a condition looks at: an event or alert reduced to the keys of the filter language. */
export interface FilterSubject {
  title: string;
  description?: string;
  /** Critical, Warning, Info (or Ok for a recovery event). */
  severity: string;
  labels: Record<string, string>;
  integration_id: string;
}

/** A compiled filter: true when the subject matches. */
export type CompiledFilter = (subject: FilterSubject) => boolean;

const filterKey = new RegExp(`^(?:title|description|severity|integration|labels\\.${labelNamePattern})$`);
const keyHelp = 'title, description, severity, integration, labels.<name>';

/** True for a key the filter language knows. */
export const isFilterKey = (key: string): boolean => filterKey.test(key);

/** The value of a key on a subject; undefined when absent (a missing label, no description). */
export function keyValue(subject: FilterSubject, key: string): string | undefined {
  if (key.startsWith('labels.')) {
    const name = key.slice('labels.'.length);
    return Object.hasOwn(subject.labels, name) ? subject.labels[name] : undefined;
  }
  switch (key) {
    case 'title':
      return subject.title;
    case 'description':
      return subject.description;
    case 'severity':
      return subject.severity;
    case 'integration':
      return subject.integration_id;
    default:
      return undefined;
  }
}

/** A subject from an event or alert (its status as severity). */
export function subjectOf(event: {
  title: string;
  description?: string | null;
  event_status: string;
  labels: Record<string, string>;
  integration_id: string;
}): FilterSubject {
  return {
    title: event.title,
    description: event.description ?? undefined,
    severity: event.event_status,
    labels: event.labels,
    integration_id: event.integration_id,
  };
}

/** The filter as OR of AND groups with the path of each group; undefined groups when it mixes both forms. */
function groupsOf(spec: FilterSpec, path: string): Array<{ conditions: FilterCondition[]; path: string }> | undefined {
  if (spec.length === 0) return [];
  if (spec.every((item) => Array.isArray(item))) {
    return (spec as FilterCondition[][]).map((conditions, index) => ({ conditions, path: `${path}[${index}]` }));
  }
  if (spec.some((item) => Array.isArray(item))) return undefined;
  return [{ conditions: spec as FilterCondition[], path }];
}

/** What `severity` can be: an event's status. */
const severityValues = ['Critical', 'Warning', 'Info', 'Ok'];

/** A value matched as it is written: no regex, wildcard, cidr: or num: form. */
const isLiteral = (value: string): boolean => !/^\/.*\/$|[*?]|^(?:cidr|num):/.test(value);

/**
 * A literal severity that is not one (`info`, `warn`) would never match, silently: refused, with the value it most
 * likely means.
 */
function severityProblem(value: string): string | undefined {
  if (!isLiteral(value) || severityValues.includes(value)) return undefined;
  const meant = severityValues.find(
    (severity) =>
      severity.toLowerCase() === value.toLowerCase() ||
      (value.length >= 3 && severity.toLowerCase().startsWith(value.toLowerCase())),
  );
  return `severity ${JSON.stringify(value)} never matches: severities are ${severityValues.join(', ')} (case-sensitive)${meant ? `; did you mean ${JSON.stringify(meant)}?` : ''}`;
}

function validateCondition(condition: FilterCondition, path: string): string[] {
  if (typeof condition !== 'object' || condition === null) return [`${path}: must be {key, op, values}`];
  const problems: string[] = [];
  if (typeof condition.key !== 'string' || !isFilterKey(condition.key))
    problems.push(`${path}.key: unknown key ${JSON.stringify(condition.key)} (${keyHelp})`);
  if (condition.op !== 'IN' && condition.op !== 'NOTIN') problems.push(`${path}.op: must be IN or NOTIN`);
  if (!Array.isArray(condition.values) || condition.values.length === 0)
    return [...problems, `${path}.values: must be a non-empty list`];
  condition.values.forEach((value, index) => {
    if (typeof value !== 'string') {
      problems.push(`${path}.values[${index}]: must be a string`);
      return;
    }
    const compiled = compileValue(value);
    if ('error' in compiled) problems.push(`${path}.values[${index}]: ${compiled.error}`);
    const severity = condition.key === 'severity' ? severityProblem(value) : undefined;
    if (severity) problems.push(`${path}.values[${index}]: ${severity}`);
  });
  return problems;
}

/**
 * Checks a filter without running it: keys, operators, and every value (regex syntax and safety, cidr, num).
 * Messages start with the path of the offending part, e.g.
 * `channels[0].silences[2].if[0][1].values[0]: invalid regex /(a+)+/: nested quantifier`.
 */
export function validateFilter(spec: FilterSpec, path: string): string[] {
  if (!Array.isArray(spec)) return [`${path}: must be a list of conditions or of condition groups`];
  const groups = groupsOf(spec, path);
  if (!groups) return [`${path}: mixes conditions and condition groups; use [[...], [...]] for OR`];
  return groups.flatMap(({ conditions, path: groupPath }) => {
    if (conditions.length === 0) return [`${groupPath}: empty condition group`];
    return conditions.flatMap((condition, index) => validateCondition(condition, `${groupPath}[${index}]`));
  });
}

function compileCondition(condition: FilterCondition): CompiledFilter {
  const matchers: ValueMatcher[] = condition.values.map((value) => {
    const compiled = compileValue(value);
    if ('error' in compiled) throw new Error(compiled.error);
    return compiled.match;
  });
  const anyMatches = (value: string): boolean => matchers.some((match) => match(value));
  const { key } = condition;
  if (condition.op === 'IN') {
    return (subject) => {
      const value = keyValue(subject, key);
      return value !== undefined && anyMatches(value);
    };
  }
  return (subject) => {
    const value = keyValue(subject, key);
    return value === undefined || !anyMatches(value);
  };
}

/**
 * Compiles a filter once (regexes built, CIDRs parsed) into a predicate. An empty filter matches everything.
 * Missing keys: IN never matches, NOTIN always does, so `IN ["*"]` = present and `NOTIN ["*"]` = absent.
 * Throws RuleValidationError with every problem when the filter is invalid.
 */
export function compileFilter(spec: FilterSpec, path = 'if'): CompiledFilter {
  assertNoProblems(validateFilter(spec, path));
  const groups = (groupsOf(spec, path) ?? []).map(({ conditions }) => conditions.map(compileCondition));
  if (groups.length === 0) return () => true;
  return (subject) => groups.some((group) => group.every((condition) => condition(subject)));
}

/** Compiles an optional filter: absent = matches everything. */
export const compileOptionalFilter = (spec: FilterSpec | undefined, path: string): CompiledFilter =>
  spec === undefined ? () => true : compileFilter(spec, path);
