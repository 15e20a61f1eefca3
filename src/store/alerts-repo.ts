import type { Kysely, Selectable } from 'kysely';
import type { Dialect } from './migrations.js';
import type { AlertsTable, Database } from './tables.js';

export type AlertRow = Selectable<AlertsTable>;

/** Identity of an alert while it is open. */
export interface AlertIdentity {
  integration_id: string;
  channel_id: string;
  alert_key: string;
}

/**
 * Records `eventId` as the latest event of a key, unless a later one was already applied (then the event is late).
 * On PostgreSQL the key's row stays locked until commit: events of one alert apply one at a time across workers.
 */
export async function claimAlertKey(trx: Kysely<Database>, dialect: Dialect, key: AlertIdentity, eventId: string): Promise<{ late: boolean; previousEventId?: string }> {
  const inserted = await trx
    .insertInto('alert_keys')
    .values({ ...key, last_event_id: eventId })
    .onConflict((oc) => oc.columns(['integration_id', 'channel_id', 'alert_key']).doNothing())
    .executeTakeFirst();
  if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1) return { late: false };
  const row = await trx
    .selectFrom('alert_keys')
    .select('last_event_id')
    .where('integration_id', '=', key.integration_id)
    .where('channel_id', '=', key.channel_id)
    .where('alert_key', '=', key.alert_key)
    .$if(dialect === 'postgres', (qb) => qb.forUpdate())
    .executeTakeFirstOrThrow();
  if (eventId < row.last_event_id) return { late: true, previousEventId: row.last_event_id };
  await trx
    .updateTable('alert_keys')
    .set({ last_event_id: eventId })
    .where('integration_id', '=', key.integration_id)
    .where('channel_id', '=', key.channel_id)
    .where('alert_key', '=', key.alert_key)
    .execute();
  return { late: false, previousEventId: row.last_event_id };
}

export async function findOpenAlert(trx: Kysely<Database>, key: AlertIdentity): Promise<AlertRow | undefined> {
  return trx
    .selectFrom('alerts')
    .selectAll()
    .where('integration_id', '=', key.integration_id)
    .where('channel_id', '=', key.channel_id)
    .where('alert_key', '=', key.alert_key)
    .where('is_open', '=', 1)
    .executeTakeFirst();
}

export async function insertAlert(trx: Kysely<Database>, row: AlertRow): Promise<void> {
  await trx.insertInto('alerts').values(row).execute();
}

export async function updateAlert(trx: Kysely<Database>, alertId: string, changes: Partial<AlertRow>): Promise<void> {
  await trx.updateTable('alerts').set(changes).where('alert_id', '=', alertId).execute();
}

/** Closes every open alert of an incident (the incident was closed by hand). */
export async function closeAlertsOfIncident(trx: Kysely<Database>, incidentId: string, now: number): Promise<number> {
  const result = await trx
    .updateTable('alerts')
    .set({ is_open: null, close_time: now, updated_at: now })
    .where('incident_id', '=', incidentId)
    .where('is_open', '=', 1)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
