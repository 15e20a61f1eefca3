import { Router } from 'express';
import type { Redis } from 'ioredis';
import type { Config } from '../config/types.js';
import { AdapterRegistry } from '../adapters/registry.js';
import { fetchSnsCertificate, fetchSubscribeUrl, type UrlFetcher } from '../adapters/request-checks.js';
import type { CertificateFetcher } from '../adapters/signatures.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { IngestProducer } from '../queue/ingest-queue.js';
import { RecentPayloads } from '../queue/recent-payloads.js';
import type { StoreDatabase } from '../store/database.js';
import { adapterApiRouter } from './adapter-api-routes.js';
import { adapterPushRouter } from './adapter-routes.js';
import type { IntegrationDirectory } from './integration-auth.js';
import { nativeRouter } from './native-routes.js';
import type { RateLimiter } from './rate-limit.js';

/** The parts of AppDeps the adapter routes use. */
export interface AdapterWiringDeps {
  store: StoreDatabase;
  redis: Redis;
  redisPrefix: string;
  producer: IngestProducer;
  logger: Logger;
  metrics: Metrics;
  adminToken: string;
  publicUrl: string;
  adapters?: AdapterRegistry;
  fetchUrl?: UrlFetcher;
  fetchCertificate?: CertificateFetcher;
}

/** What the app shares with the standard route: key lookup, rate limiter, clock and live configuration. */
export interface SharedPushDeps {
  directory: IntegrationDirectory;
  rateLimiter: RateLimiter;
  clock: () => number;
  config: () => Config;
}

/**
 * The adapter routers: `push` (/event/push/alert/{adapter} and the PagerDuty/Opsgenie drop-ins), to mount after the
 * standard route, and `api` (adapters, payloads, replay, preview), to mount at /api/v1 after the core API.
 */
export function adapterRouters(deps: AdapterWiringDeps, shared: SharedPushDeps): { push: Router; api: Router; registry: AdapterRegistry } {
  const registry = deps.adapters ?? AdapterRegistry.load();
  const recent = new RecentPayloads(deps.redis, deps.redisPrefix, (error) => deps.logger.warn({ err: error.message }, 'could not keep a recent payload'));
  const ingest = {
    registry,
    producer: deps.producer,
    store: deps.store,
    recent,
    metrics: deps.metrics,
    logger: deps.logger,
    sns: { fetchCertificate: deps.fetchCertificate ?? fetchSnsCertificate, fetchUrl: deps.fetchUrl ?? fetchSubscribeUrl },
  };
  const routeDeps = { ...ingest, ...shared };
  const push = Router();
  push.use(adapterPushRouter(routeDeps), nativeRouter(routeDeps));
  const api = adapterApiRouter({ ...ingest, adminToken: deps.adminToken, publicUrl: deps.publicUrl, clock: shared.clock, config: shared.config });
  return { push, api, registry };
}
