import { setTimeout as sleep } from 'node:timers/promises';
import { sql, type Kysely } from 'kysely';
import type { QueuedEvent } from '../events/types.js';
import { isStoreUnavailable } from '../store/availability.js';
import type { StoreDatabase } from '../store/database.js';
import { bindRepos } from '../store/repos.js';
import type { Database, EventsTable } from '../store/tables.js';
import { inTransaction } from '../store/transaction.js';
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

/**
 * Another transaction is in the way: a lock not granted in time, a deadlock, a serialization failure, or a grouping
 * key another worker took first. Done again in a fresh transaction, the event succeeds.
 */
export function isConflict(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === '55P03' || code === '40P01' || code === '40001' || code === '23505';
}

/**
 * How long a transaction that already holds locks waits for another one. Waiting longer could close a cycle
 * (two batches each holding what the other needs); giving up instead commits what is done and goes on in a new
 * transaction, which holds nothing while it waits.
 */
const lockTimeout = '50ms';

interface Part {
  result: BatchResult;
  /** Events dealt with (applied, already stored, or failed alone). */
  taken: number;
  /** Set when the next event met another transaction; it starts the next transaction. */
  conflict?: unknown;
}

/**
 * Applies events in one transaction, each in a savepoint, until one meets another transaction. An event that fails
 * for a reason of its own is rolled back to its savepoint and reported, the others stay. Savepoints are released
 * and taken again in the same round trip; timeline entries, key states and event rows are written at the end.
 */
async function applyUntilConflict(
  trx: Kysely<Database>,
  rules: WorkerRules,
  events: QueuedEvent[],
  clock: () => number,
  newId: () => string,
): Promise<Part> {
  const repos = bindRepos(trx, 'postgres', { deferWrites: true });
  const stored = await repos.events.storedEventIds(events.map((event) => event.event_id));
  const scope = { trx, dialect: 'postgres' as const, repos, stored, newId };
  const result = emptyResult();
  const rows: EventsTable[] = [];
  let taken = 0;
  let conflict: unknown;
  await sql.raw('savepoint event').execute(trx);
  for (const event of events) {
    const undo = undoPoint(scope, result, event);
    try {
      const now = clock();
      const processed = await processEvent(eventContext(scope, result, now), rules, event);
      await sql
        .raw(
          taken === 0
            ? `release savepoint event; set local lock_timeout = '${lockTimeout}'; savepoint event`
            : 'release savepoint event; savepoint event',
        )
        .execute(trx);
      if (processed) {
        result.applied.push({ event, processed });
        rows.push(eventRow(processed.event, processed, now));
      } else result.redelivered.push(event);
      taken += 1;
    } catch (error) {
      if (isStoreUnavailable(error)) throw error;
      await sql.raw('rollback to savepoint event').execute(trx);
      undo();
      if (isConflict(error)) {
        conflict = error;
        break;
      }
      result.failed.push({ event, reason: reasonOf(error) });
      taken += 1;
    }
  }
  await sql.raw('release savepoint event').execute(trx);
  await repos.flush();
  await repos.events.insertEvents(rows);
  await recordIntegrationStats(repos, result.applied);
  return { result, taken, conflict };
}

/** Conflicts in a row an event may meet as the first of a fresh transaction before the batch gives up. */
const maxConflicts = 5;

/**
 * PostgreSQL: a lane's batch in as few transactions as contention allows, usually one. Each event has a savepoint,
 * so one bad event costs only itself; when an event meets another transaction, what is done commits and the rest
 * goes on in a new transaction that starts with that event.
 */
export async function applyPostgresBatch(
  store: StoreDatabase,
  rules: WorkerRules,
  events: QueuedEvent[],
  clock: () => number,
  newId: () => string,
): Promise<BatchResult> {
  const result = emptyResult();
  let next = 0;
  let conflicts = 0;
  while (next < events.length) {
    const rest = events.slice(next);
    const part = await inTransaction(store, (trx) => applyUntilConflict(trx, rules, rest, clock, newId));
    addResult(result, part.result);
    next += part.taken;
    if (part.conflict === undefined || part.taken > 0) {
      conflicts = 0;
      continue;
    }
    conflicts += 1;
    if (conflicts >= maxConflicts) throw part.conflict;
    await sleep(10 * conflicts);
  }
  return result;
}
