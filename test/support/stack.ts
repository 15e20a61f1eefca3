import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { buildConfig } from '../../src/config/load-config.js';
import type { Config, ConfigFile } from '../../src/config/types.js';
import { AdapterRegistry } from '../../src/adapters/registry.js';
import { fixtureMappingLimits } from '../../src/adapters/fixtures.js';
import { createApp, type AppDeps, type GatewayApp } from '../../src/http/app.js';
import { applyServerLimits, type ServerLimits } from '../../src/http/server-limits.js';
import type { Queue } from 'bullmq';
import { createIngestQueue, IngestProducer, type IngestJobData } from '../../src/queue/ingest-queue.js';
import { createProducerConnection } from '../../src/queue/redis.js';
import { createRetentionQueue } from '../../src/queue/retention-queue.js';
import { createTimerQueue, type TimerJobData } from '../../src/queue/timer-queue.js';
import { createLogger } from '../../src/observability/logger.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { createWorker, type RunningWorker, type WorkerDeps } from '../../src/worker/worker.js';
import { createTestStore, type StoreKind, type TestStore } from './stores.js';

export const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const adminToken = 'test-admin-token';

/** A config with one channel and one standard integration (key `test-key-0001`), unless given another. */
export const defaultConfigFile: ConfigFile = {
  channels: [{ id: 'ops', name: 'Operations' }],
  integrations: [
    {
      id: 'std',
      name: 'Standard',
      adapter: 'standard',
      key: 'test-key-0001',
      channel: 'ops',
      rate_limit: { per_second: 100000, per_minute: 1000000 },
    },
  ],
};

export interface Stack {
  baseUrl: string;
  config: Config;
  testStore: TestStore;
  prefix: string;
  gateway: GatewayApp;
  worker?: RunningWorker;
  queue: Queue<IngestJobData>;
  /** The auto-resolve timers. */
  timers: Queue<TimerJobData>;
  /** Makes every delayed timer due now and waits until none is waiting or running (re-delayed ones stay delayed). */
  fireTimers(timeoutMs?: number): Promise<void>;
  /** Waits until the ingest queue has nothing waiting, active or delayed. */
  waitForIdle(timeoutMs?: number): Promise<void>;
  /** Waits until the store holds at least `count` events. */
  waitForEvents(count: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export interface StackOptions {
  store: StoreKind;
  configFile?: ConfigFile;
  worker?: boolean;
  redisUrl?: string;
  clock?: () => number;
  /** Adapter registry and SNS transport for the gateway (default: the package's adapters, real fetches). */
  app?: Partial<Pick<AppDeps, 'adapters' | 'fetchUrl' | 'fetchCertificate'>>;
  /** Timeouts and connection cap of the HTTP server, applied as `alertgate gateway` does (default: Node's own). */
  serverLimits?: ServerLimits;
  /**
   * More worker settings: outbound delivery timings and PUBLIC_URL (default: production timings,
   * http://alertgate.test), idle-alert sweeps and adapter defaults.
   */
  workerOptions?: Partial<Pick<WorkerDeps, 'delivery' | 'publicUrl' | 'adapterDefaults' | 'idleSweepEveryMs'>>;
}

let packageAdapters: AdapterRegistry | undefined;

/** The package's adapters, loaded once per test file; a broken one is left out here (the fixture meta-test reports it). */
function sharedAdapters(): AdapterRegistry {
  packageAdapters ??= AdapterRegistry.load({ skipBroken: true, limits: fixtureMappingLimits });
  return packageAdapters;
}

/** The real thing on port 0: gateway (HTTP), real Redis under a unique prefix, real store, and the worker. */
export async function startStack(options: StackOptions): Promise<Stack> {
  const testStore = await createTestStore(options.store);
  const config = buildConfig(options.configFile ?? defaultConfigFile, 'test', {});
  const prefix = `agtest-${randomBytes(5).toString('hex')}`;
  const logger = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
  const metrics = createMetrics();
  const redis = createProducerConnection({ url: options.redisUrl ?? redisUrl, prefix });
  redis.on('error', () => undefined);
  await redis.connect().catch(() => undefined);
  const queue = createIngestQueue(redis, prefix);
  const timers = createTimerQueue(redis, prefix);
  const gateway = createApp({
    config,
    store: testStore.store,
    redis,
    redisPrefix: prefix,
    queue,
    producer: new IngestProducer(queue, redis),
    logger,
    metrics,
    adminToken,
    publicUrl: 'http://alertgate.test',
    clock: options.clock,
    adapters: sharedAdapters(),
    ...options.app,
  });
  const server = await new Promise<Server>((resolve) => {
    const listening = gateway.app.listen(0, '127.0.0.1', () => resolve(listening));
    if (options.serverLimits) applyServerLimits(listening, options.serverLimits);
  });
  const worker =
    options.worker === false
      ? undefined
      : createWorker({
          config,
          store: testStore.store,
          redis: { url: redisUrl, prefix },
          logger,
          metrics,
          clock: options.clock,
          publicUrl: 'http://alertgate.test',
          ...options.workerOptions,
        });
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    baseUrl,
    config,
    testStore,
    prefix,
    gateway,
    worker,
    queue,
    timers,
    async fireTimers(timeoutMs = 15_000) {
      await timers.promoteJobs();
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const counts = await timers.getJobCounts('waiting', 'active', 'prioritized');
        if (Object.values(counts).every((count) => count === 0)) return;
        if (Date.now() > deadline) throw new Error(`timed out waiting for timers: ${JSON.stringify(counts)}`);
        await new Promise((resolve) => setTimeout(resolve, 15));
      }
    },
    async waitForIdle(timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
        if (Object.values(counts).every((count) => count === 0)) return;
        if (Date.now() > deadline) throw new Error(`timed out waiting for an idle queue: ${JSON.stringify(counts)}`);
        await new Promise((resolve) => setTimeout(resolve, 15));
      }
    },
    async waitForEvents(count: number, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const row = await testStore.store.db
          .selectFrom('events')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow();
        if (Number(row.n) >= count) return;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${count} events (have ${row.n})`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    async close() {
      await worker?.close();
      await new Promise((resolve) => server.close(resolve));
      server.closeAllConnections();
      if (redis.status === 'ready') {
        await queue.obliterate({ force: true }).catch(() => undefined);
        await timers.obliterate({ force: true }).catch(() => undefined);
        const retention = createRetentionQueue(redis, prefix);
        await retention.obliterate({ force: true }).catch(() => undefined);
        await Promise.all([queue.close(), timers.close(), retention.close()]);
      }
      redis.disconnect();
      await testStore.dispose();
    },
  };
}

/** POSTs JSON to the stack and returns status, headers and parsed body. */
export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Record<string, unknown>,
  };
}

/** GET or POST on the management API with the admin token. */
export async function api(
  stack: Stack,
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  path: string,
  body?: unknown,
): Promise<{
  status: number;
  body: { request_id: string; data?: unknown; error?: { code: string; message: string } };
}> {
  const response = await fetch(`${stack.baseUrl}/api/v1${path}`, {
    method,
    headers: {
      authorization: `Bearer ${adminToken}`,
      ...(body !== undefined && { 'content-type': 'application/json' }),
    },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as { request_id: string } };
}
