import type { Integration } from '../config/types.js';
import { AppError, conflict, notFound } from '../errors.js';
import { newRequestId } from '../events/ids.js';
import type { LoadedAdapter } from '../adapters/registry.js';
import {
  getRejectedPayload,
  pendingRejectedPayloads,
  recordReplay,
  type RejectedPayload,
} from '../store/rejected-payloads.js';
import { mapAdapterPayload, type IngestDeps } from './accept.js';
import { requestOfRejected } from './rejected-payloads.js';

/** Outcome of replaying one rejected payload, as stored in `replay_result` and answered by the API. */
export type ReplayResult =
  | { id: string; status: 'accepted'; request_id: string; alert_keys: string[] }
  | { id: string; status: 'rejected'; request_id: string; error: { code: string; message: string } };

/** The adapter an integration takes now; Conflict when it takes standard payloads (or an adapter that is gone). */
export function currentAdapterOf(deps: IngestDeps, integration: Integration): LoadedAdapter {
  const adapter = deps.registry.get(integration.adapter);
  if (!adapter)
    throw conflict(
      `integration ${integration.id} takes ${integration.adapter} payloads, which no loaded adapter maps: nothing to replay through`,
    );
  return adapter;
}

/**
 * Runs a stored payload through the integration's CURRENT adapter and queues its events; records the outcome.
 * A payload still rejected stays pending. ServiceUnavailable (queue down) is thrown, not recorded.
 */
export async function replayRejected(
  deps: IngestDeps,
  integration: Integration,
  payload: RejectedPayload,
  now: number,
  adapter: LoadedAdapter = currentAdapterOf(deps, integration),
): Promise<ReplayResult> {
  const requestId = newRequestId();
  const request = requestOfRejected(payload);
  let result: ReplayResult;
  try {
    // Signatures were checked when the payload first arrived; the original reception time stays the event default.
    const accepted = await mapAdapterPayload(deps, {
      integration,
      adapter,
      request,
      requestId,
      receivedAt: payload.received_at,
      live: false,
    });
    result = {
      id: payload.id,
      status: 'accepted',
      request_id: requestId,
      alert_keys: accepted.events.map((event) => event.alert_key),
    };
  } catch (error) {
    if (!(error instanceof AppError) || error.status >= 500) throw error;
    result = {
      id: payload.id,
      status: 'rejected',
      request_id: requestId,
      error: { code: error.code, message: error.message },
    };
  }
  await recordReplay(deps.store, payload.id, result.status === 'accepted' ? now : null, { ...result, at: now });
  return result;
}

/**
 * Replays one rejected payload by id; Conflict when a replay already queued it. `adapter`: another mapping of the
 * integration's adapter (the console's playground), instead of the loaded one.
 */
export async function replayOne(
  deps: IngestDeps,
  integration: Integration,
  id: string,
  now: number,
  adapter?: LoadedAdapter,
): Promise<ReplayResult> {
  const payload = await getRejectedPayload(deps.store, integration.id, id);
  if (!payload) throw notFound('rejected payload', id, ` for integration ${integration.id}`);
  if (payload.replayed_at !== null)
    throw conflict(`rejected payload ${id} was already replayed at ${new Date(payload.replayed_at).toISOString()}`);
  return replayRejected(deps, integration, payload, now, adapter);
}

/** Most payloads one bulk replay call handles; call again for the rest. */
export const maxReplayBatch = 500;

/** Replays every pending payload of an integration, oldest first (up to maxReplayBatch). */
export async function replayPending(
  deps: IngestDeps,
  integration: Integration,
  now: number,
): Promise<{ accepted: number; rejected: number; remaining: boolean; items: ReplayResult[] }> {
  currentAdapterOf(deps, integration);
  const pending = await pendingRejectedPayloads(deps.store, integration.id, maxReplayBatch + 1);
  const items: ReplayResult[] = [];
  for (const payload of pending.slice(0, maxReplayBatch))
    items.push(await replayRejected(deps, integration, payload, now));
  const accepted = items.filter((item) => item.status === 'accepted').length;
  return { accepted, rejected: items.length - accepted, remaining: pending.length > maxReplayBatch, items };
}
