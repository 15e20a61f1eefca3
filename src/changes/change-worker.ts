import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Logger } from '../observability/logger.js';
import { cappedExponentialBackoff } from '../queue/ingest-queue.js';
import { createWorkerConnection, queuePrefix, type RedisSettings } from '../queue/redis.js';
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
  const connection = createWorkerConnection(deps.redis);
  connection.on('error', (error) => deps.logger.warn({ err: error.message }, 'change worker redis connection error'));
  const worker = new Worker<ChangeJobData>(
    changeQueueName,
    async (job: Job<ChangeJobData>) => {
      await storeChanges(deps.store, job.data, deps.clock());
    },
    {
      connection,
      prefix: queuePrefix(deps.redis.prefix),
      concurrency: 4,
      lockDuration: deps.lockDuration ?? 30_000,
      stalledInterval: deps.stalledInterval ?? 30_000,
      maxStalledCount: 100,
      settings: { backoffStrategy: (attemptsMade: number) => cappedExponentialBackoff(attemptsMade) },
    },
  );
  worker.on('failed', (job, error) =>
    deps.logger.error(
      { job_id: job?.id, attempts: job?.attemptsMade, err: error.message },
      'change job failed; it will be retried or kept in the failed set',
    ),
  );
  worker.on('error', (error) => deps.logger.warn({ err: error.message }, 'change worker error'));
  return {
    async close() {
      await worker.close();
      connection.disconnect();
    },
  };
}
