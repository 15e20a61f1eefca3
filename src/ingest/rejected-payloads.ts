import type { AdapterRequest } from '../adapters/body-parsing.js';
import { defaultRetention } from '../config/retention.js';
import type { RejectedPayloadCap } from '../config/types.js';
import type { AppError } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { StoreDatabase } from '../store/database.js';
import { insertRejectedPayload, trimRejectedPayloads } from '../store/rejected-payloads.js';
import { storableBody } from './redact.js';

/** One payload the gateway could not map, with what it needs to be stored for replay. */
export interface RejectedPush {
  integrationId: string;
  adapter: string;
  requestId: string;
  request: AdapterRequest;
  receivedAt: number;
}

/** Where rejected payloads go, and how many an integration may keep. */
export interface RejectedPayloadDeps {
  store: StoreDatabase;
  logger: Logger;
  metrics: Metrics;
  /** Read per rejection, so it follows reloads; absent: the defaults of `retention.rejected_payloads_cap`. */
  rejectedPayloadCap?: () => RejectedPayloadCap;
}

/**
 * Stores a payload that could not be parsed or mapped so it can be replayed once the adapter is fixed, then removes
 * the integration's oldest ones beyond its count and byte caps, so a sender of garbage cannot fill the store. Storing
 * is best effort: the sender gets its 400 either way, a failure is logged.
 */
export async function keepRejectedPayload(
  deps: RejectedPayloadDeps,
  push: RejectedPush,
  error: AppError,
): Promise<void> {
  const { store, logger } = deps;
  const { request } = push;
  const cap = deps.rejectedPayloadCap?.() ?? defaultRetention.rejectedPayloadCap;
  const stored = insertRejectedPayload(store, {
    integration_id: push.integrationId,
    adapter: push.adapter,
    request_id: push.requestId,
    error: { code: error.code, message: error.message },
    method: request.method,
    headers: request.headers,
    query: request.query,
    content_type: request.contentType ?? null,
    body: storableBody(request.rawBody.toString('utf8')),
    received_at: push.receivedAt,
  });
  await stored
    .then(() => trimRejectedPayloads(store, push.integrationId, cap))
    .then((trimmed) => {
      if (trimmed.removed > 0)
        deps.metrics.rejectedPayloadsDropped.inc(
          { integration: push.integrationId, cap: trimmed.cap },
          trimmed.removed,
        );
    })
    .catch((storeError: Error) =>
      logger.error({ request_id: push.requestId, err: storeError.message }, 'could not store a rejected payload'),
    );
}

/** The request a stored payload describes, as it first arrived. */
export function requestOfRejected(payload: {
  method: string;
  content_type: string | null;
  body: string;
  headers: Record<string, string>;
  query: Record<string, string>;
}): AdapterRequest {
  return {
    method: payload.method,
    ...(payload.content_type !== null && { contentType: payload.content_type }),
    rawBody: Buffer.from(payload.body, 'utf8'),
    headers: payload.headers,
    query: payload.query,
  };
}
