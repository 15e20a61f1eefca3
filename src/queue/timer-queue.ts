import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { queuePrefix } from './redis.js';

/** The queue of delayed jobs that close incidents on their auto-resolve timeout. */
export const timerQueueName = 'timers';

/** One auto-resolve timer: check `incident_id` at `due_at` (ms) and close it if it is still open and due. */
export interface TimerJobData {
  incident_id: string;
  due_at: number;
}

/**
 * One job per incident and due time: scheduling the same timer twice (two workers, a redelivered batch) adds it once.
 * Dashes, not colons: BullMQ reserves `:` in job ids.
 */
export function timerJobId(timer: TimerJobData): string {
  return `autoresolve-${timer.incident_id}-${timer.due_at}`;
}

/** A timer that cannot reach the store is retried for a while, then kept in the failed set. */
export const timerJobOptions: JobsOptions = {
  attempts: 30,
  backoff: { type: 'capped-exponential', delay: 500 },
  removeOnComplete: true,
  removeOnFail: { count: 1000 },
};

/** The timers queue under the same hash-tagged prefix as the ingest queue. */
export function createTimerQueue(connection: Redis, prefix: string): Queue<TimerJobData> {
  return new Queue<TimerJobData>(timerQueueName, { connection, prefix: queuePrefix(prefix) });
}

/**
 * Adds delayed jobs for `timers`, each firing when `clock` reaches its due time. The delay is what the clock says is
 * left, so an injected clock that runs ahead makes timers due early; the timer itself checks due-ness again.
 */
export async function scheduleTimers(
  queue: Queue<TimerJobData>,
  timers: readonly TimerJobData[],
  clock: () => number,
): Promise<void> {
  if (timers.length === 0) return;
  const now = clock();
  await queue.addBulk(
    timers.map((timer) => ({
      name: 'auto-resolve',
      data: timer,
      opts: { ...timerJobOptions, jobId: timerJobId(timer), delay: Math.max(0, timer.due_at - now) },
    })),
  );
}
