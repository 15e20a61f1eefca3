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
  /** When it ends or was expired (ms); null for a weekly schedule without end. */
  expires_at: number | null;
  comment: string | null;
  /** When it starts (ms). */
  starts_at: number | null;
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

/** Adds a silence or replaces the rule, window and comment of the one with that id (quick silence of the same alert). */
export async function upsertSilence(db: Kysely<Database>, silence: StoredSilence): Promise<void> {
  const row = toRow(silence);
  await db
    .insertInto('silences')
    .values(row)
    .onConflict((oc) =>
      oc.columns(['channel_id', 'id']).doUpdateSet({
        rule: row.rule,
        expires_at: row.expires_at,
        starts_at: row.starts_at,
        comment: row.comment,
      }),
    )
    .execute();
}

/** Replaces a silence's rule, window and comment; false when there is none. */
export async function updateSilence(
  db: Kysely<Database>,
  channelId: string,
  id: string,
  changes: Pick<StoredSilence, 'rule' | 'expires_at' | 'starts_at' | 'comment'>,
): Promise<boolean> {
  const result = await db
    .updateTable('silences')
    .set({ ...changes, rule: JSON.stringify(changes.rule) })
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
  | {
      alert_id: string;
      channel_id: string;
      integration_id: string;
      title: string;
      alert_severity: string;
      labels: Record<string, string>;
    }
  | undefined
> {
  const row = await db
    .selectFrom('alerts')
    .select(['alert_id', 'channel_id', 'integration_id', 'title', 'alert_severity', 'labels'])
    .where('alert_id', '=', alertId)
    .executeTakeFirst();
  return row && { ...row, labels: JSON.parse(row.labels) as Record<string, string> };
}

/** Ends a silence at `now` (kept as history); false when there is none or it had already ended. */
export async function expireSilence(
  db: Kysely<Database>,
  channelId: string,
  id: string,
  now: number,
): Promise<boolean> {
  const result = await db
    .updateTable('silences')
    .set({ expires_at: now })
    .where('channel_id', '=', channelId)
    .where('id', '=', id)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Deletes silences that ended before `before` (history past its retention); how many. */
export async function deleteSilencesEndedBefore(db: Kysely<Database>, before: number): Promise<number> {
  const result = await db.deleteFrom('silences').where('expires_at', '<=', before).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** An open alert as a quick silence preview shows it and matches it. */
export interface OpenAlertSubject {
  alert_id: string;
  alert_key: string;
  integration_id: string;
  title: string;
  description: string | null;
  alert_severity: string;
  labels: Record<string, string>;
}

/** The open alerts of a channel, newest first, at most `limit`: what a silence preview matches against. */
export async function openAlertsOfChannel(
  db: Kysely<Database>,
  channelId: string,
  limit: number,
): Promise<OpenAlertSubject[]> {
  const rows = await db
    .selectFrom('alerts')
    .select(['alert_id', 'alert_key', 'integration_id', 'title', 'description', 'alert_severity', 'labels'])
    .where('channel_id', '=', channelId)
    .where('is_open', '=', 1)
    .orderBy('last_time', 'desc')
    .limit(limit)
    .execute();
  return rows.map((row) => ({ ...row, labels: JSON.parse(row.labels) as Record<string, string> }));
}
