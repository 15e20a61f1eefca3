import type { JobsOptions, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { unavailable } from '../errors.js';
import { circuitOf, gatewayCommandTimeoutMs, RedisTimeoutError } from './redis-circuit.js';

/**
 * Adds one job from the gateway, resolving only once Redis has it; Redis down, not answering or behind an open
 * circuit is ServiceUnavailable at once (nothing was accepted), as for the ingest queue's producer.
 */
export async function addDurably<T>(
  queue: Queue<T>,
  connection: Redis,
  job: { name: string; data: T; opts: JobsOptions },
  what: string,
): Promise<void> {
  try {
    if (connection.status !== 'ready') throw new Error(`redis connection is ${connection.status}`);
    await circuitOf(connection).run(async () => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(new RedisTimeoutError(gatewayCommandTimeoutMs)), gatewayCommandTimeoutMs);
      });
      try {
        // BullMQ's types make the job name generic; a plain name is what it takes at run time.
        await Promise.race([(queue as Queue).add(job.name, job.data, job.opts), timeout]);
      } finally {
        clearTimeout(timer);
      }
    });
  } catch (error) {
    throw unavailable(
      `the ${what} queue is unavailable (${(error as Error).message}); nothing was accepted, retry later`,
      5,
    );
  }
}
