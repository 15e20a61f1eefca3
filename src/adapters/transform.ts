import jsonata from 'jsonata';
import { AppError } from '../errors.js';
import { normaliseStandardEvent, type NormaliseContext } from '../events/normalise.js';
import type { NormalisedEvent } from '../events/types.js';
import { isPlainObject } from '../plain-object.js';
import { MappingError, type JsonataErrorDetail } from './mapping.js';
import type { MappingInput } from './body-parsing.js';
import type { LoadedAdapter } from './registry.js';

/** Who sent the payload, when, and the push URL's query overrides (integrationType is the adapter's name). */
export type TransformContext = Omit<NormaliseContext, 'integrationType'>;

/**
 * Where a mapping fell back to a default instead of a value from the payload: a vendor format that drifted from the
 * mapping shows here first (counted per integration in `/metrics`).
 */
export interface SchemaDrift {
  /** Calls of the shared severity functions that found no value, or one their table does not know. */
  default_severity: number;
  /** Events the mapping gave no alert_key (one is derived from title and labels). */
  missing_alert_key: number;
  /** Events whose title is a text written in the mapping itself (its fallback), not one built from the payload. */
  default_title: number;
}

const literalCache = new Map<string, ReadonlySet<string>>();

/** The string literals of a mapping (read once per source): a title equal to one is the mapping's own fallback. */
function literalStringsOf(source: string): ReadonlySet<string> {
  let literals = literalCache.get(source);
  if (!literals) {
    const found = new Set<string>();
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (isPlainObject(node)) {
        if (node.type === 'string' && typeof node.value === 'string' && node.value !== '') found.add(node.value);
        for (const [key, child] of Object.entries(node)) if (key !== 'value') walk(child);
      }
    };
    walk(jsonata(source).ast());
    literals = found;
    literalCache.set(source, literals);
  }
  return literals;
}

/** The standard events of one payload; `asList` when the mapping returned an array (even of one). */
export interface TransformResult {
  events: NormalisedEvent[];
  asList: boolean;
  drift: SchemaDrift;
}

/** One problem found while mapping a payload, as the preview API lists it. */
export interface TransformProblem {
  code: string;
  message: string;
  /** The index of the offending event when the mapping returned an array. */
  index?: number;
  jsonata?: JsonataErrorDetail;
}

/** Runs the adapter's mapping and returns its raw items; throws MappingError when it fails or returns nothing usable. */
async function mapItems(
  adapter: LoadedAdapter,
  input: MappingInput,
  context: TransformContext,
  inputBytes: number,
): Promise<{ items: unknown[]; asList: boolean; severityFallbacks: number }> {
  const bindings = {
    receivedAt: context.receivedAt,
    integration: { id: context.integrationId, name: context.integrationName },
  };
  const { output, severityFallbacks } = await adapter.mapping.evaluate(input, bindings, inputBytes);
  if (Array.isArray(output)) return { items: output, asList: true, severityFallbacks };
  if (isPlainObject(output)) return { items: [output], asList: false, severityFallbacks };
  const got = output === undefined ? 'nothing' : `a ${typeof output}`;
  const message = `the ${adapter.name} mapping returned ${got}: it must return a standard event, a list of them, or [] when the payload carries no alert`;
  throw new MappingError(message, { code: 'NoEvent', message });
}

function normaliseItem(item: unknown, adapter: LoadedAdapter, context: TransformContext): NormalisedEvent {
  // normaliseStandardEvent speaks of "body" for a non-object; here it is the mapping's output item.
  if (!isPlainObject(item))
    throw new AppError(
      'InvalidParameter',
      `the ${adapter.name} mapping must return objects (standard events), got ${Array.isArray(item) ? 'an array' : typeof item}`,
    );
  return normaliseStandardEvent(item, { ...context, integrationType: adapter.name, titleIsLiteral: true });
}

/**
 * Maps one payload to standard events: evaluates the adapter's mapping (bounded) and normalises each event exactly as
 * the standard endpoint does (same schema, truncation, title rules, query overrides, alert_key). An empty array is
 * valid. Throws InvalidParameter naming the event (`[i].field: ...`) or carrying the JSONata error.
 */
export async function transformPayload(
  adapter: LoadedAdapter,
  input: MappingInput,
  context: TransformContext,
  inputBytes = 0,
): Promise<TransformResult> {
  const { items, asList, severityFallbacks } = await mapItems(adapter, input, context, inputBytes);
  const missingKeys = items.filter((item) => isPlainObject(item) && isAbsentKey(item.alert_key)).length;
  const literals = literalStringsOf(adapter.mapping.source);
  const defaultTitles = items.filter(
    (item) => isPlainObject(item) && typeof item.title === 'string' && literals.has(item.title),
  ).length;
  const events = items.map((item, index) => {
    try {
      return normaliseItem(item, adapter, context);
    } catch (error) {
      if (asList && error instanceof AppError) throw new AppError(error.code, `[${index}].${error.message}`);
      throw error;
    }
  });
  return {
    events,
    asList,
    drift: { default_severity: severityFallbacks, missing_alert_key: missingKeys, default_title: defaultTitles },
  };
}

const isAbsentKey = (key: unknown): boolean => key === undefined || key === null || key === '';

function problemOf(error: unknown, index?: number): TransformProblem {
  if (!(error instanceof AppError)) throw error;
  const message = index === undefined ? error.message : `[${index}].${error.message}`;
  return {
    code: error.code,
    message,
    ...(index !== undefined && { index }),
    ...(error instanceof MappingError && { jsonata: error.jsonata }),
  };
}

/** Like transformPayload but never throws for bad input: every valid event and every problem, for the preview API. */
export async function previewPayload(
  adapter: LoadedAdapter,
  input: MappingInput,
  context: TransformContext,
  inputBytes = 0,
): Promise<{ events: NormalisedEvent[]; errors: TransformProblem[] }> {
  let mapped: { items: unknown[]; asList: boolean; severityFallbacks: number };
  try {
    mapped = await mapItems(adapter, input, context, inputBytes);
  } catch (error) {
    return { events: [], errors: [problemOf(error)] };
  }
  const events: NormalisedEvent[] = [];
  const errors: TransformProblem[] = [];
  mapped.items.forEach((item, index) => {
    try {
      events.push(normaliseItem(item, adapter, context));
    } catch (error) {
      errors.push(problemOf(error, mapped.asList ? index : undefined));
    }
  });
  return { events, errors };
}
