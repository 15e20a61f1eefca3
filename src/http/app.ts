import express, { type Express, type Router } from 'express';
import { AggregatorRegistry } from 'prom-client';
import type { MetricsJson } from '../observability/metrics.js';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { sql } from 'kysely';
import { defaultRetention } from '../config/retention.js';
import type { Config } from '../config/types.js';
import type { IngestJobData, IngestProducer } from '../queue/ingest-queue.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { StoreReadiness } from '../store/availability.js';
import type { StoreDatabase } from '../store/database.js';
import { AdapterRegistry } from '../adapters/registry.js';
import { fetchSnsCertificate, fetchSubscribeUrl, type UrlFetcher } from '../adapters/request-checks.js';
import type { CertificateFetcher } from '../adapters/signatures.js';
import { unavailable } from '../errors.js';
import type { IngestDeps } from '../ingest/accept.js';
import { IntegrationDirectory } from '../ingest/integration-directory.js';
import { RateLimiter } from '../ingest/rate-limiter.js';
import { RecentPayloads } from '../ingest/recent-payloads.js';
import { bundledOpenApi } from '../schemas.js';
import { queuePrefix } from '../queue/redis.js';
import { circuitOf } from '../queue/redis-circuit.js';
import { adminRouter } from './admin.js';
import { adapterRoutes } from './api/adapters.js';
import { alertRoutes } from './api/alerts.js';
import { eventRoutes } from './api/events.js';
import type { ApiDeps } from './api/api-deps.js';
import { dryRunRoutes } from './api/dry-run.js';
import { failedJobRoutes } from './api/failed-jobs.js';
import { incidentRoutes } from './api/incidents.js';
import { integrationRoutes } from './api/integrations.js';
import { payloadRoutes } from './api/payloads.js';
import { silenceRoutes } from './api/silences.js';
import { webhookRoutes } from './api/webhooks.js';
import { DeliveryQueues } from '../queue/delivery-queue.js';
import { outboxOf } from '../notify/outbox.js';
import { errorHandler, routeNotFound } from './errors.js';
import { adapterPushRouter } from './push/adapter.js';
import { nativePushRouter } from './push/native.js';
import { standardPushRouter } from './push/standard.js';
import { changePushRouter } from './push/change.js';
import { heartbeatPingRouter } from './push/heartbeat.js';
import { changeRoutes } from './api/changes.js';
import { heartbeatRoutes } from './api/heartbeats.js';
import { createChangeQueue } from '../changes/change-queue.js';
import { createHeartbeatQueue } from '../heartbeats/heartbeat-queue.js';
import { requestContext } from './request-context.js';

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
  /** The ingest service behind the push routes, for other ways in (the SMTP listener). */
  ingest: IngestDeps;
}

async function updateQueueGauges(deps: AppDeps): Promise<void> {
  const circuit = circuitOf(deps.redis);
  const counts = await circuit.run(() =>
    deps.queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'prioritized'),
  );
  for (const [state, count] of Object.entries(counts)) deps.metrics.queueJobs.set({ state }, count);
  const [oldest] = await circuit.run(() => deps.queue.getWaiting(0, 0));
  deps.metrics.queueOldestWaitSeconds.set(
    oldest ? Math.max(0, ((deps.clock ?? Date.now)() - oldest.timestamp) / 1000) : 0,
  );
}

/** Registers resource routes on a router. */
function withRoutes(router: Router, deps: ApiDeps, resources: Array<(router: Router, deps: ApiDeps) => void>): Router {
  for (const register of resources) register(router, deps);
  return router;
}

/** What the push routes and the API's payload routes call: the ingest service's dependencies. */
function ingestDeps(
  deps: AppDeps,
  directory: IntegrationDirectory,
  clock: () => number,
  config: () => Config,
): IngestDeps {
  return {
    directory,
    rateLimiter: new RateLimiter(deps.redis, queuePrefix(deps.redisPrefix), clock),
    registry: deps.adapters ?? AdapterRegistry.load(),
    producer: deps.producer,
    store: deps.store,
    recent: new RecentPayloads(deps.redis, deps.redisPrefix, (error) =>
      deps.logger.warn({ err: error.message }, 'could not keep a recent payload'),
    ),
    metrics: deps.metrics,
    logger: deps.logger,
    sns: {
      fetchCertificate: deps.fetchCertificate ?? fetchSnsCertificate,
      fetchUrl: deps.fetchUrl ?? fetchSubscribeUrl,
    },
    clock,
    payloadLimitBytes: () => config().payloadLimitBytes,
    rejectedPayloadCap: () => (config().retention ?? defaultRetention).rejectedPayloadCap,
  };
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

  const ingest = ingestDeps(deps, directory, clock, () => config);
  const { registry } = ingest;

  app.get('/healthz', (_req, res) => {
    res.locals.route = 'healthz';
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    res.locals.route = 'readyz';
    const checks: Record<string, string> = {};
    await circuitOf(deps.redis)
      .run(() => deps.redis.ping())
      .then(
        () => (checks.redis = 'ok'),
        (error: Error) => (checks.redis = error.message),
      );
    const waiting = deps.storeReadiness?.notReadyReason;
    if (waiting !== undefined) checks.database = waiting;
    else
      await sql`select 1`.execute(deps.store.db).then(
        () => (checks.database = 'ok'),
        (error: Error) => (checks.database = error.message),
      );
    const loaded = registry.names().length;
    checks.adapters = loaded > 0 ? 'ok' : 'no adapter loaded';
    const ready = Object.values(checks).every((value) => value === 'ok');
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', checks });
  });
  app.get('/metrics', async (_req, res) => {
    res.locals.route = 'metrics';
    await updateQueueGauges(deps).catch((error: Error) =>
      deps.logger.warn({ err: error.message }, 'queue metrics unavailable'),
    );
    const own = await deps.metrics.registry.getMetricsAsJSON();
    const extra = deps.extraMetrics ? await deps.extraMetrics().catch(() => []) : [];
    const merged = AggregatorRegistry.aggregate([own, extra]);
    res.type(deps.metrics.registry.contentType).send(await merged.metrics());
  });

  // The standard route first: `/event/push/alert/:adapter` would take it too.
  app.use(standardPushRouter(ingest), adapterPushRouter(ingest), nativePushRouter(ingest));
  // Redis errors are the connection's (logged by its owner); a push that meets one answers 503.
  const changeQueue = createChangeQueue(deps.redis, deps.redisPrefix).on('error', () => undefined);
  const heartbeatQueue = createHeartbeatQueue(deps.redis, deps.redisPrefix).on('error', () => undefined);
  app.use(changePushRouter({ ingest, changes: { ...ingest, queue: changeQueue, connection: deps.redis } }));
  app.use(
    heartbeatPingRouter({
      heartbeats: () => config.heartbeats ?? [],
      rateLimiter: ingest.rateLimiter,
      queue: heartbeatQueue,
      connection: deps.redis,
      clock,
    }),
  );
  // The API description (contract §6) is public: registered before the routers that require the admin token.
  const openapi = bundledOpenApi();
  app.get('/api/v1/openapi.json', (_req, res) => {
    res.locals.route = 'openapi';
    res.type('application/json').send(openapi);
  });
  app.use('/api/v1', (_req, _res, next) => {
    const waiting = deps.storeReadiness?.notReadyReason;
    if (waiting !== undefined) throw unavailable(`the management API is not ready: ${waiting}`, 5);
    next();
  });
  const api: ApiDeps = {
    store: deps.store,
    queue: deps.queue,
    ingest,
    adminToken: deps.adminToken,
    publicUrl: deps.publicUrl,
    clock,
    config: () => config,
    knownAdapters: () => new Set(registry.names()),
    deliveries: {
      store: deps.store,
      queues: new DeliveryQueues(deps.redis, deps.redisPrefix),
      webhooks: () => config.webhooks,
      outbox: () => (config.webhooks.length > 0 ? outboxOf(config, deps.publicUrl) : undefined),
      clock,
    },
  };
  app.use(
    '/api/v1',
    withRoutes(adminRouter(api.adminToken, { json: true }), api, [
      integrationRoutes,
      incidentRoutes,
      alertRoutes,
      eventRoutes,
      failedJobRoutes,
      changeRoutes,
      heartbeatRoutes,
    ]),
  );
  app.use('/api/v1', withRoutes(adminRouter(api.adminToken, { json: false }), api, [payloadRoutes, adapterRoutes]));
  app.use('/api/v1', withRoutes(adminRouter(api.adminToken, { json: true }), api, [silenceRoutes, dryRunRoutes]));
  app.use('/api/v1', withRoutes(adminRouter(api.adminToken, { json: true }), api, [webhookRoutes]));
  app.use(routeNotFound);
  app.use(errorHandler(deps.logger));
  return {
    app,
    ingest,
    setConfig(next: Config) {
      config = next;
      directory.update(next);
    },
  };
}
