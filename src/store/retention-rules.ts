import { sql, type Kysely } from 'kysely';
import type { RetentionSettings } from '../config/types.js';
import { firstIdAt } from '../events/ids.js';
import type { StoreDatabase } from './database.js';
import type { Dialect } from './dialect.js';
import type { Database } from './tables.js';
import { inTransaction } from './transaction.js';

/** Rows removed, by table. */
export type RemovedRows = Record<string, number>;

/**
 * One batch of a rule: what it removed, where the next batch starts (`undefined`: nothing older is left), and
 * whether it found as many rows as it could take (only then does its duration tell how fast rows go).
 */
interface BatchOutcome {
  removed: RemovedRows;
  next: string | undefined;
  filled: boolean;
}

/**
 * One kind of data with an age limit. `sweep` removes at most one small batch of rows older than `cutoff`, starting
 * after `after` (the previous batch's `next`), in short statements or a transaction on the store it is given, whose
 * `db` is one connection held for the batch; the worker's transactions go in between batches.
 */
export interface RetentionRule {
  /** Name in logs; `retention.<setting>` in alertgate.yaml. */
  name: string;
  ageMs(settings: RetentionSettings): number | null;
  sweep(store: StoreDatabase, cutoff: number, after: string | undefined, batchSize: number): Promise<BatchOutcome>;
}

type RejectedDb = Kysely<{ rejected_payloads: { id: string; received_at: number } }>;

/**
 * An event is removable once neither its alert nor any incident it belongs to is open: the events and traces of
 * what an on-call engineer may still be looking at are kept, whatever their age. Said so that each event's own alert
 * and incident are looked up by key, whatever the size of those tables: an event of no alert (dropped) needs no
 * lookup (`is null or`), and on PostgreSQL `offset 0` keeps each subquery a lookup per event. As plain `not exists`
 * PostgreSQL plans an anti-join or a hashed subplan that reads the whole incidents table for every batch: 17 to 34
 * ms for 500 events with 60,000 incidents, against 8 to 11 ms (1 ms for events of no alert) this way.
 */
function eventIsSettled(dialect: Dialect) {
  const lookup = dialect === 'postgres' ? sql` offset 0` : sql``;
  return sql`(events.alert_id is null or not exists (
      select 1 from alerts a
      where a.alert_id = events.alert_id
        and (a.is_open = 1 or exists (
          select 1 from incidents i where i.incident_id = a.incident_id and i.progress <> 'Closed'${lookup}))${lookup}
    ))
    and (events.incident_id is null or not exists (
      select 1 from incidents i where i.incident_id = events.incident_id and i.progress <> 'Closed'${lookup}
    ))`;
}

/**
 * Events received before the cutoff, walked in id order (ids are time-ordered, so no time index is needed). A batch
 * is a range of the primary key: its last id is read from the index alone, then one delete walks the range, which
 * is cheaper than looking up each id of a list (and on PostgreSQL keeps one plan whatever the batch size).
 */
const events: RetentionRule = {
  name: 'events',
  ageMs: (settings) => settings.eventsMs,
  async sweep(store, cutoff, after, batchSize): Promise<BatchOutcome> {
    const from = after ?? '';
    const batch = store.db
      .selectFrom('events')
      .select('event_id')
      .where('event_id', '<', firstIdAt(cutoff))
      .where('event_id', '>', from)
      .orderBy('event_id')
      .limit(batchSize);
    const bound = await store.db
      .selectFrom(batch.as('batch'))
      .select((eb) => [eb.fn.max('batch.event_id').as('last'), eb.fn.countAll<number>().as('looked')])
      .executeTakeFirst();
    const last = bound?.last ?? undefined;
    if (last === undefined || last === null) return { removed: {}, next: undefined, filled: false };
    const result = await sql`delete from events
      where event_id > ${from} and event_id <= ${last} and ${eventIsSettled(store.dialect)}`.execute(store.db);
    return {
      removed: { events: Number(result.numAffectedRows ?? 0) },
      next: last,
      filled: Number(bound?.looked) === batchSize,
    };
  },
};

/** Removes incidents (already closed, re-checked under the transaction's locks) with their alerts, timeline and events. */
async function removeIncidents(trx: Kysely<Database>, ids: string[]): Promise<RemovedRows> {
  const gone = (
    await trx
      .deleteFrom('incidents')
      .where('incident_id', 'in', ids)
      .where('progress', '=', 'Closed')
      .returning('incident_id')
      .execute()
  ).map((row) => row.incident_id);
  if (gone.length === 0) return { incidents: 0 };
  const alertsOf = trx.selectFrom('alerts').select('alert_id').where('incident_id', 'in', gone);
  const removedEvents = await trx
    .deleteFrom('events')
    .where((eb) => eb.or([eb('incident_id', 'in', gone), eb('alert_id', 'in', alertsOf)]))
    .executeTakeFirst();
  const removedTimeline = await trx.deleteFrom('incident_timeline').where('incident_id', 'in', gone).executeTakeFirst();
  const removedAlerts = await trx.deleteFrom('alerts').where('incident_id', 'in', gone).executeTakeFirst();
  return {
    incidents: gone.length,
    alerts: Number(removedAlerts.numDeletedRows),
    incident_timeline: Number(removedTimeline.numDeletedRows),
    events: Number(removedEvents.numDeletedRows),
  };
}

/** Incidents closed before the cutoff, a few at a time (one may hold thousands of alerts and their events). */
const closedIncidents: RetentionRule = {
  name: 'closed_incidents',
  ageMs: (settings) => settings.closedIncidentsMs,
  async sweep(store, cutoff, _after, batchSize): Promise<BatchOutcome> {
    const limit = Math.max(1, Math.floor(batchSize / 25));
    const ids = (
      await store.db
        .selectFrom('incidents')
        .select('incident_id')
        .where('progress', '=', 'Closed')
        .where('close_time', '<', cutoff)
        .limit(limit)
        .execute()
    ).map((row) => row.incident_id);
    if (ids.length === 0) return { removed: {}, next: undefined, filled: false };
    const removed = await inTransaction(store, (trx) => removeIncidents(trx, ids));
    // Removed rows never come back: the next batch starts from the beginning again.
    return { removed, next: '', filled: ids.length === limit };
  },
};

/** Alerts closed before the cutoff that never had an incident (muted: silenced, inhibited, flapping). */
const closedLoneAlerts: RetentionRule = {
  name: 'closed_incidents',
  ageMs: (settings) => settings.closedIncidentsMs,
  async sweep(store, cutoff, after, batchSize): Promise<BatchOutcome> {
    let select = store.db
      .selectFrom('alerts')
      .select(['alert_id', 'close_time'])
      .where('close_time', '<', cutoff)
      .where('incident_id', 'is', null)
      .where('is_open', 'is', null)
      .orderBy('close_time')
      .orderBy('alert_id')
      .limit(batchSize);
    if (after !== undefined) {
      const [time, id] = after.split('/');
      select = select.where((eb) =>
        eb.or([
          eb('close_time', '>', Number(time)),
          eb.and([eb('close_time', '=', Number(time)), eb('alert_id', '>', id)]),
        ]),
      );
    }
    const rows = await select.execute();
    if (rows.length === 0) return { removed: {}, next: undefined, filled: false };
    const ids = rows.map((row) => row.alert_id);
    const removed = await inTransaction(store, async (trx) => {
      const alerts = await trx
        .deleteFrom('alerts')
        .where('alert_id', 'in', ids)
        .where('is_open', 'is', null)
        .where('incident_id', 'is', null)
        .returning('alert_id')
        .execute();
      const gone = alerts.map((row) => row.alert_id);
      const removedEvents =
        gone.length === 0
          ? 0
          : (await trx.deleteFrom('events').where('alert_id', 'in', gone).executeTakeFirst()).numDeletedRows;
      return { alerts: gone.length, events: Number(removedEvents) };
    });
    const last = rows[rows.length - 1];
    return { removed, next: `${last.close_time ?? 0}/${last.alert_id}`, filled: rows.length === batchSize };
  },
};

/** Rejected adapter payloads received before the cutoff. */
const rejectedPayloads: RetentionRule = {
  name: 'rejected_payloads',
  ageMs: (settings) => settings.rejectedPayloadsMs,
  async sweep(store, cutoff, _after, batchSize): Promise<BatchOutcome> {
    const db = store.db.withTables<{
      rejected_payloads: { id: string; received_at: number };
    }>() as unknown as RejectedDb;
    const ids = (
      await db.selectFrom('rejected_payloads').select('id').where('received_at', '<', cutoff).limit(batchSize).execute()
    ).map((row) => row.id);
    if (ids.length === 0) return { removed: {}, next: undefined, filled: false };
    const result = await db.deleteFrom('rejected_payloads').where('id', 'in', ids).executeTakeFirst();
    return {
      removed: { rejected_payloads: Number(result.numDeletedRows) },
      next: '',
      filled: ids.length === batchSize,
    };
  },
};

/**
 * Outbound deliveries created before the cutoff that are finished (delivered, dead or skipped), with their attempts,
 * and the bodies of their changes once no delivery names them. A pending one stays whatever its age: it is still being
 * sent. (A change relayed again later brings its body along: relaying keeps it if missing.)
 */
const deliveries: RetentionRule = {
  name: 'deliveries',
  ageMs: (settings) => settings.deliveriesMs,
  async sweep(store, cutoff, _after, batchSize): Promise<BatchOutcome> {
    const finished = await store.db
      .selectFrom('deliveries')
      .select(['delivery_id', 'change_id'])
      .where('created_at', '<', cutoff)
      .where('status', '<>', 'pending')
      .limit(batchSize)
      .execute();
    if (finished.length === 0) return { removed: {}, next: undefined, filled: false };
    const ids = finished.map((row) => row.delivery_id);
    const changeIds = [...new Set(finished.map((row) => row.change_id))];
    const removed = await inTransaction(store, async (trx) => {
      const attempts = await trx.deleteFrom('delivery_attempts').where('delivery_id', 'in', ids).executeTakeFirst();
      const rows = await trx
        .deleteFrom('deliveries')
        .where('delivery_id', 'in', ids)
        .where('status', '<>', 'pending')
        .executeTakeFirst();
      const bodies = await trx
        .deleteFrom('change_bodies')
        .where('change_id', 'in', changeIds)
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('deliveries')
                .select('deliveries.seq')
                .whereRef('deliveries.change_id', '=', 'change_bodies.change_id'),
            ),
          ),
        )
        .executeTakeFirst();
      return {
        deliveries: Number(rows.numDeletedRows),
        delivery_attempts: Number(attempts.numDeletedRows),
        change_bodies: Number(bodies.numDeletedRows),
      };
    });
    return { removed, next: '', filled: ids.length === batchSize };
  },
};

/**
 * What retention removes, in order: closed incidents first (they take their events along), then the events left
 * over, then muted alerts, then rejected payloads, then finished deliveries. A new kind of data with an age is one
 * more entry here, with its setting in `retention:` (schemas/config.schema.json) and {@link RetentionSettings}.
 */
export const retentionRules: readonly RetentionRule[] = [
  closedIncidents,
  events,
  closedLoneAlerts,
  rejectedPayloads,
  deliveries,
];
