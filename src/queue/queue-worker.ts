import { Worker, type Job, type Processor } from 'bullmq';
import type { Logger } from '../observability/logger.js';
import { cappedExponentialBackoff } from './ingest-queue.js';
import { createWorkerConnection, queuePrefix, type RedisSettings } from './redis.js';

/** How one of the worker role's queues is consumed. */
export interface QueueWorkerOptions<Data> {
  /** The queue's name, without prefix. */
  queue: string;
  /** What the role calls this consumer in its logs (`change worker`, `heartbeat worker`…). */
  role: string;
  redis: RedisSettings;
  logger: Logger;
  process: Processor<Data>;
  concurrency: number;
  /** How long a job stays claimed without a lock renewal before another worker takes it over (ms; default 30 s). */
  lockDuration?: number;
  stalledInterval?: number;
  /** What the log says of a failed job (default: it will be retried or kept in the failed set). */
  onFailed?: (job: Job<Data> | undefined, error: Error) => void;
}

/** A running consumer and its own Redis connection. */
export interface QueueWorker<Data> {
  worker: Worker<Data>;
  close(): Promise<void>;
}

/**
 * One consumer of the worker role: a blocking connection of its own, the hash-tagged prefix, capped exponential
 * backoff between attempts, stalled jobs taken over (a crashed worker's job is not lost), and connection and job
 * errors logged under the role's name. Every queue of the worker role (ingest aside) is consumed this way.
 */
export function startQueueWorker<Data>(options: QueueWorkerOptions<Data>): QueueWorker<Data> {
  const { logger, role } = options;
  const connection = createWorkerConnection(options.redis);
  connection.on('error', (error) => logger.warn({ err: error.message }, `${role} redis connection error`));
  const worker = new Worker<Data>(options.queue, options.process, {
    connection,
    prefix: queuePrefix(options.redis.prefix),
    concurrency: options.concurrency,
    lockDuration: options.lockDuration ?? 30_000,
    stalledInterval: options.stalledInterval ?? 30_000,
    maxStalledCount: 100,
    settings: { backoffStrategy: (attemptsMade: number) => cappedExponentialBackoff(attemptsMade) },
  });
  worker.on(
    'failed',
    options.onFailed ??
      ((job, error) =>
        logger.error(
          { job_id: job?.id, attempts: job?.attemptsMade, err: error.message },
          `${role} job failed; it will be retried or kept in the failed set`,
        )),
  );
  worker.on('error', (error) => logger.warn({ err: error.message }, `${role} error`));
  return {
    worker,
    async close() {
      await worker.close();
      connection.disconnect();
    },
  };
}
