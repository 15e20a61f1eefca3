import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { addDurably } from '../queue/durable-add.js';
import { queuePrefix } from '../queue/redis.js';
import type { QueuedChange } from './types.js';

/** The queue between the change endpoints and the worker that stores changes. */
export const changeQueueName = 'changes';

/** A job carries the change events of one request, in order. */
export interface ChangeJobData {
  changes: QueuedChange[];
}

/** As the ingest queue: retry through store outages for a long time, then keep the job in the failed set. */
export const changeJobOptions: JobsOptions = {
  attempts: 30,
  backoff: { type: 'capped-exponential', delay: 500 },
  removeOnComplete: true,
  removeOnFail: false,
};

export function createChangeQueue(connection: Redis, prefix: string): Queue<ChangeJobData> {
  return new Queue<ChangeJobData>(changeQueueName, { connection, prefix: queuePrefix(prefix) });
}

/** Puts the changes of one request in the queue; resolves once Redis has them (ServiceUnavailable otherwise). */
export function enqueueChanges(queue: Queue<ChangeJobData>, connection: Redis, changes: QueuedChange[]): Promise<void> {
  return addDurably(queue, connection, { name: 'changes', data: { changes }, opts: changeJobOptions }, 'change');
}
