import type { Selectable } from 'kysely';
import type { Config, Integration } from '../config/types.js';
import { AppError, invalidParameter } from '../errors.js';
import { createIdGenerator } from '../events/ids.js';
import { normaliseStandardEvent } from '../events/normalise.js';
import type { AlertImage, NormalisedEvent, QueuedEvent } from '../events/types.js';
import type { EventsRepo } from '../store/events-repo.js';
import type { EventsTable } from '../store/tables.js';

/** Most events one dry run applies (given and replayed together). */
export const maxDryRunEvents = 1000;
/** Most stored events `last` replays. */
export const maxLastEvents = 500;

/** A dry run's request: a configuration fragment, standard events, the last stored events of a channel. */
export interface DryRunRequest {
  /** Channels and/or integrations as in alertgate.yaml, applied over the configuration in force. */
  config?: unknown;
  /** Standard events, each with `integration_id` or `integration_key`. */
  events?: unknown[];
  /** Replay the channel's last `count` (default 50) stored events. */
  last?: { channel: string; count: number };
}

/** One event to apply, when, and where it came from. */
export interface DryRunInput {
  event: QueuedEvent;
  source: 'events' | 'last';
  /** `last`: the stored event it replays. */
  replayedEventId?: string;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function parseLast(value: unknown): DryRunRequest['last'] {
  if (value === undefined) return undefined;
  if (!isObject(value)) throw invalidParameter('last: must be {"channel": "<id>", "count": <n>}');
  const unknown = Object.keys(value).find((key) => key !== 'channel' && key !== 'count');
  if (unknown !== undefined) throw invalidParameter(`last.${unknown}: unknown field`);
  if (typeof value.channel !== 'string' || value.channel === '')
    throw invalidParameter('last.channel: must be a channel id');
  const count = value.count ?? 50;
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > maxLastEvents)
    throw invalidParameter(`last.count: must be an integer from 1 to ${maxLastEvents}`);
  return { channel: value.channel, count };
}

/** Checks the shape of a dry run's request body (the events themselves are checked when normalised). */
export function parseDryRunRequest(body: unknown): DryRunRequest {
  if (!isObject(body)) throw invalidParameter('body: must be an object with config, events and/or last');
  const unknown = Object.keys(body).find((key) => key !== 'config' && key !== 'events' && key !== 'last');
  if (unknown !== undefined) throw invalidParameter(`${unknown}: unknown field (config, events, last)`);
  if (body.events !== undefined && (!Array.isArray(body.events) || body.events.length > maxDryRunEvents))
    throw invalidParameter(`events: must be a list of at most ${maxDryRunEvents} standard events`);
  const last = parseLast(body.last);
  const events = body.events as unknown[] | undefined;
  if ((events === undefined || events.length === 0) && last === undefined)
    throw invalidParameter('body: give events, last or both');
  return {
    ...(body.config !== undefined && { config: body.config }),
    ...(events && { events }),
    ...(last && { last }),
  };
}

function integrationFor(config: Config, raw: Record<string, unknown>, path: string): Integration {
  const { integration_id: id, integration_key: key } = raw;
  if (typeof id === 'string') {
    const found = config.integrations.find((integration) => integration.id === id);
    if (!found) throw invalidParameter(`${path}.integration_id: no integration ${JSON.stringify(id)}`);
    return found;
  }
  if (typeof key === 'string') {
    // '' is the key of an email integration configured without one: no key finds it.
    const found = config.integrations.find((integration) => integration.key !== '' && integration.key === key);
    if (!found) throw invalidParameter(`${path}.integration_key: no integration has this key`);
    return found;
  }
  throw invalidParameter(`${path}: needs integration_id or integration_key`);
}

/** Stamps events the way the gateway does, with ids ordered by the time each is applied. */
export function eventStamper(): (
  event: NormalisedEvent,
  integration: { id: string; adapter: string },
  at: number,
) => QueuedEvent {
  let current = 0;
  const nextId = createIdGenerator(() => current);
  let seq = 0;
  return (event, integration, at) => {
    current = at;
    seq += 1;
    return {
      ...event,
      event_id: nextId(),
      request_id: 'dry-run',
      integration_id: integration.id,
      integration_type: integration.adapter,
      received_at: at,
      seq,
    };
  };
}

/** Standard events, normalised as the push endpoint does, all received at `now`. Errors name `events[i]`. */
export function standardEventInputs(
  items: readonly unknown[],
  config: Config,
  now: number,
  stamp: ReturnType<typeof eventStamper>,
): DryRunInput[] {
  return items.map((item, index) => {
    const path = `events[${index}]`;
    if (!isObject(item)) throw invalidParameter(`${path}: must be a standard event object`);
    const integration = integrationFor(config, item, path);
    const { integration_id: _id, integration_key: _key, ...raw } = item;
    let event: NormalisedEvent;
    try {
      event = normaliseStandardEvent(raw, {
        integrationId: integration.id,
        integrationName: integration.name,
        integrationType: 'standard',
        receivedAt: now,
      });
    } catch (error) {
      if (error instanceof AppError) throw invalidParameter(`${path}.${error.message}`);
      throw error;
    }
    return { event: stamp(event, integration, now), source: 'events' };
  });
}

function storedAsNormalised(row: Selectable<EventsTable>): NormalisedEvent {
  return {
    title: row.title,
    title_rule: row.title_rule,
    event_status: row.event_status,
    alert_key: row.alert_key,
    alert_key_derived: false,
    ...(row.description !== null && { description: row.description }),
    labels: JSON.parse(row.labels) as Record<string, string>,
    ...(row.images !== null && { images: JSON.parse(row.images) as AlertImage[] }),
    event_time: row.event_time,
  };
}

/**
 * The channel's last `count` stored events, oldest first, to replay as if they arrived again: their spacing in
 * time is kept and the newest lands at `now`, so windows, flapping and silences see realistic times.
 */
export async function lastEventInputs(
  events: EventsRepo,
  channelId: string,
  count: number,
  now: number,
  stamp: ReturnType<typeof eventStamper>,
): Promise<DryRunInput[]> {
  const rows = await events.lastEventsOfChannel(channelId, count);
  const newest = rows.length > 0 ? rows[rows.length - 1].received_at : now;
  return rows.map((row) => ({
    event: stamp(
      storedAsNormalised(row),
      { id: row.integration_id, adapter: row.integration_type },
      now - (newest - row.received_at),
    ),
    source: 'last',
    replayedEventId: row.event_id,
  }));
}
