import { Worker } from 'bullmq';
import { defaultRetention } from '../config/retention.js';
import type { RetentionSettings } from '../config/types.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import { cappedExponentialBackoff } from '../queue/ingest-queue.js';
import { createWorkerConnection, queuePrefix, type RedisSettings } from '../queue/redis.js';
import { createRetentionQueue, retentionQueueName, scheduleRetention } from '../queue/retention-queue.js';
import type { StoreDatabase } from '../store/database.js';
import type { RemovedRows } from '../store/retention-rules.js';
import { runRetention, storeSize } from '../store/retention.js';

/** What the retention job needs; `settings` is read at each run, so it follows reloads. */
export interface RetentionWorkerDeps {
  store: StoreDatabase;
  redis: RedisSettings;
  logger: Logger;
  metrics: Metrics;
  clock: () => number;
  settings: () => RetentionSettings | undefined;
  /** How far behind the pushes this worker is (ms); retention steps back while it lags. */
  lagMs?: () => number;
  /** How often this process refreshes its store size gauge (default 60 s). */
  sizeRefreshMs?: number;
}

export interface RetentionWorker {
  /** Schedules the job again when the interval changed (after a reload). */
  reschedule(): void;
  close(): Promise<void>;
}

async function refreshStoreSize(deps: RetentionWorkerDeps): Promise<void> {
  const sizes = await storeSize(deps.store);
  for (const [part, bytes] of Object.entries(sizes)) deps.metrics.storeSizeBytes.set({ part }, bytes);
}

async function runOnce(deps: RetentionWorkerDeps): Promise<RemovedRows> {
  const settings = deps.settings() ?? defaultRetention;
  const started = Date.now();
  // A run that takes longer than the period stops in time and leaves the rest to the next one.
  const removed = await runRetention(deps.store, settings, deps.clock(), {
    budgetMs: Math.max(1000, settings.intervalMs * 0.8),
    ...(deps.lagMs && { lagMs: deps.lagMs }),
    onRemoved: (rows) => {
      for (const [table, count] of Object.entries(rows))
        if (count > 0) deps.metrics.retentionRemoved.inc({ table }, count);
    },
  });
  const total = Object.values(removed).reduce((sum, count) => sum + count, 0);
  if (total > 0) deps.logger.info({ removed, ms: Date.now() - started }, 'retention removed old data');
  await refreshStoreSize(deps);
  return removed;
}

/**
 * The periodic retention job of the worker role: a BullMQ job scheduler (one run per period however many workers
 * run), whose run removes old data in small batches, plus a store size gauge each worker keeps fresh.
 */
export function createRetentionWorker(deps: RetentionWorkerDeps): RetentionWorker {
  const connection = createWorkerConnection(deps.redis);
  connection.on('error', (error) => deps.logger.warn({ err: error.message }, 'retention redis connection error'));
  const queue = createRetentionQueue(connection, deps.redis.prefix);
  let scheduledEvery: number | undefined;
  const schedule = () => {
    const every = (deps.settings() ?? defaultRetention).intervalMs;
    if (every === scheduledEvery) return;
    scheduledEvery = every;
    scheduleRetention(queue, every).catch((error: Error) => {
      scheduledEvery = undefined;
      deps.logger.warn({ err: error.message }, 'could not schedule the retention job; trying again at the next reload');
    });
  };
  schedule();
  const worker = new Worker(retentionQueueName, () => runOnce(deps), {
    connection,
    prefix: queuePrefix(deps.redis.prefix),
    concurrency: 1,
    settings: { backoffStrategy: (attemptsMade: number) => cappedExponentialBackoff(attemptsMade) },
  });
  worker.on('completed', () => deps.metrics.retentionRuns.inc({ result: 'done' }));
  worker.on('failed', (_job, error) => {
    deps.metrics.retentionRuns.inc({ result: 'failed' });
    deps.logger.warn({ err: error.message }, 'retention run failed; the next period tries again');
  });
  worker.on('error', (error) => deps.logger.warn({ err: error.message }, 'retention worker error'));
  const refresh = () =>
    refreshStoreSize(deps).catch((error: Error) =>
      deps.logger.debug({ err: error.message }, 'could not read the store size'),
    );
  void refresh();
  const sizeTimer = setInterval(refresh, deps.sizeRefreshMs ?? 60_000);
  sizeTimer.unref();
  return {
    reschedule: schedule,
    async close() {
      clearInterval(sizeTimer);
      await worker.close();
      await queue.close();
      connection.disconnect();
    },
  };
}
