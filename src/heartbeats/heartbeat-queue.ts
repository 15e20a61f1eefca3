import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { addDurably } from '../queue/durable-add.js';
import { queuePrefix } from '../queue/redis.js';

/** The queue of heartbeat pings (from the ping URL) and delayed checks (one per heartbeat and deadline). */
export const heartbeatQueueName = 'heartbeats';

export type HeartbeatJobData =
  { kind: 'ping'; heartbeat_id: string; at: number } | { kind: 'check'; heartbeat_id: string; due_at: number };

/** Retried through store outages for a while, then kept in the failed set. */
export const heartbeatJobOptions: JobsOptions = {
  attempts: 30,
  backoff: { type: 'capped-exponential', delay: 500 },
  removeOnComplete: true,
  removeOnFail: { count: 1000 },
};

/**
 * One check per heartbeat and deadline: scheduling it again (a ping, another worker, a restart) adds nothing while it
 * waits. Dashes, not colons: BullMQ reserves `:` in job ids.
 */
export function checkJobId(heartbeatId: string, dueAt: number): string {
  return `heartbeat-check-${heartbeatId}-${dueAt}`;
}

export function createHeartbeatQueue(connection: Redis, prefix: string): Queue<HeartbeatJobData> {
  return new Queue<HeartbeatJobData>(heartbeatQueueName, { connection, prefix: queuePrefix(prefix) });
}

/** Adds the check of `heartbeatId` due at `dueAt`, delayed by what `clock` says is left. */
export async function scheduleCheck(
  queue: Queue<HeartbeatJobData>,
  heartbeatId: string,
  dueAt: number,
  clock: () => number,
): Promise<void> {
  await queue.add(
    'check',
    { kind: 'check', heartbeat_id: heartbeatId, due_at: dueAt },
    { ...heartbeatJobOptions, jobId: checkJobId(heartbeatId, dueAt), delay: Math.max(0, dueAt - clock()) },
  );
}

/** Queues a ping from the ping URL; resolves once Redis has it (ServiceUnavailable otherwise). */
export function enqueuePing(queue: Queue<HeartbeatJobData>, connection: Redis, heartbeatId: string, at: number) {
  return addDurably(
    queue,
    connection,
    { name: 'ping', data: { kind: 'ping', heartbeat_id: heartbeatId, at }, opts: heartbeatJobOptions },
    'heartbeat',
  );
}
