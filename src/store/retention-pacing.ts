import type { Dialect } from './dialect.js';

/**
 * How the retention job paces itself beside the worker. A batch is sized by time, not rows: what a row costs depends
 * on the table, its indexes, the store and how busy the machine is, so each batch is sized from how long the last one
 * took. Between batches the job pauses so that it takes only a share of the time; the share shrinks while the worker
 * lags behind the pushes, so the events waiting get the store first.
 */
export interface RetentionPacing {
  /**
   * Aimed duration of one batch (ms). On SQLite a batch runs on the worker's own thread and connection, so an event
   * arriving meanwhile waits up to this long; on PostgreSQL a batch holds one connection and a share of the CPU.
   */
  targetBatchMs: number;
  /** Rows the first batch of each kind looks at. */
  initialBatchSize: number;
  /**
   * Fewest rows a batch looks at. On a busy machine every batch takes longer than its work (the thread waits for a
   * core), and each batch costs a cycle of its own (a pause, a timer, statements): below this size the job would
   * spend its share on cycles rather than rows.
   */
  minBatchSize: number;
  maxBatchSize: number;
  /** Least pause between two batches (ms): the event loop always turns between batches. */
  minPauseMs: number;
  /** Share of the time the job takes while the worker keeps up (0.5: each pause as long as the batch before it). */
  share: number;
  /** Share it takes while the worker lags by `laggingMs` or more; in between, the share goes down linearly. */
  laggingShare: number;
  /** Worker lag (ms since the gateway received the oldest event not yet stored) up to which the worker keeps up. */
  keepingUpMs: number;
  laggingMs: number;
}

/** SQLite's pacing: short batches, since a batch holds the thread and the connection the worker applies events on. */
export const sqlitePacing: RetentionPacing = {
  targetBatchMs: 5,
  initialBatchSize: 200,
  minBatchSize: 100,
  maxBatchSize: 5000,
  minPauseMs: 2,
  share: 0.5,
  laggingShare: 0.25,
  keepingUpMs: 50,
  laggingMs: 250,
};

/**
 * PostgreSQL's: a batch runs in a server process of its own while the worker's thread goes on, and each one costs
 * about 2 ms of server CPU however few rows it holds (two statements, planning, a commit), so batches aim longer and
 * stay large enough for that cost to be small per row even when a busy machine makes every batch slow. That server
 * process takes a core the worker's own statements would run on, so the job takes a smaller share of the time than
 * on SQLite: it still removes several times the 10,000 rows/s it needs, and ingestion's latency stays its own.
 */
export const postgresPacing: RetentionPacing = {
  ...sqlitePacing,
  targetBatchMs: 15,
  initialBatchSize: 500,
  minBatchSize: 250,
  share: 0.3,
  laggingShare: 0.15,
};

/** The pacing for a store's dialect. */
export function pacingFor(dialect: Dialect): RetentionPacing {
  return dialect === 'postgres' ? postgresPacing : sqlitePacing;
}

const clamp = (value: number, low: number, high: number) => Math.min(high, Math.max(low, value));

/**
 * The size of the next batch after one of `size` rows that took `tookMs`: the rows that fit in the target at the
 * rate just measured, at most doubling or halving at once so one odd batch (a busy moment of the machine) does not
 * swing it. A batch that was not `filled` (it ran out of rows) says nothing about the rate.
 */
export function nextBatchSize(pacing: RetentionPacing, size: number, filled: boolean, tookMs: number): number {
  if (!filled) return size;
  const fitting = (size * pacing.targetBatchMs) / Math.max(tookMs, 0.01);
  return Math.round(clamp(clamp(fitting, size / 2, size * 2), pacing.minBatchSize, pacing.maxBatchSize));
}

/** The share of the time the job takes while the worker lags by `lagMs`. */
export function retentionShare(pacing: RetentionPacing, lagMs: number): number {
  if (lagMs <= pacing.keepingUpMs) return pacing.share;
  if (lagMs >= pacing.laggingMs) return pacing.laggingShare;
  const behind = (lagMs - pacing.keepingUpMs) / (pacing.laggingMs - pacing.keepingUpMs);
  return pacing.share + (pacing.laggingShare - pacing.share) * behind;
}

/** The pause after a batch that took `tookMs`, so that the job keeps to its share at the worker's current lag. */
export function pauseAfter(pacing: RetentionPacing, tookMs: number, lagMs: number): number {
  const share = retentionShare(pacing, lagMs);
  return Math.max(pacing.minPauseMs, (tookMs * (1 - share)) / share);
}
