import type { Integration, RejectedPayloadCap } from '../config/types.js';
import { AppError, invalidParameter } from '../errors.js';
import { normaliseStandardEvent, parseQueryOverrides, type QueryOverrides } from '../events/normalise.js';
import type { NormalisedEvent, QueuedEvent } from '../events/types.js';
import type { AdapterRequest } from '../adapters/body-parsing.js';
import { mapRequest } from '../adapters/map-request.js';
import type { AdapterRegistry, LoadedAdapter } from '../adapters/registry.js';
import type { SnsTransport } from '../adapters/request-checks.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { IngestProducer } from '../queue/ingest-queue.js';
import type { StoreDatabase } from '../store/database.js';
import type { IntegrationDirectory } from './integration-directory.js';
import type { Admission, RateLimiter } from './rate-limiter.js';
import type { RecentPayloads } from './recent-payloads.js';
import { storableBody } from './redact.js';
import { keepRejectedPayload } from './rejected-payloads.js';
import { stampEvents } from './stamp.js';

/*
 * Accepting a push (contract §2, §3): authenticate → budget → map → stamp → enqueue. The HTTP routes only parse and
 * answer; every path in (standard, adapter, native drop-ins, replay) runs through here.
 */

/** What accepting pushes needs. */
export interface IngestDeps {
  directory: IntegrationDirectory;
  rateLimiter: RateLimiter;
  registry: AdapterRegistry;
  producer: IngestProducer;
  store: StoreDatabase;
  recent: RecentPayloads;
  metrics: Metrics;
  logger: Logger;
  sns: SnsTransport;
  clock: () => number;
  /** The largest body a push may send (alertgate.yaml `defaults.payload_limit`), read per push: it follows reloads. */
  payloadLimitBytes: () => number;
  /** Per integration, the most rejected payloads kept (`retention.rejected_payloads_cap`), read per rejection. */
  rejectedPayloadCap?: () => RejectedPayloadCap;
}

/** The queued events of an accepted payload; `asList` when the payload (or the mapping) held a list. */
export interface AcceptedPayload {
  events: QueuedEvent[];
  asList: boolean;
}

/** Most events one standard push may carry as a JSON array (Flashduty's batch limit). */
export const maxEventsPerPush = 100;

/** The enabled integration owning `key` and taking `adapter` payloads; the contract's error otherwise. */
export function authenticate(
  deps: Pick<IngestDeps, 'directory'>,
  key: string | undefined,
  adapter: string,
): Integration {
  return deps.directory.authenticate(key, adapter);
}

/** The loaded adapter of that name; RouteNotFound for an unknown one (it names a push URL). */
export function adapterNamed(registry: AdapterRegistry, name: string): LoadedAdapter {
  const adapter = registry.get(name);
  if (!adapter)
    throw new AppError(
      'RouteNotFound',
      `no adapter named ${JSON.stringify(name)}; adapters: standard, ${registry.names().join(', ')}`,
    );
  return adapter;
}

async function enqueue(
  deps: IngestDeps,
  integration: Integration,
  accepted: AcceptedPayload,
): Promise<AcceptedPayload> {
  await deps.producer.enqueue(accepted.events);
  deps.metrics.gatewayEvents.inc(
    { integration: integration.id, adapter: integration.adapter, outcome: 'queued' },
    accepted.events.length,
  );
  return accepted;
}

/**
 * Counts a payload's alerts and bytes against the integration's per-second budgets; when they do not fit, the
 * request's own place in the request budget is given back (a 429 costs nothing) and the 429 thrown.
 */
async function withinPayloadBudget(
  deps: IngestDeps,
  integration: Integration,
  admission: Admission,
  alerts: number,
  bytes: () => number,
): Promise<void> {
  const { alertsPerSecond, bytesPerSecond } = integration.rateLimit;
  if (alertsPerSecond === undefined && bytesPerSecond === undefined) return;
  try {
    await deps.rateLimiter.checkPayload(integration, alerts, bytesPerSecond === undefined ? 0 : bytes());
  } catch (error) {
    if (error instanceof AppError && error.code === 'RequestTooFrequently')
      await admission.refund().catch(() => undefined);
    throw error;
  }
}

/**
 * Events an edge mapped itself (the SMTP listener, after authenticate, budget and map): stamped and queued in ONE
 * enqueue, counted like every other way in.
 */
export function enqueueMapped(
  deps: IngestDeps,
  integration: Integration,
  mapped: { events: NormalisedEvent[]; requestId: string; receivedAt: number },
): Promise<AcceptedPayload> {
  return enqueue(deps, integration, {
    events: stampEvents(mapped.events, integration, mapped.requestId, mapped.receivedAt),
    asList: false,
  });
}

/** One standard push of an authenticated integration: its query and a reader of its parsed JSON body. */
export interface StandardPush {
  requestId: string;
  query: Record<string, unknown>;
  readBody: () => Promise<unknown>;
}

/**
 * Accepts a standard push: the budget check (a Redis round trip) runs while the body is read and checked, and both
 * must pass; then the events are normalised, stamped and queued in one enqueue.
 */
export async function acceptStandard(
  deps: IngestDeps,
  integration: Integration,
  push: StandardPush,
): Promise<AcceptedPayload> {
  const withinBudget = deps.rateLimiter.check(integration);
  withinBudget.catch(() => undefined);
  const body = await push.readBody();
  const receivedAt = deps.clock();
  const asList = Array.isArray(body);
  const items: unknown[] = asList ? body : [body];
  if (asList && (items.length === 0 || items.length > maxEventsPerPush)) {
    throw invalidParameter(`body: a list must hold 1 to ${maxEventsPerPush} events, got ${items.length}`);
  }
  const context = {
    integrationId: integration.id,
    integrationName: integration.name,
    integrationType: 'standard',
    receivedAt,
    ...parseQueryOverrides(push.query),
  };
  const normalised = items.map((item, index) => {
    try {
      return normaliseStandardEvent(item, context);
    } catch (error) {
      if (asList && error instanceof AppError) throw invalidParameter(`[${index}].${error.message}`);
      throw error;
    }
  });
  const admission = await withinBudget;
  // The parsed body's compact JSON: the standard endpoint's size as the bytes budget counts it.
  await withinPayloadBudget(deps, integration, admission, normalised.length, () =>
    Buffer.byteLength(JSON.stringify(body)),
  );
  return enqueue(deps, integration, {
    events: stampEvents(normalised, integration, push.requestId, receivedAt),
    asList,
  });
}

/** One adapter payload of an integration, as {@link mapAdapterPayload} takes it. */
export interface AdapterPayload extends QueryOverrides {
  integration: Integration;
  adapter: LoadedAdapter;
  request: AdapterRequest;
  requestId: string;
  receivedAt: number;
  /** Live pushes: check content type and signature, keep a payload that cannot be mapped. False on replay. */
  live: boolean;
  /** Live pushes: the request's place in the budget; its alerts and bytes are counted before they are queued. */
  admission?: Admission;
}

/**
 * Maps one adapter payload ({@link mapRequest}), stamps and queues its events in ONE enqueue. A payload that cannot
 * be parsed or mapped is counted as rejected (and kept for replay when live) and its 400 rethrown; an accepted one
 * joins the integration's recent payloads (not awaited).
 */
export async function mapAdapterPayload(deps: IngestDeps, payload: AdapterPayload): Promise<AcceptedPayload> {
  const { adapter, request, integration } = payload;
  const context = {
    integrationId: integration.id,
    integrationName: integration.name,
    receivedAt: payload.receivedAt,
    ...(payload.severityOverride && { severityOverride: payload.severityOverride }),
    ...(payload.titleRuleOverride && { titleRuleOverride: payload.titleRuleOverride }),
  };
  const onRejected = async (error: AppError): Promise<void> => {
    deps.metrics.gatewayEvents.inc({ integration: integration.id, adapter: adapter.name, outcome: 'rejected' });
    if (payload.live)
      await keepRejectedPayload(
        deps,
        {
          integrationId: integration.id,
          adapter: adapter.name,
          requestId: payload.requestId,
          request,
          receivedAt: payload.receivedAt,
        },
        error,
      );
  };
  const senderChecks = payload.live ? { senderChecks: { secret: integration.secret, sns: deps.sns } } : {};
  const { events, asList, drift } = await mapRequest(adapter, request, context, { ...senderChecks, onRejected });
  if (payload.admission)
    await withinPayloadBudget(deps, integration, payload.admission, events.length, () => request.rawBody.length);
  const accepted = await enqueue(deps, integration, {
    events: stampEvents(events, integration, payload.requestId, payload.receivedAt),
    asList,
  });
  for (const [kind, count] of Object.entries(drift))
    if (count > 0)
      deps.metrics.adapterFallbacks.inc({ integration: integration.id, adapter: adapter.name, kind }, count);
  deps.recent.record(integration.id, {
    request_id: payload.requestId,
    adapter: adapter.name,
    received_at: payload.receivedAt,
    method: request.method,
    content_type: request.contentType ?? null,
    headers: request.headers,
    query: request.query,
    body: storableBody(request.rawBody.toString('utf8')),
    events: accepted.events.length,
  });
  return accepted;
}

/** One live adapter push of an authenticated integration: its query and a reader of the request as adapters see it. */
export interface AdapterPush {
  requestId: string;
  query: Record<string, unknown>;
  readRequest: () => Promise<AdapterRequest>;
}

/**
 * Over budget, as the sender understands it: some (Datadog) retry only on 5xx and would drop a notification answered
 * 429, so their manifest asks for 503 with the same Retry-After.
 */
function throttledAs(status: 429 | 503 | undefined, error: unknown): unknown {
  if (status !== 503 || !(error instanceof AppError) || error.code !== 'RequestTooFrequently') return error;
  return new AppError(
    'ServiceUnavailable',
    `${error.message} (answered 503: this sender retries only on 5xx)`,
    error.headers,
  );
}

/** Accepts a live adapter push: the budget first (before the body is read), then {@link mapAdapterPayload}. */
export async function acceptAdapterPush(
  deps: IngestDeps,
  integration: Integration,
  adapter: LoadedAdapter,
  push: AdapterPush,
): Promise<AcceptedPayload> {
  const throttled = (error: unknown): never => {
    throw throttledAs(adapter.manifest.throttle_status, error);
  };
  const admission = await deps.rateLimiter.check(integration).catch(throttled);
  const overrides = parseQueryOverrides(push.query, adapter.manifest.payload_query_params);
  const request = await push.readRequest();
  return mapAdapterPayload(deps, {
    integration,
    adapter,
    request,
    requestId: push.requestId,
    receivedAt: deps.clock(),
    ...overrides,
    live: true,
    admission,
  }).catch(throttled);
}
