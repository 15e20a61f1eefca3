import type { FilterCondition, FilterSpec } from './types.js';
import { compileValue, type ValueMatcher } from './value-matchers.js';
import { problemAt, type ProblemList } from '../problems.js';

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

/** The filter as OR of AND groups, with the path of each group (the schema allows one form or the other). */
function groupsOf(spec: FilterSpec, path: string): Array<{ conditions: FilterCondition[]; path: string }> {
  if (spec.length > 0 && spec.every((item) => Array.isArray(item)))
    return (spec as FilterCondition[][]).map((conditions, index) => ({ conditions, path: `${path}[${index}]` }));
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
function severityProblem(value: string, path: string): ProblemList {
  if (!isLiteral(value) || severityValues.includes(value)) return [];
  const meant = severityValues.find(
    (severity) =>
      severity.toLowerCase() === value.toLowerCase() ||
      (value.length >= 3 && severity.toLowerCase().startsWith(value.toLowerCase())),
  );
  const message = `severity ${JSON.stringify(value)} never matches: severities are ${severityValues.join(', ')} (case-sensitive)`;
  return [problemAt(path, message, meant)];
}

function conditionProblems(condition: FilterCondition, path: string): ProblemList {
  return condition.values.flatMap((value, index) => {
    const at = `${path}.values[${index}]`;
    const compiled = compileValue(value);
    return [
      ...('error' in compiled ? [problemAt(at, compiled.error)] : []),
      ...(condition.key === 'severity' ? severityProblem(value, at) : []),
    ];
  });
}

/**
 * Checks what schemas/rules.schema.json's `filter` cannot: every value's form (regex syntax and safety, cidr, num) and
 * literal severities. Paths point at the value, e.g.
 * `channels[0].silences[2].if[0][1].values[0]: invalid regex /(a+)+/: nested quantifier`.
 */
export function validateFilter(spec: FilterSpec, path: string): ProblemList {
  return groupsOf(spec, path).flatMap(({ conditions, path: groupPath }) =>
    conditions.flatMap((condition, index) => conditionProblems(condition, `${groupPath}[${index}]`)),
  );
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
 * Compiles a filter once (regexes built, CIDRs parsed) into a predicate; the filter has been checked (schema, then
 * {@link validateFilter}). An empty filter matches everything. Missing keys: IN never matches, NOTIN always does, so
 * `IN ["*"]` = present and `NOTIN ["*"]` = absent.
 */
export function compileFilter(spec: FilterSpec): CompiledFilter {
  if (spec.length === 0) return () => true;
  const groups = groupsOf(spec, '').map(({ conditions }) => conditions.map(compileCondition));
  return (subject) => groups.some((group) => group.every((condition) => condition(subject)));
}

/** Compiles an optional filter: absent = matches everything. */
export const compileOptionalFilter = (spec: FilterSpec | undefined): CompiledFilter =>
  spec === undefined ? () => true : compileFilter(spec);
