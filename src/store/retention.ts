import { stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import type { RetentionSettings } from '../config/types.js';
import type { StoreDatabase } from './database.js';
import { nextBatchSize, pacingFor, pauseAfter, type RetentionPacing } from './retention-pacing.js';
import { retentionRules, type RemovedRows } from './retention-rules.js';

export interface RetentionRunOptions {
  /** Rows every batch looks at; without it, batches are sized by time ({@link RetentionPacing}). */
  batchSize?: number;
  /** Least pause between two batches (ms; default the pacing's). */
  pauseMs?: number;
  /** How batches are sized and paused (default the store's, {@link pacingFor}). */
  pacing?: Partial<RetentionPacing>;
  /**
   * How far behind the pushes the worker is (ms since the gateway received the oldest event not yet stored); the
   * job takes a smaller share of the time while it grows. Default: 0, always keeping up.
   */
  lagMs?: () => number;
  /** Stop after this long and leave the rest to the next run (default: run until done). */
  budgetMs?: number;
  /** Told after each batch with what it removed. */
  onRemoved?: (removed: RemovedRows) => void;
  signal?: AbortSignal;
  /** Monotonic milliseconds that time the batches and the budget (default `performance.now`). */
  clock?: () => number;
  /** Waits between batches (default a timer). */
  pause?: (ms: number) => Promise<unknown>;
}

/** Adds `from` into `into`, table by table. */
function addRows(into: RemovedRows, from: RemovedRows): void {
  for (const [table, count] of Object.entries(from)) into[table] = (into[table] ?? 0) + count;
}

/**
 * Removes what is older than the retention settings allow, as of `now`, in short batches with a pause between them
 * (see {@link RetentionPacing}); returns the rows removed per table. Safe to run from several processes at once:
 * every delete re-checks its rows.
 */
export async function runRetention(
  store: StoreDatabase,
  settings: RetentionSettings,
  now: number,
  options: RetentionRunOptions = {},
): Promise<RemovedRows> {
  const pacing: RetentionPacing = {
    ...pacingFor(store.dialect),
    ...options.pacing,
    ...(options.pauseMs !== undefined && { minPauseMs: options.pauseMs }),
  };
  const clock = options.clock ?? (() => performance.now());
  const pause = options.pause ?? ((ms: number) => sleep(ms));
  const deadline = options.budgetMs === undefined ? Infinity : clock() + options.budgetMs;
  const total: RemovedRows = {};
  for (const rule of retentionRules) {
    const age = rule.ageMs(settings);
    if (age === null) continue;
    let after: string | undefined;
    let size = options.batchSize ?? pacing.initialBatchSize;
    for (;;) {
      if (options.signal?.aborted || clock() > deadline) return total;
      // A batch holds one connection from its first statement to its last and is timed from when it has it: the
      // worker's transactions go between batches, not inside one, and the time measured is the batch's own.
      const { outcome, took } = await store.db.connection().execute(async (db) => {
        const started = clock();
        const swept = await rule.sweep({ ...store, db }, now - age, after || undefined, size);
        return { outcome: swept, took: clock() - started };
      });
      addRows(total, outcome.removed);
      options.onRemoved?.(outcome.removed);
      if (outcome.next === undefined) break;
      after = outcome.next;
      if (options.batchSize === undefined) size = nextBatchSize(pacing, size, outcome.filled, took);
      await pause(pauseAfter(pacing, took, options.lagMs?.() ?? 0));
    }
  }
  return total;
}

/** The store's size in bytes, by part: SQLite's `file` and `wal`; PostgreSQL's tables (with indexes and TOAST). */
export async function storeSize(store: StoreDatabase): Promise<Record<string, number>> {
  if (store.dialect === 'sqlite') {
    if (store.sqliteFile === undefined) return {};
    const size = (file: string) =>
      stat(file).then(
        (info) => info.size,
        () => 0,
      );
    return { file: await size(store.sqliteFile), wal: await size(`${store.sqliteFile}-wal`) };
  }
  const rows = await sql<{ name: string; bytes: number }>`
    select c.relname as name, pg_total_relation_size(c.oid) as bytes
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = current_schema() and c.relkind = 'r'`.execute(store.db);
  return Object.fromEntries(rows.rows.map((row) => [row.name, Number(row.bytes)]));
}
