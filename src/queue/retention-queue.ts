import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { queuePrefix } from './redis.js';

/** The queue of the periodic retention job. */
export const retentionQueueName = 'retention';

/** The one scheduler of the retention job: every worker upserts it, so it runs once per period however many run. */
export const retentionSchedulerId = 'retention';

/** The retention queue under the same hash-tagged prefix as the ingest queue. */
export function createRetentionQueue(connection: Redis, prefix: string): Queue {
  return new Queue(retentionQueueName, { connection, prefix: queuePrefix(prefix) });
}

/** Runs the retention job every `everyMs` (the first run one period from now); upserting again changes the period. */
export async function scheduleRetention(queue: Queue, everyMs: number): Promise<void> {
  await queue.upsertJobScheduler(
    retentionSchedulerId,
    { every: everyMs },
    { name: 'retention', opts: { removeOnComplete: true, removeOnFail: { count: 100 } } },
  );
}
