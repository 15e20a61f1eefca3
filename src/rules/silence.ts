import { compileFilter, validateFilter, type CompiledFilter, type FilterSubject } from './filter.js';
import { parseDuration } from './duration.js';
import { RuleValidationError } from './rule-error.js';
import type { FilterCondition, SilenceRule, WeeklySchedule } from './types.js';
import { isLiteralValue, parseNumber } from './value-matchers.js';
import { isTimeZone, parseClockTime, parseInstant, wallClock } from './zoned-time.js';
import { labelName } from '../events/limits.js';
import { fieldPath, problemAt, type ProblemList } from '../problems.js';

/** A silence compiled once: its filter built and its time window ready to test. */
export interface CompiledSilence {
  rule: SilenceRule;
  matches: CompiledFilter;
  activeAt: (now: number) => boolean;
}

const instantHelp = 'must be ISO 8601 with Z or an offset, or Unix seconds/milliseconds';

/**
 * Checks what the schema cannot of a silence: its filter's values, that the one-off instants parse and end after
 * they start, that the time zone exists. (Window forms, HH:MM and days are the schema's.) `path` '' is the rule
 * itself, as a request body names it.
 */
export function validateSilence(rule: SilenceRule, path: string): ProblemList {
  const problems = validateFilter(rule.if, fieldPath(path, 'if'));
  if (rule.one_off) {
    const at = fieldPath(path, 'one_off');
    const start = parseInstant(rule.one_off.start);
    const end = parseInstant(rule.one_off.end);
    if (start === undefined) problems.push(problemAt(`${at}.start`, instantHelp));
    if (end === undefined) problems.push(problemAt(`${at}.end`, instantHelp));
    if (start !== undefined && end !== undefined && end <= start)
      problems.push(problemAt(`${at}.end`, 'must be after start'));
  }
  if (rule.weekly && !isTimeZone(rule.weekly.timezone))
    problems.push(
      problemAt(fieldPath(path, 'weekly.timezone'), `unknown time zone ${JSON.stringify(rule.weekly.timezone)}`),
    );
  return problems;
}

/** Whether a local (weekday, minute) falls in a window; end ≤ start spans midnight into the next day. */
function inWindow(days: ReadonlySet<number>, start: number, end: number, weekday: number, minute: number): boolean {
  if (end > start) return days.has(weekday) && minute >= start && minute < end;
  return (days.has(weekday) && minute >= start) || (days.has((weekday + 6) % 7) && minute < end);
}

/**
 * A weekly schedule as a test on instants. Windows are wall-clock times in the schedule's zone, so they follow
 * DST: on a spring-forward day 01:00–03:00 lasts one real hour, on a fall-back day three.
 */
function weeklyActivity(weekly: WeeklySchedule): (now: number) => boolean {
  const everyDay = [0, 1, 2, 3, 4, 5, 6];
  const windows = weekly.windows.map((window) => ({
    days: new Set(window.days && window.days.length > 0 ? window.days : everyDay),
    start: parseClockTime(window.start) ?? 0,
    end: parseClockTime(window.end) ?? 0,
  }));
  return (now) => {
    const { weekday, minuteOfDay } = wallClock(now, weekly.timezone);
    return windows.some((window) => inWindow(window.days, window.start, window.end, weekday, minuteOfDay));
  };
}

/** Compiles checked silence rules once. */
export function compileSilences(rules: readonly SilenceRule[]): CompiledSilence[] {
  return rules.map((rule) => {
    let activeAt: (now: number) => boolean;
    if (rule.one_off) {
      const start = parseInstant(rule.one_off.start) ?? 0;
      const end = parseInstant(rule.one_off.end) ?? 0;
      activeAt = (now) => now >= start && now < end;
    } else {
      activeAt = weeklyActivity(rule.weekly as WeeklySchedule);
    }
    return { rule, matches: compileFilter(rule.if), activeAt };
  });
}

/** The first silence (in list order) active at `now` whose conditions match the alert; undefined when none. */
export function activeSilence(
  silences: readonly CompiledSilence[],
  subject: FilterSubject,
  now: number,
): SilenceRule | undefined {
  // Time first: it is cheaper than the filter and rules outside their window are the common case.
  return silences.find((silence) => silence.activeAt(now) && silence.matches(subject))?.rule;
}

/** What a quick silence is built from. */
export interface QuickSilenceRequest {
  /** Id of the new rule (the caller makes it: no randomness here). */
  id: string;
  alert: { integration_id: string; title: string; labels: Record<string, string>; short_id?: string };
  /** Label names the channel groups by (`labels.<name>` keys of its grouping): they identify the alert too. */
  groupingLabels?: readonly string[];
  now: number;
  /** Duration such as `30m`, `12h`, `1d`, `1w`; default `1d`. */
  duration?: string;
  name?: string;
  mode?: 'mark' | 'drop';
}

const maxQuickLabelLength = 128;

/**
 * Label names that say which alert it is (the alert rule, check or monitor, and where it fires), as Prometheus,
 * Zabbix, Nagios, Datadog and the cloud monitors name them. Anything else on an alert (descriptions, summaries,
 * measured values, timestamps, links) tends to change between occurrences and is left out.
 */
export const identifyingLabelNames: readonly string[] = [
  'alertname',
  'alert_name',
  'check',
  'check_name',
  'monitor',
  'monitor_name',
  'rule',
  'rule_name',
  'trigger',
  'service',
  'service_name',
  'component',
  'job',
  'host',
  'hostname',
  'instance',
  'resource',
  'cluster',
  'namespace',
  'env',
  'environment',
  'region',
];

/** A value worth matching exactly: not numeric (it changes), not long, not pattern-like (`*`, `/…/`, `cidr:`). */
function isStableValue(value: string): boolean {
  return (
    value !== '' && value.length <= maxQuickLabelLength && isLiteralValue(value) && parseNumber(value) === undefined
  );
}

/** The alert's identifying labels with stable values, sorted by name. */
export function identifyingLabels(
  labels: Record<string, string>,
  groupingLabels: readonly string[] = [],
): Array<[string, string]> {
  const wanted = new Set([...identifyingLabelNames, ...groupingLabels]);
  return Object.entries(labels)
    .filter(([name, value]) => wanted.has(name) && labelName.test(name) && isStableValue(value))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * A one-off silence for alerts like this one, from now for `duration` (default 1 day): same integration and same
 * identifying labels (see {@link identifyingLabels}); the title only when the alert has no identifying label.
 */
export function quickSilence(request: QuickSilenceRequest): SilenceRule {
  const durationMs = parseDuration(request.duration ?? '1d');
  if (durationMs === undefined || durationMs <= 0)
    throw new RuleValidationError([problemAt('duration', 'not a duration such as 30m, 1h, 1d, 1w')]);
  const { alert } = request;
  const conditions: FilterCondition[] = [{ key: 'integration', op: 'IN', values: [alert.integration_id] }];
  const labels = identifyingLabels(alert.labels, request.groupingLabels);
  for (const [name, value] of labels) conditions.push({ key: `labels.${name}`, op: 'IN', values: [value] });
  if (labels.length === 0 && isStableValue(alert.title))
    conditions.push({ key: 'title', op: 'IN', values: [alert.title] });
  return {
    id: request.id,
    name: request.name ?? `Quick Silence - ${alert.short_id ?? request.id}`,
    if: conditions,
    mode: request.mode ?? 'mark',
    one_off: { start: new Date(request.now).toISOString(), end: new Date(request.now + durationMs).toISOString() },
  };
}
