import type { Kysely, Selectable } from 'kysely';
import type { SilenceRule } from '../rules/types.js';
import type { Database, SilencesTable } from './tables.js';

/** A silence made through the API, its rule parsed. */
export interface StoredSilence {
  channel_id: string;
  id: string;
  rule: SilenceRule;
  created_at: number;
  created_by: string | null;
  /** Quick silences only: when the row may be deleted. */
  expires_at: number | null;
}

function toStored(row: Selectable<SilencesTable>): StoredSilence {
  return { ...row, rule: JSON.parse(row.rule) as SilenceRule };
}

function toRow(silence: StoredSilence): SilencesTable {
  return { ...silence, rule: JSON.stringify(silence.rule) };
}

/** The API silences of a channel, oldest first. */
export async function listSilences(db: Kysely<Database>, channelId: string): Promise<StoredSilence[]> {
  const rows = await db
    .selectFrom('silences')
    .selectAll()
    .where('channel_id', '=', channelId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map(toStored);
}

/** Every API silence not yet expired at `now`, all channels: what the worker applies. */
export async function liveSilences(db: Kysely<Database>, now: number): Promise<StoredSilence[]> {
  const rows = await db
    .selectFrom('silences')
    .selectAll()
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
    .orderBy('channel_id')
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map(toStored);
}

/** One API silence; undefined when there is none. */
export async function getSilence(
  db: Kysely<Database>,
  channelId: string,
  id: string,
): Promise<StoredSilence | undefined> {
  const row = await db
    .selectFrom('silences')
    .selectAll()
    .where('channel_id', '=', channelId)
    .where('id', '=', id)
    .executeTakeFirst();
  return row && toStored(row);
}

/** Adds a silence; false when the channel already has one with that id. */
export async function insertSilence(db: Kysely<Database>, silence: StoredSilence): Promise<boolean> {
  const result = await db
    .insertInto('silences')
    .values(toRow(silence))
    .onConflict((oc) => oc.columns(['channel_id', 'id']).doNothing())
    .executeTakeFirst();
  const inserted = Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  return inserted;
}

/** Adds a silence or replaces the rule and expiry of the one with that id (quick silence of the same alert). */
export async function upsertSilence(db: Kysely<Database>, silence: StoredSilence): Promise<void> {
  const row = toRow(silence);
  await db
    .insertInto('silences')
    .values(row)
    .onConflict((oc) => oc.columns(['channel_id', 'id']).doUpdateSet({ rule: row.rule, expires_at: row.expires_at }))
    .execute();
}

/** Replaces a silence's rule and expiry; false when there is none. */
export async function updateSilence(
  db: Kysely<Database>,
  channelId: string,
  id: string,
  changes: Pick<StoredSilence, 'rule' | 'expires_at'>,
): Promise<boolean> {
  const result = await db
    .updateTable('silences')
    .set({ rule: JSON.stringify(changes.rule), expires_at: changes.expires_at })
    .where('channel_id', '=', channelId)
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Deletes a silence; false when there was none. */
export async function deleteSilence(db: Kysely<Database>, channelId: string, id: string): Promise<boolean> {
  const result = await db
    .deleteFrom('silences')
    .where('channel_id', '=', channelId)
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** What a quick silence is made from: the alert's channel, severity and labels; undefined when there is no such alert. */
export async function alertToSilence(
  db: Kysely<Database>,
  alertId: string,
): Promise<
  { alert_id: string; channel_id: string; alert_severity: string; labels: Record<string, string> } | undefined
> {
  const row = await db
    .selectFrom('alerts')
    .select(['alert_id', 'channel_id', 'alert_severity', 'labels'])
    .where('alert_id', '=', alertId)
    .executeTakeFirst();
  return row && { ...row, labels: JSON.parse(row.labels) as Record<string, string> };
}

/** Deletes quick silences whose window has ended (lazily, when silences are read or made through the API). */
export async function deleteExpiredSilences(db: Kysely<Database>, now: number): Promise<number> {
  const result = await db.deleteFrom('silences').where('expires_at', '<=', now).executeTakeFirst();
  const deleted = Number(result.numDeletedRows);
  return deleted;
}
