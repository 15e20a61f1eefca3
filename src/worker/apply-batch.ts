import { sql } from 'kysely';
import type { QueuedEvent } from '../events/types.js';
import { isStoreUnavailable } from '../store/availability.js';
import type { StoreDatabase } from '../store/database.js';
import { bindRepos } from '../store/repos.js';
import type { EventsTable } from '../store/tables.js';
import { inTransaction } from '../store/transaction.js';
import { applyStagedBatch } from './apply-staged.js';
import {
  addResult,
  emptyResult,
  eventContext,
  eventRow,
  reasonOf,
  recordIntegrationStats,
  undoPoint,
  type BatchResult,
} from './batch-rows.js';
import { processEvent } from './pipeline.js';
import type { WorkerRules } from './stage.js';

export type { BatchResult } from './batch-rows.js';

/** Errors after which the same work may succeed when done again (deadlock, serialization, a lost unique race). */
function isRetryableConflict(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === '40P01' || code === '40001' || code === '23505' || code === 'SQLITE_BUSY';
}

/**
 * Applies events in order, in one transaction per batch (group commit) on both stores. Idempotent on event_id: events
 * already stored are skipped, so a job redelivered after a crash changes nothing. An event that cannot be stored (its
 * data, or a defect it triggers) never takes the others down. On PostgreSQL the batch keeps its rows in memory and
 * writes them together ({@link applyStagedBatch}), falling back to a savepoint per event when that fails; on SQLite,
 * a single writer, the batch runs without, and when it fails it is applied again with a savepoint around each
 * event, so that event alone is rolled back and returned in `failed` while the rest commit together. Should even
 * that fail, each event gets a transaction of its own. An unreachable store fails the whole call, to be retried as
 * it is.
 */
export async function applyBatch(
  store: StoreDatabase,
  rules: WorkerRules,
  events: QueuedEvent[],
  clock: () => number,
  newId: () => string,
): Promise<BatchResult> {
  try {
    if (store.dialect === 'postgres') return await applyStagedBatch(store, rules, events, clock, newId);
    return await applyInOneTransaction(store, rules, events, clock, newId);
  } catch (error) {
    if (isStoreUnavailable(error)) throw error;
    if (events.length === 1) return { ...emptyResult(), failed: [{ event: events[0], reason: reasonOf(error) }] };
  }
  try {
    return await applyWithSavepoints(store, rules, events, clock, newId);
  } catch (error) {
    if (isStoreUnavailable(error)) throw error;
  }
  const result = emptyResult();
  for (const event of events) addResult(result, await applyBatch(store, rules, [event], clock, newId));
  return result;
}

async function applyInOneTransaction(
  store: StoreDatabase,
  rules: WorkerRules,
  events: QueuedEvent[],
  clock: () => number,
  newId: () => string,
): Promise<BatchResult> {
  return inTransaction(store, async (trx) => {
    const repos = bindRepos(trx, store.dialect, { deferWrites: true });
    const stored = await repos.events.storedEventIds(events.map((event) => event.event_id));
    const scope = { trx, dialect: store.dialect, repos, stored, newId };
    const result = emptyResult();
    const rows: EventsTable[] = [];
    for (const event of events) {
      const now = clock();
      const processed = await processEvent(eventContext(scope, result, now), rules, event);
      if (!processed) {
        result.redelivered.push(event);
        continue;
      }
      result.applied.push({ event, processed });
      rows.push(eventRow(processed.event, processed, now));
    }
    await repos.flush();
    await repos.events.insertEvents(rows);
    await recordIntegrationStats(repos, result.applied);
    return result;
  });
}

/** Conflicts with another transaction an event may meet and retry in its savepoint before the batch gives up. */
const savepointRetries = 3;

/**
 * One transaction, each event inside a savepoint with its own event row: an event that fails is rolled back to its
 * savepoint and reported, the others commit together. A conflict with another transaction (deadlock, a grouping key
 * taken meanwhile) rolls the event back and applies it again; conflicts that persist fail the whole call.
 */
async function applyWithSavepoints(
  store: StoreDatabase,
  rules: WorkerRules,
  events: QueuedEvent[],
  clock: () => number,
  newId: () => string,
): Promise<BatchResult> {
  return inTransaction(store, async (trx) => {
    const repos = bindRepos(trx, store.dialect, { deferWrites: true });
    const stored = await repos.events.storedEventIds(events.map((event) => event.event_id));
    const scope = { trx, dialect: store.dialect, repos, stored, newId };
    const result = emptyResult();
    for (const event of events) {
      for (let attempt = 1; ; attempt += 1) {
        const undo = undoPoint(scope, result, event);
        await sql.raw('savepoint event').execute(trx);
        try {
          const now = clock();
          const processed = await processEvent(eventContext(scope, result, now), rules, event);
          await repos.flush();
          if (processed) await repos.events.insertEvents([eventRow(processed.event, processed, now)]);
          await sql.raw('release savepoint event').execute(trx);
          if (processed) result.applied.push({ event, processed });
          else result.redelivered.push(event);
          break;
        } catch (error) {
          if (isStoreUnavailable(error)) throw error;
          await sql.raw('rollback to savepoint event').execute(trx);
          await sql.raw('release savepoint event').execute(trx);
          undo();
          // Each event flushed its writes before: forget the claims of the rolled-back one as well.
          repos.discardDeferred();
          if (isRetryableConflict(error) && attempt < savepointRetries) continue;
          if (isRetryableConflict(error)) throw error;
          result.failed.push({ event, reason: reasonOf(error) });
          break;
        }
      }
    }
    await recordIntegrationStats(repos, result.applied);
    return result;
  });
}
