import { createHash } from 'node:crypto';
import { compileFilter, keyValue, validateFilter, type CompiledFilter, type FilterSubject } from './filter.js';
import { parseDuration } from './duration.js';
import type { GroupingSettings } from './types.js';
import type { ProblemList } from '../problems.js';

/** Most alerts one incident takes (Flashduty's; the 5001st opens a new incident). */
export const maxAlertsPerIncident = 5000;

/** Which incident an alert belongs to: `key` is a stable hash of the dimension names and values. */
export interface GroupingKey {
  key: string;
  dimensions: Record<string, string>;
}

/** Grouping rules compiled once: filters built, window parsed. */
export interface CompiledGrouping {
  method: GroupingSettings['method'];
  cases: Array<{ matches: CompiledFilter; equals: string[][] }>;
  equals: string[][];
  strict: boolean;
  /** Undefined = merge until the incident closes. */
  timeWindowMs?: number;
  windowType: 'tumbling' | 'sliding';
}

/**
 * Checks what the schema cannot of grouping settings: the values of its cases' filters. (At most 5 dimensions a
 * group and 100 cases, Flashduty's limits, are the schema's.)
 */
export function validateGrouping(settings: GroupingSettings, path: string): ProblemList {
  return (settings.cases ?? []).flatMap((item, index) => validateFilter(item.if, `${path}.cases[${index}].if`));
}

/** Compiles checked grouping settings. */
export function compileGrouping(settings: GroupingSettings): CompiledGrouping {
  const windowMs = settings.time_window === undefined ? 0 : (parseDuration(settings.time_window) ?? 0);
  return {
    method: settings.method,
    cases: (settings.cases ?? []).map((item) => ({ matches: compileFilter(item.if), equals: item.equals })),
    equals: settings.equals ?? [],
    strict: settings.strict ?? false,
    timeWindowMs: windowMs > 0 ? windowMs : undefined,
    windowType: settings.window_type ?? 'tumbling',
  };
}

function keyFrom(dimensions: Record<string, string>): GroupingKey {
  // Sorted so the same dimensions give the same key whichever case or group chose them.
  const entries = Object.entries(dimensions).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const key = createHash('sha256').update(JSON.stringify(entries)).digest('hex').slice(0, 32);
  return { key, dimensions };
}

function dimensionsOf(subject: FilterSubject, keys: string[]): Record<string, string> {
  return Object.fromEntries(keys.map((key) => [key, keyValue(subject, key) ?? '']));
}

/**
 * The rule-based grouping key of an alert, or undefined when it is not grouped (it opens its own incident).
 * Dimensions come from the first case whose `if` matches, else the default `equals`. Of those OR-ed groups the
 * first whose values are all non-empty wins; when none is complete, strict mode does not group the alert, and
 * otherwise the first group is used with empty values counting as equal.
 */
export function groupingKey(grouping: CompiledGrouping, subject: FilterSubject): GroupingKey | undefined {
  if (grouping.method !== 'rules') return undefined;
  const groups = grouping.cases.find((item) => item.matches(subject))?.equals ?? grouping.equals;
  if (groups.length === 0) return undefined;
  for (const keys of groups) {
    const dimensions = dimensionsOf(subject, keys);
    if (Object.values(dimensions).every((value) => value !== '')) return keyFrom(dimensions);
  }
  return grouping.strict ? undefined : keyFrom(dimensionsOf(subject, groups[0]));
}

/** The parts of an open incident the window decision reads (names as in the incidents table). */
export interface WindowedIncident {
  /** When the incident was triggered (ms). */
  start_time: number;
  /** When an alert last merged into it (ms). */
  last_time: number;
  progress: string;
}

/** Whether an alert may join an incident, and if not why (for the trace). */
export type JoinVerdict = { join: true } | { join: false; reason: 'closed' | 'window_expired' | 'full' };

/**
 * Whether a new alert may join an open incident at `now`: not when it is closed, holds `max` alerts already, or
 * its window has passed: tumbling counts from the incident's start, sliding from its last merge; no window = until
 * the incident closes. The window is half-open: at exactly start + window the alert opens a new incident.
 */
export function canJoin(
  incident: WindowedIncident,
  now: number,
  window: { time_window_ms?: number; window_type: 'tumbling' | 'sliding' },
  alertCount: number,
  max = maxAlertsPerIncident,
): JoinVerdict {
  if (incident.progress === 'Closed') return { join: false, reason: 'closed' };
  if (alertCount >= max) return { join: false, reason: 'full' };
  if (window.time_window_ms !== undefined && window.time_window_ms > 0) {
    const from = window.window_type === 'sliding' ? incident.last_time : incident.start_time;
    if (now >= from + window.time_window_ms) return { join: false, reason: 'window_expired' };
  }
  return { join: true };
}
