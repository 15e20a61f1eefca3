import { createHash, timingSafeEqual } from 'node:crypto';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Heartbeat } from '../config/types.js';
import { AppError, notFound } from '../errors.js';
import type { RateLimiter } from '../ingest/rate-limiter.js';
import { enqueuePing, type HeartbeatJobData } from './heartbeat-queue.js';
import { heartbeatIntegration } from './schedule.js';

/** What taking a ping needs. */
export interface PingDeps {
  heartbeats: () => readonly Heartbeat[];
  rateLimiter: RateLimiter;
  queue: Queue<HeartbeatJobData>;
  connection: Redis;
  clock: () => number;
}

const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

/** The heartbeat `id` if `key` is its key: the push endpoints' codes for a missing, wrong or disabled key. */
function authenticateHeartbeat(deps: PingDeps, id: string, key: string | undefined): Heartbeat {
  const heartbeat = deps.heartbeats().find((candidate) => candidate.id === id);
  if (!heartbeat) throw notFound('heartbeat', id);
  if (key === undefined)
    throw new AppError(
      'Unauthorized',
      'integration_key is required: pass the heartbeat key as query parameter integration_key, header X-Integration-Key or Authorization: Bearer <key>',
    );
  if (!timingSafeEqual(digest(key), digest(heartbeat.key)))
    throw new AppError('InvalidParameter', 'integration_key is not a valid one');
  if (!heartbeat.enabled) throw new AppError('AccessDenied', `heartbeat ${heartbeat.id} is disabled`);
  return heartbeat;
}

/** Takes one ping of heartbeat `id`: authenticated, within its budget, queued for the worker (durable before 200). */
export async function acceptPing(
  deps: PingDeps,
  id: string,
  key: string | undefined,
): Promise<{ heartbeat_id: string; received_at: number }> {
  const heartbeat = authenticateHeartbeat(deps, id, key);
  await deps.rateLimiter.check(heartbeatIntegration(heartbeat));
  const at = deps.clock();
  await enqueuePing(deps.queue, deps.connection, heartbeat.id, at);
  return { heartbeat_id: heartbeat.id, received_at: at };
}
