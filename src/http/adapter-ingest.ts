import type { Integration } from '../config/types.js';
import { AppError } from '../errors.js';
import type { Severity, QueuedEvent } from '../events/types.js';
import type { AdapterRequest } from '../adapters/body-parsing.js';
import { mapRequest } from '../adapters/map-request.js';
import type { AdapterRegistry, LoadedAdapter } from '../adapters/registry.js';
import type { SnsTransport } from '../adapters/request-checks.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { IngestProducer } from '../queue/ingest-queue.js';
import type { RecentPayloads } from '../queue/recent-payloads.js';
import type { StoreDatabase } from '../store/database.js';
import { insertRejectedPayload } from '../store/rejected-payloads.js';
import { stampEvents } from './accept-events.js';

/** What accepting an adapter payload needs; shared by the push routes, the native routes and replay. */
export interface AdapterIngestDeps {
  registry: AdapterRegistry;
  producer: IngestProducer;
  store: StoreDatabase;
  recent: RecentPayloads;
  metrics: Metrics;
  logger: Logger;
  sns: SnsTransport;
}

/** One payload to accept for an authenticated integration. */
export interface AdapterPush {
  integration: Integration;
  adapter: LoadedAdapter;
  request: AdapterRequest;
  requestId: string;
  receivedAt: number;
  severityOverride?: Severity;
  titleRuleOverride?: string;
  /** False on replay: the payload was verified when it first arrived. */
  verifySignature: boolean;
  /** False on replay: the payload is already stored. */
  storeRejected: boolean;
}

/** The queued events of an accepted payload; `asList` when the mapping returned an array. */
export interface AcceptedPayload {
  events: QueuedEvent[];
  asList: boolean;
}

async function keepRejected(deps: AdapterIngestDeps, push: AdapterPush, error: AppError): Promise<void> {
  deps.metrics.gatewayEvents.inc({ integration: push.integration.id, adapter: push.adapter.name, outcome: 'rejected' });
  if (!push.storeRejected) return;
  const { request } = push;
  await insertRejectedPayload(deps.store, {
    integration_id: push.integration.id,
    adapter: push.adapter.name,
    request_id: push.requestId,
    error: { code: error.code, message: error.message },
    method: request.method,
    headers: request.headers,
    query: request.query,
    content_type: request.contentType ?? null,
    body: request.rawBody.toString('utf8'),
    received_at: push.receivedAt,
  }).catch((storeError: Error) => deps.logger.error({ request_id: push.requestId, err: storeError.message }, 'could not store a rejected payload'));
}

/**
 * Accepts one adapter payload through {@link mapRequest} (sender checks on a live push), then ONE enqueue of all its
 * events. A payload that cannot be parsed or mapped is stored as a rejected payload and the 400 rethrown; an accepted
 * one joins the integration's recent payloads (not awaited).
 */
export async function ingestAdapterPayload(deps: AdapterIngestDeps, push: AdapterPush): Promise<AcceptedPayload> {
  const { adapter, request, integration } = push;
  const context = {
    integrationId: integration.id,
    integrationName: integration.name,
    receivedAt: push.receivedAt,
    ...(push.severityOverride && { severityOverride: push.severityOverride }),
    ...(push.titleRuleOverride && { titleRuleOverride: push.titleRuleOverride }),
  };
  const senderChecks = push.verifySignature ? { senderChecks: { secret: integration.secret, sns: deps.sns } } : {};
  const { events, asList } = await mapRequest(adapter, request, context, { ...senderChecks, onRejected: (error) => keepRejected(deps, push, error) });
  const accepted = { events: stampEvents(events, integration, push.requestId, push.receivedAt), asList };
  await deps.producer.enqueue(accepted.events);
  deps.metrics.gatewayEvents.inc({ integration: integration.id, adapter: adapter.name, outcome: 'queued' }, accepted.events.length);
  deps.recent.record(integration.id, {
    request_id: push.requestId,
    adapter: adapter.name,
    received_at: push.receivedAt,
    method: request.method,
    content_type: request.contentType ?? null,
    headers: request.headers,
    query: request.query,
    body: request.rawBody.toString('utf8'),
    events: accepted.events.length,
  });
  return accepted;
}
