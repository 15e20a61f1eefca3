/**
 * The shared JSONata functions every adapter mapping can call (`$mapSeverity`, `$labelSeverity`, ...).
 * They are pure and never throw on odd input: a webhook with an unexpected shape should produce an invalid event
 * (which the runtime reports) rather than crash the mapping. The one exception is JSON nested past the request
 * bound, refused as it is in a request body.
 */

import { eventLimits } from '../events/limits.js';
import { toEpochMillis } from '../events/normalise.js';
import { assertJsonDepth } from '../json-depth.js';
import { isPlainObject } from '../plain-object.js';

/** A flat label map, as the standard event carries it. */
export type LabelMap = Record<string, string>;

// The helpers that build label maps stop at the standard event's limits.
const maxLabels = eventLimits.labels;
const maxLabelKeyLength = eventLimits.labelKey;

type Scalar = string | number | boolean;

function isScalar(value: unknown): value is Scalar {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

// Label maps are built in a Map (so a key such as `__proto__` is just a key) and returned as plain objects.
type LabelBuilder = Map<string, string>;

/** Adds `key` unless the map is full; an existing key is overwritten in place (it keeps its position). */
function putLabel(labels: LabelBuilder, key: string, value: string): void {
  if (labels.has(key) || labels.size < maxLabels) labels.set(key, value);
}

/**
 * Case-insensitive lookup of `value` in a severity table such as `{"high": "Critical"}`.
 * Returns `fallback` (default `"Warning"`) when the value is missing, empty or not in the table.
 */
export function mapSeverity(value: unknown, table: unknown, fallback: unknown = 'Warning'): string {
  const otherwise = typeof fallback === 'string' && fallback !== '' ? fallback : 'Warning';
  if (isScalar(value) && isPlainObject(table)) {
    const wanted = String(value).trim().toLowerCase();
    for (const [key, mapped] of Object.entries(table)) {
      if (wanted !== '' && key.trim().toLowerCase() === wanted && typeof mapped === 'string' && mapped !== '')
        return mapped;
    }
  }
  severityFallbacks += 1;
  return otherwise;
}

/**
 * How many times the severity functions fell back to their default (no value, or one their table does not know)
 * since the thread started: read before and after an evaluation, it tells a vendor format that drifted from the
 * mapping. Evaluations run one at a time per thread (mapping.ts), so the difference belongs to one payload.
 */
export function severityFallbackCount(): number {
  return severityFallbacks;
}

let severityFallbacks = 0;

const labelSeverityTable: Readonly<LabelMap> = {
  critical: 'Critical',
  warning: 'Warning',
  warn: 'Warning',
  info: 'Info',
  acknowledged: 'Info',
  unknown: 'Info',
  unk: 'Info',
  ok: 'Ok',
};

/**
 * Flashduty's Prometheus/Grafana severity rule: the first non-empty label of `severity`, `priority`, `level`
 * decides (critical, warning/warn, info/acknowledged/unknown/unk, ok); none or an unknown value gives `Warning`.
 */
export function labelSeverity(labels: unknown): string {
  if (!isPlainObject(labels)) return mapSeverity(undefined, labelSeverityTable, 'Warning');
  const decisive = ['severity', 'priority', 'level']
    .map((name) => labels[name])
    .find((value) => isScalar(value) && String(value).trim() !== '');
  return mapSeverity(decisive, labelSeverityTable, 'Warning');
}

/**
 * Makes a label key valid: every code point outside `[a-zA-Z0-9_]` becomes `_`, a leading digit gets a `_`
 * prefix, an empty key becomes `_`, and the result is cut to 128 characters. `undefined`/`null` stay undefined.
 */
export function sanitizeKey(key: unknown): string | undefined {
  if (key === undefined || key === null) return undefined;
  let clean = (isScalar(key) ? String(key) : '').replace(/[^a-zA-Z0-9_]/gu, '_');
  if (clean === '' || /^[0-9]/.test(clean)) clean = `_${clean}`;
  return clean.slice(0, maxLabelKeyLength);
}

function flattenInto(labels: LabelBuilder, value: unknown, path: string): void {
  if (value === null || value === undefined || value === '') return;
  if (isScalar(value)) {
    if (path !== '') putLabel(labels, sanitizeKey(path) ?? '_', String(value));
    return;
  }
  if (Array.isArray(value) && value.every((item) => item === null || isScalar(item))) {
    const joined = value
      .filter((item) => item !== null && item !== '')
      .map(String)
      .join(',');
    if (joined !== '' && path !== '') putLabel(labels, sanitizeKey(path) ?? '_', joined);
    return;
  }
  if (typeof value !== 'object') return;
  for (const [key, child] of Object.entries(value)) {
    flattenInto(labels, child, path === '' ? key : `${path}_${key}`);
  }
}

/**
 * Flattens an object into labels: nested keys are joined with `_` (and prefixed with `prefix_` when given), keys
 * are sanitised, numbers and booleans become strings, arrays of scalars are joined with `,`, other arrays are
 * flattened by index, `null` and `""` are dropped. Keeps the first 50 labels in document order.
 */
export function flattenLabels(value: unknown, prefix?: unknown): LabelMap | undefined {
  if (value === undefined || value === null) return undefined;
  const labels: LabelBuilder = new Map();
  flattenInto(labels, value, typeof prefix === 'string' ? prefix : '');
  return Object.fromEntries(labels);
}

/**
 * Flattens several sources (as `$flattenLabels`) into one labels map where the FIRST source holding a key wins,
 * capped at 50: `$collectLabels([labels, annotations])` keeps every label and adds the annotations not shadowed.
 * One call instead of flatten + flatten + merge, on the hottest adapters.
 */
export function collectLabels(sources: unknown): LabelMap {
  const collected: LabelBuilder = new Map();
  for (const source of Array.isArray(sources) ? sources : [sources]) {
    const flat = flattenLabels(source);
    if (!flat) continue;
    for (const [key, value] of Object.entries(flat)) if (!collected.has(key)) putLabel(collected, key, value);
  }
  return Object.fromEntries(collected);
}

/**
 * Merges label maps left to right; later values override earlier ones, `undefined` maps and `null`/`""` values
 * are skipped (so an empty value never erases a real one). Keeps at most 50 keys, the first inserted.
 */
export function mergeLabels(maps: unknown): LabelMap {
  const merged: LabelBuilder = new Map();
  for (const map of Array.isArray(maps) ? maps : [maps]) {
    if (!isPlainObject(map)) continue;
    for (const [key, value] of Object.entries(map)) {
      if (value === null || value === undefined || value === '') continue;
      putLabel(merged, key, isScalar(value) ? String(value) : JSON.stringify(value));
    }
  }
  return Object.fromEntries(merged);
}

/**
 * Parses a JSON string; a non-string is returned as is and invalid JSON gives `undefined`. JSON nested deeper than
 * the request bound is an error (400), as it is in a request body.
 */
export function parseJson(text: unknown): unknown {
  if (typeof text !== 'string') return text;
  assertJsonDepth(text, '$parseJson');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** An epoch number in s, ms, µs or ns, told apart by size as the standard endpoint does (undefined when not finite). */
function epochNumberToMs(value: number): number | undefined {
  return Number.isFinite(value) ? Math.sign(value) * toEpochMillis(Math.abs(value)) : undefined;
}

// ISO 8601 and its relatives: `T` or space, `-` or `.` (Zabbix) date separators; no zone means UTC.
const isoLike =
  /^(\d{4})[-.](\d{2})[-.](\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;
/** Java's `Date.toString()`, as AppDynamics and other JVM tools render a date: `Sun Mar 02 10:25:00 UTC 2025`. */
const javaDate = /^[A-Z][a-z]{2} [A-Z][a-z]{2} \d{1,2} \d{2}:\d{2}:\d{2} [A-Z]{1,5} \d{4}$/;
const rfc2822 = /^(?:[a-z]{3},\s*)?\d{1,2}\s+[a-z]{3}\s+\d{4}\s+\d{2}:\d{2}(?::\d{2})?\s+(?:[+-]\d{4}|[a-z]{1,3})$/i;

function zoneOffsetMinutes(zone: string | undefined): number {
  if (zone === undefined || zone.toUpperCase() === 'Z') return 0;
  const digits = zone.slice(1).replace(':', '');
  const minutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || '0');
  return zone.startsWith('-') ? -minutes : minutes;
}

function parseIsoLike(text: string): number | undefined {
  const match = isoLike.exec(text);
  if (match === null) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map((part) => Number(part ?? 0));
  const millis = Number((match[7] ?? '').padEnd(3, '0').slice(0, 3));
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return undefined;
  const wallClock = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  return wallClock - zoneOffsetMinutes(match[8]) * 60_000;
}

/**
 * Converts a source time to integer milliseconds since the epoch: numbers and numeric strings in s/ms/µs/ns
 * (detected by magnitude; `1.74e+09` as Go templates print floats is fine), ISO 8601 (any fraction, `Z`, `+01:00` or `+0100`), `YYYY-MM-DD HH:MM:SS` and Zabbix's
 * `YYYY.MM.DD HH:MM:SS` (both taken as UTC) and RFC 2822. Unparseable input and times at or before the epoch
 * (such as Go's zero time `0001-01-01T00:00:00Z`, which means "unset") give `undefined`.
 */
export function toEpochMs(value: unknown): number | undefined {
  let ms: number | undefined;
  if (typeof value === 'number') {
    ms = epochNumberToMs(value);
  } else if (typeof value === 'string') {
    const text = value.trim();
    if (/^-?\d+(?:\.\d+)?(?:e[+-]?\d+)?$/i.test(text)) ms = epochNumberToMs(Number(text));
    else if (rfc2822.test(text) || javaDate.test(text)) ms = Date.parse(text);
    else ms = parseIsoLike(text);
  }
  return ms !== undefined && Number.isFinite(ms) && ms > 0 ? ms : undefined;
}

function tagItems(tags: unknown, itemSep: string): string[] {
  if (typeof tags === 'string') return tags.split(itemSep);
  if (!Array.isArray(tags)) return [];
  return tags.filter(isScalar).map(String);
}

/**
 * Parses tags such as `"env:prod,team:db,canary"` into labels `{env: "prod", team: "db", canary: "true"}`.
 * Items split on `itemSep` (default `,`), key and value on the first `kvSep` (default `:`); a tag without a value
 * becomes `"true"`. Items, keys and values are trimmed, keys sanitised; an array of item strings is accepted too.
 */
export function splitTags(tags: unknown, itemSep: unknown = ',', kvSep: unknown = ':'): LabelMap | undefined {
  if (tags === undefined || tags === null) return undefined;
  const items = typeof itemSep === 'string' && itemSep !== '' ? itemSep : ',';
  const pair = typeof kvSep === 'string' && kvSep !== '' ? kvSep : ':';
  const labels: LabelBuilder = new Map();
  for (const item of tagItems(tags, items)) {
    const text = item.trim();
    if (text === '') continue;
    const at = text.indexOf(pair);
    const key = (at < 0 ? text : text.slice(0, at)).trim();
    const value = at < 0 ? '' : text.slice(at + pair.length).trim();
    if (key !== '') putLabel(labels, sanitizeKey(key) ?? '_', value === '' ? 'true' : value);
  }
  return Object.fromEntries(labels);
}

/** The first `length` Unicode code points of `text` (never splits a surrogate pair); numbers are stringified. */
export function truncate(text: unknown, length: unknown): string | undefined {
  if (!isScalar(text)) return undefined;
  const limit = typeof length === 'number' && Number.isFinite(length) ? Math.max(0, Math.floor(length)) : Infinity;
  const whole = String(text);
  if (whole.length <= limit) return whole;
  let end = 0;
  let count = 0;
  for (const codePoint of whole) {
    if (count === limit) break;
    end += codePoint.length;
    count += 1;
  }
  return whole.slice(0, end);
}

/** True when `text` matches `pattern`: equal, or with `*` at its start and/or end, ending with / starting with / holding the rest. */
function matchesPlaceholder(text: string, pattern: string): boolean {
  const starts = pattern.startsWith('*');
  const ends = pattern.length > 1 && pattern.endsWith('*');
  const core = pattern.slice(starts ? 1 : 0, ends ? -1 : undefined);
  if (starts && ends) return text.includes(core);
  if (starts) return text.endsWith(core);
  if (ends) return text.startsWith(core);
  return text === pattern;
}

/**
 * The string and number fields of `object` (one level) that hold a value: null, `""`, other types, and strings
 * matching one of `unresolved` are left out. A pattern is a literal (`"null"`, a sender's text for "no value") or has
 * `*` at its start and/or end (`"$*"`: starts with `$`; `"*${*"`: holds `${`), for template variables a sender left
 * unreplaced. One call where a `$sift` with a lambda would call JSONata once per field.
 */
export function presentFields(object: unknown, unresolved: unknown = []): Record<string, string | number> {
  if (!isPlainObject(object)) return {};
  // Entries, then fromEntries: a key named `__proto__` stays an ordinary key.
  const kept: Array<[string, string | number]> = [];
  const patterns = (Array.isArray(unresolved) ? unresolved : [unresolved]).filter(
    (pattern): pattern is string => typeof pattern === 'string' && pattern !== '',
  );
  for (const [key, value] of Object.entries(object)) {
    if (typeof value === 'number' && Number.isFinite(value)) kept.push([key, value]);
    else if (typeof value === 'string' && value !== '' && !patterns.some((p) => matchesPlaceholder(value, p)))
      kept.push([key, value]);
  }
  return Object.fromEntries(kept);
}

/** One shared function as `expression.registerFunction(name, implementation, signature)` of jsonata 2.x takes it. */
export interface SharedFunction {
  name: string;
  implementation: (...args: never[]) => unknown;
  /** JSONata signature; every parameter type also accepts `undefined`, so missing fields pass through. */
  signature?: string;
}

/** Every shared function, to register on each compiled mapping. */
export const sharedFunctions: ReadonlyArray<SharedFunction> = [
  { name: 'mapSeverity', implementation: mapSeverity, signature: '<jo?s?:s>' },
  { name: 'labelSeverity', implementation: labelSeverity, signature: '<j?:s>' },
  { name: 'sanitizeKey', implementation: sanitizeKey, signature: '<j:s>' },
  { name: 'flattenLabels', implementation: flattenLabels, signature: '<js?:o>' },
  { name: 'mergeLabels', implementation: mergeLabels, signature: '<a:o>' },
  { name: 'collectLabels', implementation: collectLabels, signature: '<a:o>' },
  { name: 'parseJson', implementation: parseJson, signature: '<j:j>' },
  { name: 'toEpochMs', implementation: toEpochMs, signature: '<j:n>' },
  { name: 'splitTags', implementation: splitTags, signature: '<(sa)s?s?:o>' },
  { name: 'truncate', implementation: truncate, signature: '<(sn)n?:s>' },
  { name: 'presentFields', implementation: presentFields, signature: '<j(sa)?:o>' },
];
