import { sql, type Kysely } from 'kysely';
import { eventView, type ViewOptions } from './api-views.js';
import type { Dialect } from './dialect.js';
import { containsText } from './read-models.js';
import type { Database } from './tables.js';

/* Searching stored events: "why did this not page me?" — by integration, outcome, key, request, time or title. */

export interface EventFilter {
  integrationIds?: string[];
  channelIds?: string[];
  outcomes?: string[];
  alertKeys?: string[];
  requestIds?: string[];
  alertIds?: string[];
  incidentIds?: string[];
  /** Received at or after (epoch ms). */
  since?: number;
  /** Received before (epoch ms). */
  until?: number;
  /** Text the title contains (case-insensitive). */
  text?: string;
  cursor?: EventCursor;
  limit: number;
}

/** Where a page ends: events sort by the time the gateway received them, then by id. */
export interface EventCursor {
  receivedAt: number;
  eventId: string;
}

/** The opaque `next_cursor` of an events page. */
export const formatEventCursor = (cursor: EventCursor): string => `${cursor.receivedAt}-${cursor.eventId}`;

/** A `next_cursor` read back; undefined when the text is not one. */
export function parseEventCursor(text: string): EventCursor | undefined {
  const match = /^(\d{1,16})-([0-9A-Za-z]{1,32})$/.exec(text);
  return match ? { receivedAt: Number(match[1]), eventId: match[2] } : undefined;
}

/** Newest first (by received time, then id), keyset-paged so that a page costs the same at any depth. */
export async function listEvents(
  db: Kysely<Database>,
  dialect: Dialect,
  filter: EventFilter,
  options: ViewOptions = {},
) {
  const cursor = filter.cursor;
  const rows = await db
    .selectFrom('events')
    .selectAll()
    .$if(filter.integrationIds !== undefined, (qb) => qb.where('integration_id', 'in', filter.integrationIds ?? []))
    .$if(filter.channelIds !== undefined, (qb) => qb.where('channel_id', 'in', filter.channelIds ?? []))
    .$if(filter.outcomes !== undefined, (qb) => qb.where('outcome', 'in', filter.outcomes ?? []))
    .$if(filter.alertKeys !== undefined, (qb) => qb.where('alert_key', 'in', filter.alertKeys ?? []))
    .$if(filter.requestIds !== undefined, (qb) => qb.where('request_id', 'in', filter.requestIds ?? []))
    .$if(filter.alertIds !== undefined, (qb) => qb.where('alert_id', 'in', filter.alertIds ?? []))
    // Through the incidents' alerts, whose events are indexed (events_alert); the event's own incident decides.
    .$if(filter.incidentIds !== undefined, (qb) =>
      qb.where('incident_id', 'in', filter.incidentIds ?? []).where('alert_id', 'in', (sub) =>
        sub
          .selectFrom('alerts')
          .select('alert_id')
          .where('incident_id', 'in', filter.incidentIds ?? []),
      ),
    )
    .$if(filter.since !== undefined, (qb) => qb.where('received_at', '>=', filter.since ?? 0))
    .$if(filter.until !== undefined, (qb) => qb.where('received_at', '<', filter.until ?? 0))
    .$if(filter.text !== undefined, (qb) => qb.where(containsText(dialect, 'title', filter.text ?? '')))
    .$if(cursor !== undefined, (qb) =>
      qb.where(sql<boolean>`(received_at, event_id) < (${cursor?.receivedAt ?? 0}, ${cursor?.eventId ?? ''})`),
    )
    .orderBy('received_at', 'desc')
    .orderBy('event_id', 'desc')
    .limit(filter.limit + 1)
    .execute();
  const page = rows.slice(0, filter.limit);
  const last = page[page.length - 1];
  return {
    items: page.map((row) => eventView(row, options)),
    next_cursor:
      rows.length > filter.limit ? formatEventCursor({ receivedAt: last.received_at, eventId: last.event_id }) : null,
  };
}

export async function getEvent(db: Kysely<Database>, eventId: string, options: ViewOptions = {}) {
  const event = await db.selectFrom('events').selectAll().where('event_id', '=', eventId).executeTakeFirst();
  return event && eventView(event, options);
}
