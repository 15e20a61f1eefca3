import { compileFilter, keyValue, validateFilter, type CompiledFilter, type FilterSubject } from './filter.js';
import type { InhibitionRule } from './types.js';
import type { ProblemList } from '../problems.js';

/** A source alert inhibits only when seen within the last 10 minutes (Flashduty's). */
export const inhibitionFreshnessMs = 600_000;

/** An open alert that may inhibit others. */
export interface InhibitionCandidate {
  subject: FilterSubject;
  /** When it last received an event (ms). */
  last_time: number;
  acked: boolean;
  recovered: boolean;
  alert_id?: string;
  /** Lets the pipeline, which runs before an event has an alert, skip the event's own alert. */
  alert_key?: string;
}

/** The target of an inhibition check: an alert, or an event not yet merged into one. */
export type InhibitionTarget = FilterSubject & { alert_id?: string; alert_key?: string };

const sameAlert = (candidate: InhibitionCandidate, target: InhibitionTarget): boolean =>
  (candidate.alert_id !== undefined && candidate.alert_id === target.alert_id) ||
  (candidate.alert_key !== undefined && candidate.alert_key === target.alert_key);

/** An inhibition rule compiled once. */
export interface CompiledInhibition {
  rule: InhibitionRule;
  source: CompiledFilter;
  target: CompiledFilter;
}

/** Checks what the schema cannot of an inhibition rule: its filters' values. */
export function validateInhibition(rule: InhibitionRule, path: string): ProblemList {
  return [...validateFilter(rule.source, `${path}.source`), ...validateFilter(rule.target, `${path}.target`)];
}

/** Compiles checked inhibition rules once. */
export function compileInhibitions(rules: readonly InhibitionRule[]): CompiledInhibition[] {
  return rules.map((rule) => ({ rule, source: compileFilter(rule.source), target: compileFilter(rule.target) }));
}

/** Equal, present (non-empty) values on every key: a missing value never matches, so no accidental inhibition. */
function equalOnKeys(a: FilterSubject, b: FilterSubject, keys: readonly string[]): boolean {
  return keys.every((key) => {
    const value = keyValue(a, key);
    return value !== undefined && value !== '' && value === keyValue(b, key);
  });
}

/**
 * The first candidate that can inhibit `target`: it matches `source`, is neither acked nor recovered, was seen
 * within 10 minutes of `now` (600 s still counts), is not the target itself, and has equal values on every
 * `equal` key. As in Alertmanager, when the target also matches `source`, a candidate that also matches
 * `targetFilter` is skipped, so two alerts matching both sides cannot silence each other.
 */
export function findInhibitingSource<C extends InhibitionCandidate>(
  source: CompiledFilter,
  equal: readonly string[],
  target: InhibitionTarget,
  candidates: readonly C[],
  now: number,
  targetFilter?: CompiledFilter,
): C | undefined {
  const targetIsSource = targetFilter !== undefined && source(target);
  return candidates.find(
    (candidate) =>
      !candidate.acked &&
      !candidate.recovered &&
      now - candidate.last_time <= inhibitionFreshnessMs &&
      !sameAlert(candidate, target) &&
      source(candidate.subject) &&
      !(targetIsSource && targetFilter(candidate.subject)) &&
      equalOnKeys(target, candidate.subject, equal),
  );
}

/** The first rule (in list order) whose target conditions match and that has an inhibiting source, with it. */
export function findInhibition<C extends InhibitionCandidate>(
  rules: readonly CompiledInhibition[],
  target: InhibitionTarget,
  candidates: readonly C[],
  now: number,
): { rule: InhibitionRule; source: C } | undefined {
  for (const compiled of rules) {
    if (!compiled.target(target)) continue;
    const source = findInhibitingSource(compiled.source, compiled.rule.equal, target, candidates, now, compiled.target);
    if (source) return { rule: compiled.rule, source };
  }
  return undefined;
}
