import { invalidParameter } from '../errors.js';
import { eventLimits } from '../events/limits.js';
import { maxEventTimeMs, toEpochMillis } from '../events/normalise.js';
import { truncateCodePoints } from '../events/truncate.js';
import { isPlainObject } from '../plain-object.js';
import { describeSchemaErrors, validateChangeEvent } from '../schemas.js';
import type { ChangeStatus, NormalisedChange } from './types.js';

const isAbsent = (value: unknown): boolean => value === null || value === undefined || value === '';
const withoutNul = (value: unknown): unknown =>
  typeof value === 'string' && value.includes('\0') ? value.replace(/\0/g, '') : value;

/** Empty and null optional fields removed, NUL removed, label numbers and booleans as text, event_time as a number. */
function cleanChange(raw: Record<string, unknown>): Record<string, unknown> {
  const cleaned: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const [key, rawValue] of Object.entries(raw)) {
    const value = withoutNul(rawValue);
    if (!isAbsent(value)) cleaned[key] = value;
  }
  if (isPlainObject(cleaned.labels)) {
    const labels: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
    for (const [key, rawValue] of Object.entries(cleaned.labels)) {
      const value = withoutNul(rawValue);
      if (isAbsent(value)) continue;
      labels[key] = typeof value === 'number' || typeof value === 'boolean' ? String(value) : value;
    }
    cleaned.labels = labels;
  }
  if (typeof cleaned.event_time === 'string' && /^\d+(\.\d+)?$/.test(cleaned.event_time.trim()))
    cleaned.event_time = Number(cleaned.event_time);
  return cleaned;
}

/**
 * Validates one pushed change event (schemas/change-event.schema.json) and truncates it as the standard alert event
 * is truncated: title 512, description and label values 2048 code points. Throws InvalidParameter naming every
 * offending field, in the words the alert endpoint uses.
 */
export function normaliseChange(raw: unknown, receivedAt: number): NormalisedChange {
  if (!isPlainObject(raw)) throw invalidParameter('body: must be a JSON object (one change event)');
  const cleaned = cleanChange(raw);
  if (!validateChangeEvent(cleaned))
    throw invalidParameter(
      describeSchemaErrors(validateChangeEvent.errors, 'event', { data: cleaned }).join('; ') ||
        'the event does not match the change event schema',
    );
  const eventTime = cleaned.event_time === undefined ? receivedAt : toEpochMillis(cleaned.event_time as number);
  if (!Number.isFinite(eventTime) || eventTime > maxEventTimeMs)
    throw invalidParameter(`event_time: must be a Unix time before the year 10000, got ${String(raw.event_time)}`);
  const labels = Object.fromEntries(
    Object.entries((cleaned.labels as Record<string, string> | undefined) ?? {}).map(([key, value]) => [
      key,
      truncateCodePoints(value, eventLimits.labelValue),
    ]),
  );
  return {
    title: truncateCodePoints(cleaned.title as string, eventLimits.title),
    ...(cleaned.description !== undefined && {
      description: truncateCodePoints(cleaned.description as string, eventLimits.description),
    }),
    change_key: cleaned.change_key as string,
    change_status: cleaned.change_status as ChangeStatus,
    labels,
    ...(cleaned.link !== undefined && { link: cleaned.link as string }),
    event_time: eventTime,
  };
}
