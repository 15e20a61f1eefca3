import type { Webhook } from '../config/types.js';
import { conflict, invalidParameter, notFound } from '../errors.js';
import { newId } from '../events/ids.js';
import type { DeliveryQueues } from '../queue/delivery-queue.js';
import type { StoreDatabase } from '../store/database.js';
import { DeliveriesRepo, type DeliveryAttemptRow, type DeliveryRow } from '../store/deliveries-repo.js';
import type { DeliveryStatus } from '../store/tables.js';
import { incidentDetailUrl } from './build-body.js';
import { sendToReceiver } from './delivery-worker.js';
import { enqueueOwnJobs } from './own-jobs.js';
import { deliveryId, type Outbox } from './outbox.js';
import type { WebhookBody } from './webhook-body.js';

/** What the delivery API needs: the store, the queues, and the receivers and outbox in force now. */
export interface DeliveryServiceDeps {
  store: StoreDatabase;
  queues: DeliveryQueues;
  webhooks: () => readonly Webhook[];
  outbox: () => Outbox | undefined;
  clock: () => number;
}

const statuses: readonly DeliveryStatus[] = ['pending', 'delivered', 'dead', 'skipped'];

function receiverOf(deps: DeliveryServiceDeps, id: string): Webhook {
  const webhook = deps.webhooks().find((candidate) => candidate.id === id);
  if (!webhook) throw notFound('webhook', id);
  return webhook;
}

/** A receiver as the API shows it: never its secret or keys. */
function receiverView(webhook: Webhook) {
  return {
    id: webhook.id,
    url: webhook.url,
    format: webhook.format,
    events: webhook.events,
    channels: webhook.channels,
    signed: webhook.secret !== undefined,
    timeout_ms: webhook.timeoutMs,
    max_attempts: webhook.maxAttempts,
    concurrency: webhook.concurrency,
  };
}

function deliveryView(row: DeliveryRow) {
  const { body, seq: _seq, queued: _queued, job_id: _jobId, ...rest } = row;
  return { ...rest, body: JSON.parse(body) as WebhookBody };
}

const attemptView = (row: DeliveryAttemptRow) => ({
  attempt: row.attempt,
  at: row.at,
  status_code: row.status_code,
  latency_ms: row.latency_ms,
  error: row.error,
  response: row.response,
});

/** Every receiver with its deliveries counted by status. */
export async function listReceivers(deps: DeliveryServiceDeps) {
  const counts = await new DeliveriesRepo(deps.store.db, deps.store.dialect).receiverCounts();
  return deps.webhooks().map((webhook) => ({
    ...receiverView(webhook),
    deliveries: Object.fromEntries(
      statuses.map((status) => [
        status,
        counts.find((row) => row.receiver_id === webhook.id && row.status === status)?.count ?? 0,
      ]),
    ),
  }));
}

export interface DeliveryQuery {
  status?: string;
  incidentId?: string;
  cursor?: string;
  limit: number;
}

/** A receiver's deliveries, newest first, paged by `next_cursor`. */
export async function listReceiverDeliveries(deps: DeliveryServiceDeps, receiverId: string, query: DeliveryQuery) {
  receiverOf(deps, receiverId);
  if (query.status !== undefined && !statuses.includes(query.status as DeliveryStatus))
    throw invalidParameter(`status: must be one of ${statuses.join(', ')}, got ${JSON.stringify(query.status)}`);
  if (query.cursor !== undefined && !/^\d+$/.test(query.cursor))
    throw invalidParameter('cursor: must be the next_cursor of a previous page');
  const rows = await new DeliveriesRepo(deps.store.db, deps.store.dialect).listDeliveries({
    receiverId,
    ...(query.status !== undefined && { status: query.status as DeliveryStatus }),
    ...(query.incidentId !== undefined && { incidentId: query.incidentId }),
    ...(query.cursor !== undefined && { before: Number(query.cursor) }),
    limit: query.limit + 1,
  });
  const page = rows.slice(0, query.limit);
  return {
    items: page.map(deliveryView),
    next_cursor: rows.length > query.limit ? String(page[page.length - 1].seq) : null,
  };
}

/** One delivery with every attempt. */
export async function getDeliveryLog(deps: DeliveryServiceDeps, id: string) {
  const repo = new DeliveriesRepo(deps.store.db, deps.store.dialect);
  const row = await repo.getDelivery(id);
  if (!row) throw notFound('delivery', id);
  return { ...deliveryView(row), attempts: (await repo.attemptsOf(id)).map(attemptView) };
}

/** Sends a delivery again from its first attempt (dead, skipped or delivered); a pending one is already on its way. */
export async function redeliver(deps: DeliveryServiceDeps, id: string) {
  const repo = new DeliveriesRepo(deps.store.db, deps.store.dialect);
  const row = await repo.getDelivery(id);
  if (!row) throw notFound('delivery', id);
  const webhook = receiverOf(deps, row.receiver_id);
  if (row.status === 'pending') throw conflict(`delivery ${id} is pending already; it is sent or retried on its own`);
  await repo.resetForRedelivery(id, deps.clock());
  await enqueueOwnJobs(deps.store, deps.queues, () => webhook.maxAttempts, [
    { delivery_id: id, receiver_id: row.receiver_id },
  ]);
  return getDeliveryLog(deps, id);
}

/** A sample incident body: what a receiver gets for a new incident. */
function sampleBody(deps: DeliveryServiceDeps, now: number): WebhookBody {
  const outbox = deps.outbox();
  const incidentId = `sample-${newId()}`;
  const seconds = Math.floor(now / 1000);
  return {
    event_id: `test-${newId()}`,
    event_type: 'i_new',
    event_time: now,
    incident: {
      incident_id: incidentId,
      title: 'Test notification from alertgate',
      description: 'Sent by POST /api/v1/webhooks/{id}/test; nothing happened.',
      incident_severity: 'Warning',
      incident_status: 'Warning',
      progress: 'Triggered',
      created_at: seconds,
      updated_at: seconds,
      start_time: seconds,
      last_time: seconds,
      end_time: 0,
      ack_time: 0,
      close_time: 0,
      labels: { service: 'alertgate', check: 'webhook-test' },
      alert_cnt: 1,
      active_alert_cnt: 1,
      channel_id: 'test',
      channel_name: 'Test',
      detail_url: outbox ? incidentDetailUrl(outbox, incidentId) : `http://localhost:8080/incidents/${incidentId}`,
      group_method: 'n',
    },
  };
}

/** Sends a sample body to a receiver now, once, and returns what came back (not kept in the delivery log). */
export async function testReceiver(deps: DeliveryServiceDeps, receiverId: string) {
  const webhook = receiverOf(deps, receiverId);
  const now = deps.clock();
  const body = sampleBody(deps, now);
  const id = deliveryId(webhook.id, body.event_id);
  const result = await sendToReceiver(webhook, body, id, now);
  if (!result) return { delivery_id: id, sent: false, reason: `format ${webhook.format} sends nothing for i_new` };
  return {
    delivery_id: id,
    sent: true,
    ok: result.ok,
    status_code: result.statusCode ?? null,
    latency_ms: result.latencyMs,
    error: result.error ?? null,
    response: result.response ?? null,
    body,
  };
}
