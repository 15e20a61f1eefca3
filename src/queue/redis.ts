import { Redis, type RedisOptions } from 'ioredis';
import { gatewayCommandTimeoutMs } from './redis-circuit.js';

/** Redis connection settings shared by the gateway and the worker. */
export interface RedisSettings {
  url: string;
  /** Key prefix for every queue key; wrapped in `{}` so one queue's keys share a Redis Cluster slot. */
  prefix: string;
}

/**
 * Connection for producers and the API: fails fast when Redis is down instead of queueing commands in memory, and
 * when it does not answer (see circuitOf).
 */
export function createProducerConnection(settings: RedisSettings): Redis {
  const options: RedisOptions = {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: gatewayCommandTimeoutMs,
    connectTimeout: 3000,
    enableAutoPipelining: true,
    lazyConnect: true,
  };
  return new Redis(settings.url, options);
}

/** Connection for BullMQ workers: blocking commands, retried forever while Redis is away. */
export function createWorkerConnection(settings: RedisSettings): Redis {
  return new Redis(settings.url, { maxRetriesPerRequest: null, lazyConnect: true });
}

/** Checks that Redis answers, with a one-line error naming REDIS_URL when it does not. */
export async function assertRedisReachable(settings: RedisSettings): Promise<void> {
  const probe = new Redis(settings.url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    connectTimeout: 2000,
    retryStrategy: () => null,
  });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    await probe.ping();
  } catch (error) {
    throw new Error(
      `cannot reach Redis at REDIS_URL=${settings.url} (${(error as Error).message}); start one, e.g. \`redis-server --daemonize yes\`, or set REDIS_URL`,
    );
  } finally {
    probe.disconnect();
  }
}

/** `{name}` hash-tag prefix from a plain name. */
export function queuePrefix(name: string): string {
  return name.startsWith('{') ? name : `{${name}}`;
}
