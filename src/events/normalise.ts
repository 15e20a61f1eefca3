import { invalidParameter } from '../errors.js';
import { deriveAlertKey } from './alert-key.js';
import { isPlainObject } from '../plain-object.js';
import { eventLimits } from './limits.js';
import { describeSchemaErrors, validateStandardAlert } from '../schemas.js';
import { renderTitleRule } from './title-rule.js';
import { truncateCodePoints, codePointLength } from './truncate.js';
import { severities, type AlertImage, type NormalisedEvent, type Severity, type StandardAlertInput } from './types.js';

/** Who sent the event and what the push URL's query asked for. */
export interface NormaliseContext {
  integrationId: string;
  integrationName: string;
  integrationType: string;
  /** Milliseconds since the epoch; the default event_time. */
  receivedAt: number;
  /** Query `severity=`: replaces the status of non-Ok events. */
  severityOverride?: Severity;
  /** Query `title_rule=`: replaces the title rule; `{{.Title}}` then refers to the event's own title. */
  titleRuleOverride?: string;
  /**
   * Take a `title` field as the title itself, not as a rule. Adapters set it: a vendor's free text such as
   * `Foo::bar()` or `[::1]:9100` is a title, while their `title_rule` output is still rendered.
   */
  titleIsLiteral?: boolean;
}

const isAbsent = (value: unknown): boolean => value === null || value === undefined || value === '';

/** NUL cannot be stored in a PostgreSQL text column (nor read back by most tools): it is removed from every string. */
const withoutNul = (value: unknown): unknown =>
  typeof value === 'string' && value.includes('\0') ? value.replace(/\0/g, '') : value;

/** The latest event_time a store holds as epoch milliseconds: 9999-12-31T23:59:59.999Z. */
export const maxEventTimeMs = 253_402_300_799_999;
/** A record without prototype: a key named `__proto__` is then an ordinary key, not the object's prototype. */
const bareRecord = <T>(): Record<string, T> => Object.create(null) as Record<string, T>;

function cleanLabels(labels: unknown): unknown {
  if (!isPlainObject(labels)) return labels;
  const cleaned = bareRecord<unknown>();
  for (const [key, raw] of Object.entries(labels)) {
    const value = withoutNul(raw);
    if (isAbsent(value)) continue;
    // Real senders put numbers and booleans in labels; they are label values all the same.
    cleaned[key] = typeof value === 'number' || typeof value === 'boolean' ? String(value) : value;
  }
  return cleaned;
}

function cleanImages(images: unknown): unknown {
  if (!Array.isArray(images)) return images;
  return images
    .map((image: unknown) => {
      if (!isPlainObject(image)) return image;
      const cleaned = bareRecord<unknown>();
      for (const [key, raw] of Object.entries(image)) {
        const value = withoutNul(raw);
        if (!isAbsent(value)) cleaned[key] = value;
      }
      return cleaned;
    })
    .filter(
      (image) =>
        !(isPlainObject(image) && typeof image.src === 'string' && codePointLength(image.src) > eventLimits.imageSrc),
    );
}

function parseEventTime(value: unknown): unknown {
  if (typeof value === 'string' && /^\d+(\.\d+)?$/.test(value.trim())) return Number(value);
  return value;
}

/** Removes empty and null optional fields, folds `title` into `title_rule`, coerces label scalars. */
function cleanInput(raw: Record<string, unknown>): Record<string, unknown> {
  const cleaned = bareRecord<unknown>();
  for (const [key, rawValue] of Object.entries(raw)) {
    const value = withoutNul(rawValue);
    if (!isAbsent(value)) cleaned[key] = value;
  }
  if (cleaned.title_rule === undefined && cleaned.title !== undefined) cleaned.title_rule = cleaned.title;
  delete cleaned.title;
  if ('labels' in cleaned) cleaned.labels = cleanLabels(cleaned.labels);
  if ('images' in cleaned) cleaned.images = cleanImages(cleaned.images);
  if ('event_time' in cleaned) cleaned.event_time = parseEventTime(cleaned.event_time);
  return cleaned;
}

/** Epoch seconds, milliseconds, microseconds or nanoseconds (by magnitude) to milliseconds. */
export function toEpochMillis(value: number): number {
  if (value < 1e11) return Math.round(value * 1000);
  if (value < 1e14) return Math.round(value);
  if (value < 1e17) return Math.round(value / 1e3);
  return Math.round(value / 1e6);
}

function truncateImages(images: AlertImage[] | undefined): AlertImage[] | undefined {
  if (!images || images.length === 0) return undefined;
  // One image per alt: a later one replaces an earlier one, at the earlier one's place.
  const byAlt = new Map<string, AlertImage>();
  for (const image of images) {
    const alt = image.alt === undefined ? undefined : truncateCodePoints(image.alt, eventLimits.imageAlt);
    const href = image.href === undefined ? undefined : truncateCodePoints(image.href, eventLimits.imageHref);
    byAlt.set(alt ?? '', { ...(alt !== undefined && { alt }), src: image.src, ...(href !== undefined && { href }) });
  }
  return [...byAlt.values()];
}

function truncateLabels(labels: Record<string, string> | undefined): Record<string, string> {
  // fromEntries defines each key, so a label named __proto__ stays a label of an ordinary object.
  return Object.fromEntries(
    Object.entries(labels ?? {}).map(([key, value]) => [key, truncateCodePoints(value, eventLimits.labelValue)]),
  );
}

/**
 * Validates one pushed event against the standard schema and turns it into the normalised event:
 * truncation by code points, title rules, query overrides, event_time in ms and a deterministic alert_key.
 * Throws InvalidParameter naming every offending field and its limit.
 */
export function normaliseStandardEvent(raw: unknown, context: NormaliseContext): NormalisedEvent {
  if (!isPlainObject(raw)) throw invalidParameter('body: must be a JSON object (one standard event)');
  const cleaned = cleanInput(raw);
  if (!validateStandardAlert(cleaned))
    throw invalidParameter(
      describeSchemaErrors(validateStandardAlert.errors, 'event', { data: cleaned }).join('; ') ||
        'the event does not match the standard event schema',
    );
  const input: StandardAlertInput = cleaned;
  const eventTime = input.event_time === undefined ? context.receivedAt : toEpochMillis(input.event_time);
  if (!Number.isFinite(eventTime) || eventTime > maxEventTimeMs) {
    throw invalidParameter(
      `event_time: must be a Unix time in seconds, milliseconds, microseconds or nanoseconds before the year 10000, got ${String(raw.event_time)}`,
    );
  }
  const labels = truncateLabels(input.labels);
  const description =
    input.description === undefined ? undefined : truncateCodePoints(input.description, eventLimits.description);
  const eventStatus =
    input.event_status !== 'Ok' && context.severityOverride ? context.severityOverride : input.event_status;
  const base = {
    labels,
    description,
    eventStatus,
    alertKey: input.alert_key,
    integrationName: context.integrationName,
    integrationType: context.integrationType,
  };
  const literal = context.titleIsLiteral === true && isAbsent(raw.title_rule);
  let title = literal ? input.title_rule : renderTitleRule(input.title_rule, { ...base, titleRule: input.title_rule });
  let titleRule = input.title_rule;
  if (context.titleRuleOverride) {
    titleRule = withoutNul(context.titleRuleOverride) as string;
    title = renderTitleRule(titleRule, { ...base, title, titleRule });
  }
  title = truncateCodePoints(title, eventLimits.title);
  const alertKey = input.alert_key ?? deriveAlertKey(context.integrationId, title, labels);
  const images = truncateImages(input.images);
  return {
    title,
    title_rule: truncateCodePoints(titleRule, eventLimits.title),
    event_status: eventStatus,
    alert_key: alertKey,
    alert_key_derived: input.alert_key === undefined,
    ...(description !== undefined && { description }),
    labels,
    ...(images && { images }),
    event_time: eventTime,
  };
}

/** Parses the `severity` query override; undefined when absent. */
export function parseSeverityOverride(value: unknown): Severity | undefined {
  if (isAbsent(value)) return undefined;
  if (typeof value === 'string' && (severities as readonly string[]).includes(value)) return value as Severity;
  throw invalidParameter(
    `severity (query): must be one of ${severities.join(', ')} (case-sensitive), got ${JSON.stringify(value)}`,
  );
}

/** The query overrides a push URL may carry (contract §2): `severity=` and `title_rule=`. */
export interface QueryOverrides {
  severityOverride?: Severity;
  titleRuleOverride?: string;
}

/**
 * Reads the query overrides of any push, fixture or replay; InvalidParameter for a bad or repeated value. Parameters
 * in `payloadFields` belong to the sender's payload (an adapter's GET callback) and are not overrides.
 */
export function parseQueryOverrides(
  query: Record<string, unknown>,
  payloadFields: readonly string[] = [],
): QueryOverrides {
  const severity = payloadFields.includes('severity') ? undefined : parseSeverityOverride(query.severity);
  const titleRule = payloadFields.includes('title_rule') ? undefined : query.title_rule;
  if (titleRule !== undefined && typeof titleRule !== 'string')
    throw invalidParameter('title_rule (query): must be given once, as text');
  return { ...(severity && { severityOverride: severity }), ...(titleRule && { titleRuleOverride: titleRule }) };
}
