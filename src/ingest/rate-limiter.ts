import type { Redis } from 'ioredis';
import { AppError, unavailable } from '../errors.js';
import type { Integration } from '../config/types.js';
import { circuitOf, type RedisCircuit } from '../queue/redis-circuit.js';

// Fixed one-second and one-minute windows, checked and counted in one round trip; shared by every gateway process.
// ARGV[1] requests ask at once; only those that fit both windows are counted (a request answered 429 costs nothing).
// Returns how many fit and the window totals after counting.
const requestScript = `
local n = tonumber(ARGV[1])
local s = tonumber(redis.call('GET', KEYS[1]) or '0')
local m = tonumber(redis.call('GET', KEYS[2]) or '0')
local room = math.max(0, math.min(n, tonumber(ARGV[2]) - s, tonumber(ARGV[3]) - m))
if room > 0 then
  s = redis.call('INCRBY', KEYS[1], room)
  if s == room then redis.call('PEXPIRE', KEYS[1], 2000) end
  m = redis.call('INCRBY', KEYS[2], room)
  if m == room then redis.call('PEXPIRE', KEYS[2], 120000) end
end
return {room, s, m}`;

// The alerts and bytes of one accepted payload against their per-second budgets (ARGV limit -1: none), all or
// nothing. A payload larger than a whole budget fits only into an empty second. Returns 0 (fits, counted), 1 (alerts)
// or 2 (bytes).
const payloadScript = `
local function over(key, n, limit)
  if limit < 0 then return false end
  local used = tonumber(redis.call('GET', key) or '0')
  return used > 0 and used + n > limit
end
if over(KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2])) then return 1 end
if over(KEYS[2], tonumber(ARGV[3]), tonumber(ARGV[4])) then return 2 end
for i = 1, 2 do
  if tonumber(ARGV[i * 2]) >= 0 then
    local n = tonumber(ARGV[i * 2 - 1])
    if redis.call('INCRBY', KEYS[i], n) == n then redis.call('PEXPIRE', KEYS[i], 2000) end
  end
end
return 0`;

// Gives back one request that was counted but then answered 429 by the payload budgets.
const refundScript = `
for i = 1, 2 do
  if redis.call('EXISTS', KEYS[i]) == 1 then redis.call('DECRBY', KEYS[i], 1) end
end
return 0`;

type RateLimitRedis = Redis & {
  alertgateRateLimit(
    second: string,
    minute: string,
    count: number,
    perSecond: number,
    perMinute: number,
  ): Promise<[number, number, number]>;
  alertgatePayloadBudget(
    alerts: string,
    bytes: string,
    n: number,
    alertLimit: number,
    size: number,
    byteLimit: number,
  ): Promise<number>;
  alertgateRefund(second: string, minute: string): Promise<number>;
};

/** A request within budget: `refund` gives its place back when the request ends up answered 429 after all. */
export interface Admission {
  refund(): Promise<void>;
}

interface Waiting {
  integration: Integration;
  resolve: (admission: Admission) => void;
  reject: (error: AppError) => void;
}

const tooFrequent = (message: string, retryAfterSeconds: number): AppError =>
  new AppError('RequestTooFrequently', message, { 'Retry-After': String(retryAfterSeconds) });

/**
 * Checks an integration's budgets (contract §2: default 100 requests/s and 1000/min; optional alerts/s and bytes/s).
 * Requests of the same integration arriving in the same tick are checked with one Redis call. Only what is accepted
 * is counted: a request answered 429 leaves the budget as it was.
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
    redis.defineCommand('alertgateRateLimit', { numberOfKeys: 2, lua: requestScript });
    redis.defineCommand('alertgatePayloadBudget', { numberOfKeys: 2, lua: payloadScript });
    redis.defineCommand('alertgateRefund', { numberOfKeys: 2, lua: refundScript });
    this.redis = redis as RateLimitRedis;
    this.circuit = circuitOf(redis);
  }

  /** Resolves when within the request budget; rejects with RequestTooFrequently (429, Retry-After) or ServiceUnavailable. */
  check(integration: Integration): Promise<Admission> {
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

  /**
   * Counts an accepted payload's alerts and bytes against the integration's per-second budgets, all or nothing;
   * throws RequestTooFrequently (Retry-After: 1) when it does not fit. Nothing to do without such budgets.
   */
  async checkPayload(integration: Integration, alerts: number, bytes: number): Promise<void> {
    const { alertsPerSecond, bytesPerSecond } = integration.rateLimit;
    if (alertsPerSecond === undefined && bytesPerSecond === undefined) return;
    const second = Math.floor(this.clock() / 1000);
    const base = `${this.prefix}:rl:${integration.id}`;
    const verdict = await this.guarded(() =>
      this.redis.alertgatePayloadBudget(
        `${base}:a:${second}`,
        `${base}:b:${second}`,
        alerts,
        alertsPerSecond ?? -1,
        bytes,
        bytesPerSecond ?? -1,
      ),
    );
    if (verdict === 1)
      throw tooFrequent(
        `integration ${integration.id} is limited to ${alertsPerSecond} alerts per second (this payload has ${alerts})`,
        1,
      );
    if (verdict === 2)
      throw tooFrequent(
        `integration ${integration.id} is limited to ${bytesPerSecond} bytes per second (this payload has ${bytes})`,
        1,
      );
  }

  private async guarded<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await this.circuit.run(command);
    } catch (error) {
      throw unavailable(`rate limiter unavailable (${(error as Error).message}); nothing was accepted, retry later`, 5);
    }
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
    const keys = [`${base}:s:${second}`, `${base}:m:${minute}`] as const;
    // A reload may change the limits between two requests of a tick: the newest one's apply to the whole tick.
    const limit = list[list.length - 1].integration.rateLimit;
    let answer: [number, number, number];
    try {
      answer = await this.guarded(() =>
        this.redis.alertgateRateLimit(keys[0], keys[1], list.length, limit.perSecond, limit.perMinute),
      );
    } catch (error) {
      for (const item of list) item.reject(error as AppError);
      return;
    }
    const [room, , minuteTotal] = answer;
    const admission: Admission = {
      refund: () => this.guarded(() => this.redis.alertgateRefund(keys[0], keys[1])).then(() => undefined),
    };
    const refusal =
      minuteTotal >= limit.perMinute
        ? tooFrequent(
            `integration ${integrationId} is limited to ${limit.perMinute} requests per minute`,
            Math.max(1, Math.ceil(((minute + 1) * 60_000 - now) / 1000)),
          )
        : tooFrequent(`integration ${integrationId} is limited to ${limit.perSecond} requests per second`, 1);
    list.forEach((item, i) => (i < room ? item.resolve(admission) : item.reject(refusal)));
  }
}
