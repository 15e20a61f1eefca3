import { invalidParameter, problemsParameter } from '../errors.js';
import { isPlainObject } from '../plain-object.js';
import { parseDuration } from '../rules/duration.js';
import type { SilenceRule } from '../rules/types.js';
import { parseInstant } from '../rules/zoned-time.js';
import { ruleProblems } from '../config/schema-problems.js';
import { validateSilence } from '../rules/silence.js';

/** A silence as the API takes it: a silence rule plus its comment and window (start, end or duration). */
export interface ParsedSilence {
  rule: SilenceRule;
  comment: string | null;
  starts_at: number;
  /** Null for a weekly schedule without end. */
  expires_at: number | null;
}

/** Fields of a silence body that are not part of the rule. */
const windowFields = ['starts_at', 'expires_at', 'duration'] as const;
const maxCommentLength = 1000;
const instantHelp = 'must be ISO 8601 with Z or an offset, or Unix seconds/milliseconds';

/**
 * A request body as a silence rule, checked as alertgate.yaml's silences are: the schema, then the rule's own checks
 * (instants, time zone, filter values). Throws InvalidParameter naming every field at fault.
 */
export function parseSilenceRule(body: unknown): SilenceRule {
  const problems = ruleProblems('silence', body, '', validateSilence);
  if (problems.length > 0) throw problemsParameter(problems, 'body');
  return body as SilenceRule;
}

function instantField(body: Record<string, unknown>, name: string, problems: string[]): number | undefined {
  const value = body[name];
  if (value === undefined) return undefined;
  const instant = typeof value === 'string' || typeof value === 'number' ? parseInstant(value) : undefined;
  if (instant === undefined) problems.push(`${name}: ${instantHelp}`);
  return instant;
}

function commentField(body: Record<string, unknown>, problems: string[]): string | null {
  const comment = body.comment;
  if (comment === undefined) return null;
  if (typeof comment !== 'string' || comment.length > maxCommentLength)
    problems.push(`comment: must be text of at most ${maxCommentLength} characters`);
  return typeof comment === 'string' ? comment : null;
}

/** The end of the window: `expires_at`, or `starts_at + duration`; undefined when neither is given. */
function endOf(body: Record<string, unknown>, start: number, problems: string[]): number | undefined {
  const expiresAt = instantField(body, 'expires_at', problems);
  if (body.duration === undefined) return expiresAt;
  if (expiresAt !== undefined) problems.push('duration: give expires_at or duration, not both');
  const ms = typeof body.duration === 'string' ? parseDuration(body.duration) : undefined;
  if (ms === undefined || ms <= 0) {
    problems.push('duration: not a duration such as 30m, 1h, 1d, 1w');
    return undefined;
  }
  return start + ms;
}

/**
 * A silence body as the API takes it. `starts_at` (default now) with `expires_at` or `duration` make a one-off
 * window; a `weekly` schedule may end at `expires_at`/`duration`; an explicit `one_off` window stands alone.
 * `id` is made by `newId` when absent, `fixedId` (the id in the path) must match when given.
 */
export function parseSilenceBody(body: unknown, now: number, newId: () => string, fixedId?: string): ParsedSilence {
  if (!isPlainObject(body)) throw invalidParameter('body: must be object');
  const problems: string[] = [];
  const comment = commentField(body, problems);
  const rule: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const [key, value] of Object.entries(body))
    if (key !== 'comment' && !(windowFields as readonly string[]).includes(key)) rule[key] = value;
  if (fixedId !== undefined && rule.id !== undefined && rule.id !== fixedId)
    throw invalidParameter(`id: must be ${JSON.stringify(fixedId)}, the id in the path`);
  rule.id ??= fixedId ?? newId();
  const hasWindowFields = windowFields.some((field) => body[field] !== undefined);
  if (rule.one_off !== undefined && hasWindowFields)
    problems.push('one_off: give starts_at with expires_at or duration, or one_off, not both');
  if (rule.weekly !== undefined && body.starts_at !== undefined)
    problems.push('starts_at: a weekly schedule starts when it is made');
  const start = instantField(body, 'starts_at', problems) ?? now;
  const end = rule.one_off === undefined ? endOf(body, start, problems) : undefined;
  if (rule.one_off === undefined && rule.weekly === undefined) {
    if (end === undefined && problems.length === 0)
      problems.push('body: needs expires_at or duration (or a one_off or weekly window)');
    else if (end !== undefined && end <= start) problems.push('expires_at: must be after starts_at');
    else if (end !== undefined)
      rule.one_off = { start: new Date(start).toISOString(), end: new Date(end).toISOString() };
  }
  if (problems.length > 0) throw invalidParameter(problems.join('; '));
  const parsed = parseSilenceRule({ ...rule });
  if (parsed.one_off) {
    return {
      rule: parsed,
      comment,
      starts_at: parseInstant(parsed.one_off.start) ?? start,
      expires_at: parseInstant(parsed.one_off.end) ?? null,
    };
  }
  return { rule: parsed, comment, starts_at: now, expires_at: end ?? null };
}
