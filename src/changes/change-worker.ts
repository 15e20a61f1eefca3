import { UnrecoverableError, type Job } from 'bullmq';
import type { Logger } from '../observability/logger.js';
import { startQueueWorker } from '../queue/queue-worker.js';
import type { RedisSettings } from '../queue/redis.js';
import { applyChange, type ChangeWrite } from '../store/changes-repo.js';
import type { StoreDatabase } from '../store/database.js';
import { inTransaction } from '../store/transaction.js';
import { changeQueueName, type ChangeJobData } from './change-queue.js';

/** What the change worker needs. */
export interface ChangeWorkerDeps {
  store: StoreDatabase;
  redis: RedisSettings;
  logger: Logger;
  clock: () => number;
  lockDuration?: number;
  stalledInterval?: number;
}

/** Stores the changes of one job in one transaction; applying them twice changes nothing (see applyChange). */
export async function storeChanges(store: StoreDatabase, job: ChangeJobData, now: number): Promise<ChangeWrite[]> {
  if (!Array.isArray(job?.changes)) throw new UnrecoverableError('change job holds no changes list');
  return inTransaction(store, async (trx) => {
    const writes: ChangeWrite[] = [];
    for (const change of job.changes) writes.push(await applyChange(trx, store.dialect, change, now));
    return writes;
  });
}

/** Starts the worker of the `changes` queue; any number may run. A store outage retries the job with backoff. */
export function createChangeWorker(deps: ChangeWorkerDeps): { close(): Promise<void> } {
  return startQueueWorker<ChangeJobData>({
    queue: changeQueueName,
    role: 'change worker',
    redis: deps.redis,
    logger: deps.logger,
    concurrency: 4,
    process: async (job: Job<ChangeJobData>) => {
      await storeChanges(deps.store, job.data, deps.clock());
    },
    ...(deps.lockDuration !== undefined && { lockDuration: deps.lockDuration }),
    ...(deps.stalledInterval !== undefined && { stalledInterval: deps.stalledInterval }),
  });
}
