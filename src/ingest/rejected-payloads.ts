import type { AdapterRequest } from '../adapters/body-parsing.js';
import type { AppError } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import type { StoreDatabase } from '../store/database.js';
import { insertRejectedPayload } from '../store/rejected-payloads.js';
import { storableBody } from './redact.js';

/** One payload the gateway could not map, with what it needs to be stored for replay. */
export interface RejectedPush {
  integrationId: string;
  adapter: string;
  requestId: string;
  request: AdapterRequest;
  receivedAt: number;
}

/**
 * Stores a payload that could not be parsed or mapped so it can be replayed once the adapter is fixed. Storing is
 * best effort: the sender gets its 400 either way, a failure is logged.
 */
export async function keepRejectedPayload(
  store: StoreDatabase,
  logger: Logger,
  push: RejectedPush,
  error: AppError,
): Promise<void> {
  const { request } = push;
  await insertRejectedPayload(store, {
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
  }).catch((storeError: Error) =>
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
