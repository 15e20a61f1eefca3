import type { Kysely, Selectable } from 'kysely';
import { insertRows } from './cached-query.js';
import { bulkInsert, bulkSelect } from './bulk-rows.js';
import type { Dialect } from './dialect.js';
import type { Database, EventsTable } from './tables.js';

const eventColumns: ReadonlyArray<keyof EventsTable> = [
  'event_id',
  'request_id',
  'integration_id',
  'integration_type',
  'channel_id',
  'alert_key',
  'alert_id',
  'incident_id',
  'event_status',
  'title',
  'title_rule',
  'description',
  'labels',
  'images',
  'event_time',
  'received_at',
  'seq',
  'processed_at',
  'outcome',
  'trace',
];

/** Stored events, bound to one transaction (or the database) and its dialect. */
export class EventsRepo {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
  ) {}

  /** Which of these events the store already holds. */
  async storedEventIds(eventIds: readonly string[]): Promise<Set<string>> {
    const stored = new Set<string>();
    if (this.dialect === 'postgres') {
      // One lookup per id, whatever the planner knows of the table (an IN list may become a scan of a new table).
      const keys = eventIds.map((event_id) => ({ event_id }));
      for (const row of await bulkSelect<{ event_id: string }>(this.db, 'events', ['event_id'], keys, {
        columns: ['event_id'],
      }))
        stored.add(row.event_id);
      return stored;
    }
    for (let i = 0; i < eventIds.length; i += 500) {
      const rows = await this.db
        .selectFrom('events')
        .select('event_id')
        .where('event_id', 'in', eventIds.slice(i, i + 500))
        .execute();
      for (const row of rows) stored.add(row.event_id);
    }
    return stored;
  }

  /** Stores applied events: on PostgreSQL in one statement, on SQLite 100 rows a statement. */
  async insertEvents(rows: readonly EventsTable[]): Promise<void> {
    if (this.dialect === 'postgres') {
      await bulkInsert(this.db, 'events', rows, eventColumns);
      return;
    }
    for (let i = 0; i < rows.length; i += 100)
      await insertRows(
        this.db,
        this.dialect,
        'events',
        rows.slice(i, i + 100) as unknown as Array<Record<string, unknown>>,
        eventColumns,
      );
  }

  /** A channel's last `count` events, oldest first. */
  async lastEventsOfChannel(channelId: string, count: number): Promise<Array<Selectable<EventsTable>>> {
    return (
      await this.db
        .selectFrom('events')
        .selectAll()
        .where('channel_id', '=', channelId)
        .orderBy('event_id', 'desc')
        .limit(count)
        .execute()
    ).reverse();
  }

  /** The incidents, not closed, that these events were placed into. */
  async openIncidentsOfEvents(
    eventIds: readonly string[],
  ): Promise<Array<{ incident_id: string; channel_id: string; created_at: number; last_time: number }>> {
    const found: Array<{ incident_id: string; channel_id: string; created_at: number; last_time: number }> = [];
    for (let i = 0; i < eventIds.length; i += 500) {
      const rows = await this.db
        .selectFrom('events')
        .innerJoin('incidents', 'incidents.incident_id', 'events.incident_id')
        .select(['incidents.incident_id', 'incidents.channel_id', 'incidents.created_at', 'incidents.last_time'])
        .where('events.event_id', 'in', eventIds.slice(i, i + 500))
        .where('incidents.progress', '<>', 'Closed')
        .execute();
      found.push(...rows);
    }
    return found;
  }
}
