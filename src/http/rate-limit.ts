import type { Redis } from 'ioredis';
import { AppError } from '../errors.js';
import type { Integration } from '../config/types.js';

// Fixed one-second and one-minute windows, counted in one round trip; shared by every gateway process.
const script = `
local s = redis.call('INCR', KEYS[1])
if s == 1 then redis.call('PEXPIRE', KEYS[1], 2000) end
local m = redis.call('INCR', KEYS[2])
if m == 1 then redis.call('PEXPIRE', KEYS[2], 120000) end
return {s, m}`;

type RateLimitRedis = Redis & { alertgateRateLimit(second: string, minute: string): Promise<[number, number]> };

/** Checks an integration's request budget (contract §2: default 100/s and 1000/min). */
export class RateLimiter {
  private readonly redis: RateLimitRedis;

  constructor(redis: Redis, private readonly prefix: string, private readonly clock: () => number = Date.now) {
    redis.defineCommand('alertgateRateLimit', { numberOfKeys: 2, lua: script });
    this.redis = redis as RateLimitRedis;
  }

  /** Throws RequestTooFrequently (429, Retry-After) when over budget, ServiceUnavailable when Redis is down. */
  async check(integration: Integration): Promise<void> {
    const now = this.clock();
    const second = Math.floor(now / 1000);
    const minute = Math.floor(now / 60_000);
    const base = `${this.prefix}:rl:${integration.id}`;
    let counts: [number, number];
    try {
      counts = await this.redis.alertgateRateLimit(`${base}:s:${second}`, `${base}:m:${minute}`);
    } catch (error) {
      throw new AppError('ServiceUnavailable', `rate limiter unavailable (${(error as Error).message}); nothing was accepted, retry later`, { 'Retry-After': '5' });
    }
    const [perSecond, perMinute] = counts;
    if (perMinute > integration.rateLimit.perMinute) {
      const wait = Math.max(1, Math.ceil(((minute + 1) * 60_000 - now) / 1000));
      throw new AppError('RequestTooFrequently', `integration ${integration.id} is limited to ${integration.rateLimit.perMinute} requests per minute`, { 'Retry-After': String(wait) });
    }
    if (perSecond > integration.rateLimit.perSecond) {
      throw new AppError('RequestTooFrequently', `integration ${integration.id} is limited to ${integration.rateLimit.perSecond} requests per second`, { 'Retry-After': '1' });
    }
  }
}
