import type { Kysely, Selectable } from 'kysely';
import { insertRows } from './cached-query.js';
import type { Dialect } from './dialect.js';
import type { Database, EventsTable } from './tables.js';

const eventColumns: ReadonlyArray<keyof EventsTable> = [
  'event_id', 'request_id', 'integration_id', 'integration_type', 'channel_id', 'alert_key', 'alert_id', 'incident_id', 'event_status', 'title',
  'title_rule', 'description', 'labels', 'images', 'event_time', 'received_at', 'seq', 'processed_at', 'outcome', 'trace',
];

/** Which of these events the store already holds. */
export async function storedEventIds(trx: Kysely<Database>, eventIds: readonly string[]): Promise<Set<string>> {
  const stored = new Set<string>();
  for (let i = 0; i < eventIds.length; i += 500) {
    const rows = await trx.selectFrom('events').select('event_id').where('event_id', 'in', eventIds.slice(i, i + 500)).execute();
    for (const row of rows) stored.add(row.event_id);
  }
  return stored;
}

/** Stores applied events, 100 rows a statement. */
export async function insertEvents(trx: Kysely<Database>, dialect: Dialect, rows: readonly EventsTable[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 100) await insertRows(trx, dialect, 'events', rows.slice(i, i + 100) as unknown as Array<Record<string, unknown>>, eventColumns);
}

/** A channel's last `count` events, oldest first. */
export async function lastEventsOfChannel(db: Kysely<Database>, channelId: string, count: number): Promise<Array<Selectable<EventsTable>>> {
  return (await db.selectFrom('events').selectAll().where('channel_id', '=', channelId).orderBy('event_id', 'desc').limit(count).execute()).reverse();
}

/** The incidents, not closed, that these events were placed into. */
export async function openIncidentsOfEvents(db: Kysely<Database>, eventIds: readonly string[]): Promise<Array<{ incident_id: string; channel_id: string; start_time: number; last_time: number }>> {
  const found: Array<{ incident_id: string; channel_id: string; start_time: number; last_time: number }> = [];
  for (let i = 0; i < eventIds.length; i += 500) {
    const rows = await db
      .selectFrom('events')
      .innerJoin('incidents', 'incidents.incident_id', 'events.incident_id')
      .select(['incidents.incident_id', 'incidents.channel_id', 'incidents.start_time', 'incidents.last_time'])
      .where('events.event_id', 'in', eventIds.slice(i, i + 500))
      .where('incidents.progress', '<>', 'Closed')
      .execute();
    found.push(...rows);
  }
  return found;
}
