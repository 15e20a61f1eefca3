import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database, HeartbeatsTable } from './tables.js';

export type HeartbeatRow = Selectable<HeartbeatsTable>;

/** The heartbeat's state, created (checks begin `now`) the first time it is asked for. */
export async function ensureHeartbeat(db: Kysely<Database>, heartbeatId: string, now: number): Promise<HeartbeatRow> {
  await db
    .insertInto('heartbeats')
    .values({ heartbeat_id: heartbeatId, since: now, last_ping_at: null, last_missed_at: null, missed_cnt: 0 })
    .onConflict((oc) => oc.column('heartbeat_id').doNothing())
    .execute();
  return db.selectFrom('heartbeats').selectAll().where('heartbeat_id', '=', heartbeatId).executeTakeFirstOrThrow();
}

/** The heartbeat's state; undefined when no worker has checked it yet. */
export function heartbeatState(db: Kysely<Database>, heartbeatId: string): Promise<HeartbeatRow | undefined> {
  return db.selectFrom('heartbeats').selectAll().where('heartbeat_id', '=', heartbeatId).executeTakeFirst();
}

/** Records a ping at `at`; false when a later one is already recorded (an older ping changes nothing). */
export async function recordPing(db: Kysely<Database>, heartbeatId: string, at: number): Promise<boolean> {
  const result = await db
    .updateTable('heartbeats')
    .set({ last_ping_at: at })
    .where('heartbeat_id', '=', heartbeatId)
    .where((eb) => eb.or([eb('last_ping_at', 'is', null), eb('last_ping_at', '<', at)]))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Records the miss of the period ending at `dueAt` once: false when it (or a later one) is recorded already. */
export async function recordMiss(db: Kysely<Database>, heartbeatId: string, dueAt: number): Promise<boolean> {
  const result = await db
    .updateTable('heartbeats')
    .set({ last_missed_at: dueAt, missed_cnt: sql<number>`missed_cnt + 1` })
    .where('heartbeat_id', '=', heartbeatId)
    .where((eb) => eb.or([eb('last_missed_at', 'is', null), eb('last_missed_at', '<', dueAt)]))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Every heartbeat's state by id. */
export async function heartbeatStates(db: Kysely<Database>): Promise<Map<string, HeartbeatRow>> {
  const rows = await db.selectFrom('heartbeats').selectAll().execute();
  return new Map(rows.map((row) => [row.heartbeat_id, row]));
}
