import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Integration } from '../config/types.js';
import { AppError, invalidParameter } from '../errors.js';
import { newId } from '../events/ids.js';
import { maxEventsPerPush } from '../ingest/accept.js';
import type { RateLimiter } from '../ingest/rate-limiter.js';
import type { Metrics } from '../observability/metrics.js';
import { enqueueChanges, type ChangeJobData } from './change-queue.js';
import { mapJiraWebhook } from './jira.js';
import { normaliseChange } from './normalise.js';
import type { ChangeAdapter, NormalisedChange, QueuedChange } from './types.js';

/** What accepting change events needs. */
export interface ChangeIngestDeps {
  rateLimiter: RateLimiter;
  queue: Queue<ChangeJobData>;
  connection: Redis;
  metrics: Metrics;
  clock: () => number;
}

/** One change push of an authenticated change integration. */
export interface ChangePush {
  requestId: string;
  readBody: () => Promise<unknown>;
}

/** The queued changes of an accepted push; `asList` when the body was a list. */
export interface AcceptedChanges {
  changes: QueuedChange[];
  asList: boolean;
}

function normaliseItems(
  adapter: ChangeAdapter,
  integration: Integration,
  body: unknown,
  receivedAt: number,
): { items: NormalisedChange[]; asList: boolean } {
  if (adapter === 'change-jira')
    return {
      items: [normaliseChange(mapJiraWebhook(body, integration.changeStatusMap ?? {}), receivedAt)],
      asList: false,
    };
  const asList = Array.isArray(body);
  const items: unknown[] = asList ? body : [body];
  if (asList && (items.length === 0 || items.length > maxEventsPerPush))
    throw invalidParameter(`body: a list must hold 1 to ${maxEventsPerPush} change events, got ${items.length}`);
  return {
    asList,
    items: items.map((item, index) => {
      try {
        return normaliseChange(item, receivedAt);
      } catch (error) {
        if (asList && error instanceof AppError) throw invalidParameter(`[${index}].${error.message}`);
        throw error;
      }
    }),
  };
}

/**
 * Accepts a change push (standard body, or a Jira webhook for change-jira): budget, validation, stamping, then ONE
 * job in the `changes` queue; resolves only once Redis holds it, so a 200 means the changes will be stored.
 */
export async function acceptChangePush(
  deps: ChangeIngestDeps,
  integration: Integration,
  adapter: ChangeAdapter,
  push: ChangePush,
): Promise<AcceptedChanges> {
  const withinBudget = deps.rateLimiter.check(integration);
  withinBudget.catch(() => undefined);
  const body = await push.readBody();
  const receivedAt = deps.clock();
  const { items, asList } = normaliseItems(adapter, integration, body, receivedAt);
  await withinBudget;
  const changes = items.map((change) => ({
    ...change,
    event_id: newId(),
    request_id: push.requestId,
    integration_id: integration.id,
    integration_type: adapter,
    received_at: receivedAt,
  }));
  await enqueueChanges(deps.queue, deps.connection, changes);
  for (const change of changes)
    deps.metrics.changesReceived.inc({ integration: integration.id, status: change.change_status });
  return { changes, asList };
}
