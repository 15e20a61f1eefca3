import type { Kysely } from 'kysely';
import { newId } from '../events/ids.js';
import type { StoreDatabase } from './database.js';

/** Row of `rejected_payloads` (migration 0002): an adapter payload that could not be mapped. */
export interface RejectedPayloadsTable {
  id: string;
  integration_id: string;
  adapter: string;
  request_id: string;
  error_code: string;
  error_message: string;
  method: string;
  /** JSON object of lower-cased headers, credentials removed. */
  headers: string;
  /** JSON object of query parameters, integration_key removed. */
  query: string;
  content_type: string | null;
  /** The body as received (UTF-8 text). */
  body: string;
  received_at: number;
  /** When a replay put its events in the queue; NULL until one succeeds. */
  replayed_at: number | null;
  /** JSON outcome of the last replay attempt. */
  replay_result: string | null;
  /** Bytes the row holds (body, headers and query): what the per-integration byte cap counts (migration 0010). */
  stored_bytes: number;
}

/** A rejected payload as the API shows it. */
export interface RejectedPayload {
  id: string;
  integration_id: string;
  adapter: string;
  request_id: string;
  error: { code: string; message: string };
  method: string;
  headers: Record<string, string>;
  query: Record<string, string>;
  content_type: string | null;
  body: string;
  received_at: number;
  replayed_at: number | null;
  replay_result: unknown;
}

/** What the gateway records when it rejects a payload. */
export type NewRejectedPayload = Omit<RejectedPayload, 'id' | 'replayed_at' | 'replay_result'>;

type PayloadDb = Kysely<{ rejected_payloads: RejectedPayloadsTable }>;
const payloadDb = (store: StoreDatabase): PayloadDb =>
  store.db.withTables<{ rejected_payloads: RejectedPayloadsTable }>() as unknown as PayloadDb;

function toView(row: RejectedPayloadsTable): RejectedPayload {
  return {
    id: row.id,
    integration_id: row.integration_id,
    adapter: row.adapter,
    request_id: row.request_id,
    error: { code: row.error_code, message: row.error_message },
    method: row.method,
    headers: JSON.parse(row.headers) as Record<string, string>,
    query: JSON.parse(row.query) as Record<string, string>,
    content_type: row.content_type,
    body: row.body,
    received_at: Number(row.received_at),
    replayed_at: row.replayed_at === null ? null : Number(row.replayed_at),
    replay_result: row.replay_result === null ? null : (JSON.parse(row.replay_result) as unknown),
  };
}

/** Stores a rejected payload; returns its id (time-ordered). */
export async function insertRejectedPayload(store: StoreDatabase, payload: NewRejectedPayload): Promise<string> {
  const id = newId();
  const headers = JSON.stringify(payload.headers);
  const query = JSON.stringify(payload.query);
  await payloadDb(store)
    .insertInto('rejected_payloads')
    .values({
      id,
      integration_id: payload.integration_id,
      adapter: payload.adapter,
      request_id: payload.request_id,
      error_code: payload.error.code,
      error_message: payload.error.message,
      method: payload.method,
      headers,
      query,
      content_type: payload.content_type,
      body: payload.body,
      received_at: payload.received_at,
      replayed_at: null,
      replay_result: null,
      stored_bytes: Buffer.byteLength(payload.body) + Buffer.byteLength(headers) + Buffer.byteLength(query),
    })
    .execute();
  return id;
}

/** Filter and page of {@link listRejectedPayloads}. */
export interface RejectedPayloadQuery {
  integrationId: string;
  /** Only those no replay has accepted yet. */
  pendingOnly?: boolean;
  /** Newest first; continue below this id. */
  before?: string;
  limit: number;
}

/** Rejected payloads of an integration, newest first, with the cursor of the next page. */
export async function listRejectedPayloads(
  store: StoreDatabase,
  query: RejectedPayloadQuery,
): Promise<{ items: RejectedPayload[]; next_cursor: string | null }> {
  let select = payloadDb(store)
    .selectFrom('rejected_payloads')
    .selectAll()
    .where('integration_id', '=', query.integrationId);
  if (query.pendingOnly) select = select.where('replayed_at', 'is', null);
  if (query.before) select = select.where('id', '<', query.before);
  const rows = await select
    .orderBy('id', 'desc')
    .limit(query.limit + 1)
    .execute();
  const items = rows.slice(0, query.limit).map(toView);
  return { items, next_cursor: rows.length > query.limit ? items[items.length - 1].id : null };
}

/** Pending (never successfully replayed) payloads of an integration, oldest first: the order they arrived in. */
export async function pendingRejectedPayloads(
  store: StoreDatabase,
  integrationId: string,
  limit: number,
): Promise<RejectedPayload[]> {
  const rows = await payloadDb(store)
    .selectFrom('rejected_payloads')
    .selectAll()
    .where('integration_id', '=', integrationId)
    .where('replayed_at', 'is', null)
    .orderBy('id', 'asc')
    .limit(limit)
    .execute();
  return rows.map(toView);
}

/** One rejected payload of an integration. */
export async function getRejectedPayload(
  store: StoreDatabase,
  integrationId: string,
  id: string,
): Promise<RejectedPayload | undefined> {
  const row = await payloadDb(store)
    .selectFrom('rejected_payloads')
    .selectAll()
    .where('integration_id', '=', integrationId)
    .where('id', '=', id)
    .executeTakeFirst();
  return row && toView(row);
}

/** Records a replay attempt; `replayedAt` only when its events were queued. */
export async function recordReplay(
  store: StoreDatabase,
  id: string,
  replayedAt: number | null,
  result: unknown,
): Promise<void> {
  await payloadDb(store)
    .updateTable('rejected_payloads')
    .set({ replay_result: JSON.stringify(result), ...(replayedAt !== null && { replayed_at: replayedAt }) })
    .where('id', '=', id)
    .execute();
}

/** What {@link trimRejectedPayloads} removed, and which cap removed it. */
export interface TrimmedPayloads {
  removed: number;
  cap: 'count' | 'bytes';
}

/**
 * Keeps an integration's rejected payloads within its caps: at most `cap.count` rows and `cap.bytes` stored bytes,
 * the newest kept, the oldest removed. Reads at most `cap.count + 1` (id, size) pairs through the integration's index,
 * so it stays cheap however fast payloads are rejected; any number of gateways may run it at once.
 */
export async function trimRejectedPayloads(
  store: StoreDatabase,
  integrationId: string,
  cap: { count: number; bytes: number },
): Promise<TrimmedPayloads> {
  const db = payloadDb(store);
  const newest = await db
    .selectFrom('rejected_payloads')
    .select(['id', 'stored_bytes'])
    .where('integration_id', '=', integrationId)
    .orderBy('id', 'desc')
    .limit(cap.count + 1)
    .execute();
  let kept = 0;
  let bytes = 0;
  let overBytes = false;
  for (const row of newest) {
    bytes += Number(row.stored_bytes);
    // The newest payload stays even when it alone is over the byte cap: the last rejection is always there to see.
    if (kept > 0 && bytes > cap.bytes) {
      overBytes = true;
      break;
    }
    if (kept === cap.count) break;
    kept += 1;
  }
  if (kept === newest.length) return { removed: 0, cap: 'count' };
  const removed = await db
    .deleteFrom('rejected_payloads')
    .where('integration_id', '=', integrationId)
    .where('id', '<', newest[kept - 1].id)
    .executeTakeFirst();
  return { removed: Number(removed.numDeletedRows), cap: overBytes ? 'bytes' : 'count' };
}
