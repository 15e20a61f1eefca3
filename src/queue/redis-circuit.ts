import type { Redis } from 'ioredis';

/**
 * Longest a command on the gateway's Redis connection may take (ioredis `commandTimeout`). A local or same-zone
 * Redis answers in milliseconds even under load; past this, it is stuck (frozen, swapping, partitioned), and the
 * sender must hear at once that nothing was accepted rather than wait.
 */
export const gatewayCommandTimeoutMs = 1000;

/** Pause between probes while the circuit is open and Redis refuses at once (down, reconnecting). */
const probeRetryMs = 250;

/** Thrown instead of calling Redis while the circuit is open. */
export class RedisCircuitOpenError extends Error {
  constructor() {
    super(`redis did not answer within ${gatewayCommandTimeoutMs} ms; waiting for it to answer again`);
    this.name = 'RedisCircuitOpenError';
  }
}

/** Thrown by callers that bound a Redis call with their own clock, so the circuit counts it as a timeout. */
export class RedisTimeoutError extends Error {
  constructor(ms: number) {
    super(`no answer from redis within ${ms} ms`);
    this.name = 'RedisTimeoutError';
  }
}

const isTimeout = (error: unknown): boolean =>
  error instanceof RedisTimeoutError || (error instanceof Error && error.message === 'Command timed out');

/** ioredis's messages for a connection that is down, with offline queueing off (createProducerConnection). */
const connectionDownMessages = new Set([
  "Stream isn't writeable and enableOfflineQueue options is false",
  'Connection is closed.',
]);

/** Whether an error means Redis is away (down, not answering, circuit open) rather than a defect. */
export function isRedisUnavailable(error: unknown): boolean {
  return (
    error instanceof RedisCircuitOpenError ||
    isTimeout(error) ||
    (error instanceof Error && connectionDownMessages.has(error.message))
  );
}

/**
 * A circuit breaker on one Redis connection. While closed, calls go through; the first call that times out opens
 * it, and then every call fails at once (no request waits on a Redis that does not answer) while one PING at a time
 * probes Redis. The first PING that succeeds closes it again: nothing needs a restart.
 */
export class RedisCircuit {
  private opened = false;

  constructor(private readonly redis: Redis) {}

  /** True while calls are refused. */
  get isOpen(): boolean {
    return this.opened;
  }

  /** Runs a call on the connection, or fails at once with RedisCircuitOpenError while the circuit is open. */
  async run<T>(call: () => Promise<T>): Promise<T> {
    if (this.opened) throw new RedisCircuitOpenError();
    try {
      return await call();
    } catch (error) {
      if (isTimeout(error)) this.open();
      throw error;
    }
  }

  private open(): void {
    if (this.opened) return;
    this.opened = true;
    void this.probeUntilAnswered();
  }

  private async probeUntilAnswered(): Promise<void> {
    while (this.opened && this.redis.status !== 'end') {
      try {
        await this.redis.ping();
        this.opened = false;
      } catch {
        // A frozen Redis takes the command timeout to fail; a refused connection fails at once: pause before the next.
        await new Promise((resolve) => setTimeout(resolve, probeRetryMs).unref());
      }
    }
  }
}

const circuits = new WeakMap<Redis, RedisCircuit>();

/** The circuit of a connection, shared by everything that uses it (rate limits, the ingest queue, /readyz). */
export function circuitOf(redis: Redis): RedisCircuit {
  let circuit = circuits.get(redis);
  if (!circuit) {
    circuit = new RedisCircuit(redis);
    circuits.set(redis, circuit);
  }
  return circuit;
}
