import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import express, { type Express } from 'express';
import { AggregatorRegistry } from 'prom-client';
import type { MetricsJson } from '../observability/metrics.js';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { sql } from 'kysely';
import type { Config } from '../config/types.js';
import type { IngestJobData, IngestProducer } from '../queue/ingest-queue.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { StoreReadiness } from '../store/availability.js';
import type { StoreDatabase } from '../store/database.js';
import type { AdapterRegistry } from '../adapters/registry.js';
import type { UrlFetcher } from '../adapters/request-checks.js';
import type { CertificateFetcher } from '../adapters/signatures.js';
import { AppError } from '../errors.js';
import { adapterRouters } from './adapter-wiring.js';
import { apiRouter } from './api-routes.js';
import { errorHandler, routeNotFound } from './errors.js';
import { IntegrationDirectory } from './integration-auth.js';
import { pushRouter } from './push-routes.js';
import { RateLimiter } from './rate-limit.js';
import { rulesApiRouter } from './rules-api-routes.js';
import { requestContext } from './request-context.js';
import { schemasDir } from '../paths.js';
import { circuitOf } from '../queue/redis-circuit.js';

export interface AppDeps {
  config: Config;
  store: StoreDatabase;
  redis: Redis;
  redisPrefix: string;
  queue: Queue<IngestJobData>;
  producer: IngestProducer;
  logger: Logger;
  metrics: Metrics;
  adminToken: string;
  publicUrl: string;
  clock?: () => number;
  /** Loaded adapters; default: every folder of adapters/ (a broken one stops start-up). */
  adapters?: AdapterRegistry;
  /** GETs an SNS SubscribeURL to confirm a subscription; injectable for tests. */
  fetchUrl?: UrlFetcher;
  /** Fetches SNS signing certificates; injectable for tests. */
  fetchCertificate?: CertificateFetcher;
  /** More metrics for /metrics, e.g. the worker thread's, as prom-client JSON; summed with this registry's. */
  extraMetrics?: () => Promise<MetricsJson>;
  /** Whether the store is migrated and reachable at start; absent: it is (the caller prepared it). */
  storeReadiness?: StoreReadiness;
}

export interface GatewayApp {
  app: Express;
  /** Swaps the configuration (integrations, keys, limits) without a restart. */
  setConfig(config: Config): void;
}

async function updateQueueGauges(deps: AppDeps): Promise<void> {
  const circuit = circuitOf(deps.redis);
  const counts = await circuit.run(() => deps.queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'prioritized'));
  for (const [state, count] of Object.entries(counts)) deps.metrics.queueJobs.set({ state }, count);
  const [oldest] = await circuit.run(() => deps.queue.getWaiting(0, 0));
  deps.metrics.queueOldestWaitSeconds.set(oldest ? Math.max(0, ((deps.clock ?? Date.now)() - oldest.timestamp) / 1000) : 0);
}

/** Builds the gateway's HTTP app: push endpoints, management API, health and metrics. */
export function createApp(deps: AppDeps): GatewayApp {
  const clock = deps.clock ?? Date.now;
  let config = deps.config;
  const directory = new IntegrationDirectory(config);
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(requestContext(deps.logger, deps.metrics));

  const rateLimiter = new RateLimiter(deps.redis, `{${deps.redisPrefix.replace(/[{}]/g, '')}}`, clock);
  const adapters = adapterRouters(deps, { directory, rateLimiter, clock, config: () => config });

  app.get('/healthz', (_req, res) => {
    res.locals.route = 'healthz';
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    res.locals.route = 'readyz';
    const checks: Record<string, string> = {};
    await circuitOf(deps.redis).run(() => deps.redis.ping()).then(() => (checks.redis = 'ok'), (error: Error) => (checks.redis = error.message));
    const waiting = deps.storeReadiness?.notReadyReason;
    if (waiting !== undefined) checks.database = waiting;
    else await sql`select 1`.execute(deps.store.db).then(() => (checks.database = 'ok'), (error: Error) => (checks.database = error.message));
    const loaded = adapters.registry.names().length;
    checks.adapters = loaded > 0 ? 'ok' : 'no adapter loaded';
    const ready = Object.values(checks).every((value) => value === 'ok');
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', checks });
  });
  app.get('/metrics', async (_req, res) => {
    res.locals.route = 'metrics';
    await updateQueueGauges(deps).catch((error: Error) => deps.logger.warn({ err: error.message }, 'queue metrics unavailable'));
    const own = await deps.metrics.registry.getMetricsAsJSON();
    const extra = deps.extraMetrics ? await deps.extraMetrics().catch(() => []) : [];
    const merged = AggregatorRegistry.aggregate([own, extra]);
    res.type(deps.metrics.registry.contentType).send(await merged.metrics());
  });

  app.use(
    pushRouter({
      directory,
      producer: deps.producer,
      rateLimiter,
      metrics: deps.metrics,
      clock,
      config: () => config,
    }),
  );
  app.use(adapters.push);
  // The API description (contract §6) is public: registered before the routers that require the admin token.
  const openapi = readFileSync(join(schemasDir, 'openapi.json'), 'utf8');
  app.get('/api/v1/openapi.json', (_req, res) => {
    res.locals.route = 'openapi';
    res.type('application/json').send(openapi);
  });
  app.use('/api/v1', (_req, _res, next) => {
    const waiting = deps.storeReadiness?.notReadyReason;
    if (waiting !== undefined) throw new AppError('ServiceUnavailable', `the management API is not ready: ${waiting}`, { 'Retry-After': '5' });
    next();
  });
  app.use('/api/v1', apiRouter({ store: deps.store, queue: deps.queue, adminToken: deps.adminToken, publicUrl: deps.publicUrl, clock, config: () => config }));
  app.use('/api/v1', adapters.api);
  const knownAdapters = () => new Set(adapters.registry.names());
  app.use('/api/v1', rulesApiRouter({ store: deps.store, adminToken: deps.adminToken, clock, config: () => config, knownAdapters }));
  app.use(routeNotFound);
  app.use(errorHandler(deps.logger));
  return {
    app,
    setConfig(next: Config) {
      config = next;
      directory.update(next);
    },
  };
}
