import type { Redis } from 'ioredis';
import { AppError, unavailable } from '../errors.js';
import type { Integration } from '../config/types.js';
import { circuitOf, type RedisCircuit } from '../queue/redis-circuit.js';

// Fixed one-second and one-minute windows, counted in one round trip; shared by every gateway process.
// ARGV[1] requests are counted at once; the caller hands out positions within the returned totals.
const script = `
local n = tonumber(ARGV[1])
local s = redis.call('INCRBY', KEYS[1], n)
if s == n then redis.call('PEXPIRE', KEYS[1], 2000) end
local m = redis.call('INCRBY', KEYS[2], n)
if m == n then redis.call('PEXPIRE', KEYS[2], 120000) end
return {s, m}`;

type RateLimitRedis = Redis & {
  alertgateRateLimit(second: string, minute: string, count: number): Promise<[number, number]>;
};

interface Waiting {
  integration: Integration;
  resolve: () => void;
  reject: (error: AppError) => void;
}

/**
 * Checks an integration's request budget (contract §2: default 100/s and 1000/min). Requests of the same
 * integration arriving in the same tick are counted with one Redis call, each taking its own position.
 */
export class RateLimiter {
  private readonly redis: RateLimitRedis;
  private readonly circuit: RedisCircuit;
  private waiting = new Map<string, Waiting[]>();
  private scheduled = false;

  constructor(
    redis: Redis,
    private readonly prefix: string,
    private readonly clock: () => number = Date.now,
  ) {
    redis.defineCommand('alertgateRateLimit', { numberOfKeys: 2, lua: script });
    this.redis = redis as RateLimitRedis;
    this.circuit = circuitOf(redis);
  }

  /** Resolves when within budget; rejects with RequestTooFrequently (429, Retry-After) or ServiceUnavailable. */
  check(integration: Integration): Promise<void> {
    return new Promise((resolve, reject) => {
      const list = this.waiting.get(integration.id) ?? [];
      list.push({ integration, resolve, reject });
      this.waiting.set(integration.id, list);
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    const batches = this.waiting;
    this.waiting = new Map();
    this.scheduled = false;
    for (const [integrationId, list] of batches) void this.count(integrationId, list);
  }

  private async count(integrationId: string, list: Waiting[]): Promise<void> {
    const now = this.clock();
    const second = Math.floor(now / 1000);
    const minute = Math.floor(now / 60_000);
    const base = `${this.prefix}:rl:${integrationId}`;
    let totals: [number, number];
    try {
      totals = await this.circuit.run(() =>
        this.redis.alertgateRateLimit(`${base}:s:${second}`, `${base}:m:${minute}`, list.length),
      );
    } catch (error) {
      const failure = unavailable(
        `rate limiter unavailable (${(error as Error).message}); nothing was accepted, retry later`,
        5,
      );
      for (const item of list) item.reject(failure);
      return;
    }
    const firstSecond = totals[0] - list.length;
    const firstMinute = totals[1] - list.length;
    list.forEach((item, i) => {
      const limit = item.integration.rateLimit;
      if (firstMinute + i + 1 > limit.perMinute) {
        const wait = Math.max(1, Math.ceil(((minute + 1) * 60_000 - now) / 1000));
        item.reject(
          new AppError(
            'RequestTooFrequently',
            `integration ${integrationId} is limited to ${limit.perMinute} requests per minute`,
            { 'Retry-After': String(wait) },
          ),
        );
      } else if (firstSecond + i + 1 > limit.perSecond) {
        item.reject(
          new AppError(
            'RequestTooFrequently',
            `integration ${integrationId} is limited to ${limit.perSecond} requests per second`,
            { 'Retry-After': '1' },
          ),
        );
      } else item.resolve();
    });
  }
}
