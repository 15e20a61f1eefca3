import { DelayedError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Webhook } from '../config/types.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import { deliveryQueueName, type DeliveryJobData, type DeliveryQueues } from '../queue/delivery-queue.js';
import { cappedExponentialBackoff } from '../queue/ingest-queue.js';
import { createWorkerConnection, queuePrefix, type RedisSettings } from '../queue/redis.js';
import type { StoreDatabase } from '../store/database.js';
import { inTransaction } from '../store/transaction.js';
import {
  DeliveriesRepo,
  type AttemptOutcome,
  type DeliveryAttemptRow,
  type DeliveryRecord,
  type DeliveryRow,
} from '../store/deliveries-repo.js';
import { retryAfterCapMs, retryDelayMs } from './backoff.js';
import { enqueueOwnJobs } from './own-jobs.js';
import { renderRequest, type ReceiverTarget } from './render.js';
import { receiverAgents, sendRequest, type ReceiverAgents, type SendResult } from './sender.js';
import { outboundHeaders } from './signature.js';
import type { WebhookBody } from './webhook-body.js';

export interface DeliveryWorkerDeps {
  store: StoreDatabase;
  redis: RedisSettings;
  logger: Logger;
  metrics: Metrics;
  clock: () => number;
  queues: DeliveryQueues;
  /** The receiver as configured now (a reload may change it between two attempts). */
  receiver: (id: string) => Webhook | undefined;
  /** Where attempts are recorded: shared by the receivers' workers, so attempts ending together share a commit. */
  attempts: AttemptLog;
  /** First retry's ceiling (default 5 s; tests shorten it). */
  retryBaseMs?: number;
  stalledInterval?: number;
  lockDuration?: number;
}

/** An attempt that failed and is to be tried again after `delayMs`; the queue's backoff reads it. */
class RetryLater extends Error {
  constructor(
    message: string,
    readonly delayMs: number,
  ) {
    super(message);
    this.name = 'RetryLater';
  }
}

/** What a format needs of a receiver. */
export function receiverTarget(webhook: Webhook): ReceiverTarget {
  return {
    id: webhook.id,
    url: webhook.url,
    format: webhook.format,
    headers: webhook.headers,
    ...(webhook.secret !== undefined && { secret: webhook.secret }),
    ...(webhook.routingKey !== undefined && { routing_key: webhook.routingKey }),
    ...(webhook.apiKey !== undefined && { api_key: webhook.apiKey }),
    ...(webhook.template !== undefined && { template: webhook.template }),
  };
}

/** Renders a body for a receiver and sends it once, signed; undefined when the format sends nothing for it. */
export async function sendToReceiver(
  webhook: Webhook,
  body: WebhookBody,
  deliveryId: string,
  now: number,
  agents?: ReceiverAgents,
): Promise<SendResult | undefined> {
  const rendered = await renderRequest(receiverTarget(webhook), body, now);
  if (!rendered) return undefined;
  const headers = outboundHeaders(rendered.headers, webhook.headers, {
    id: deliveryId,
    ...(webhook.secret !== undefined && { secret: webhook.secret }),
    body: rendered.body,
    now,
  });
  return sendRequest({
    url: rendered.url,
    headers,
    body: rendered.body,
    timeoutMs: webhook.timeoutMs,
    allowPrivateNetwork: webhook.allowPrivateNetwork,
    ...(agents && { agents }),
  });
}

/** At most `size` tasks at once, the others started in the order they asked. */
class Slots {
  private readonly waiting: Array<() => void> = [];

  constructor(private free: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.free > 0) this.free -= 1;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.free += 1;
    }
  }
}

/** What one receiver's worker shares between its jobs: its connections, its circuit, the order of its deliveries. */
interface ReceiverState {
  agents: ReceiverAgents;
  /** Requests in flight to the receiver, whichever job sends them: at most its concurrency. */
  slots: Slots;
  /** Per order key (incident): ids of delayed jobs of this process waiting for an earlier delivery to finish. */
  waiting: Map<string, Set<string>>;
  /** Per order key: the last delivery of this process's relay jobs, which the next one of that key waits for. */
  lanes: Map<string, Promise<void>>;
  /** Attempts in a row that failed; from `circuitThreshold` on, the receiver's worker rests between attempts. */
  failures: number;
  /** Set while the worker rests (it takes no job, and sends nothing): a receiver that is down costs only its probes. */
  resting?: NodeJS.Timeout;
  /** When the current rest ends. */
  restUntil: number;
  worker?: Worker<DeliveryJobData>;
}

/** Failed attempts in a row after which a receiver is taken to be down. */
const circuitThreshold = 3;
/** How long the worker of a receiver taken to be down rests before the next attempt (a probe): 2 s doubling to 60 s. */
const restMs = (failures: number): number => Math.min(60_000, 2_000 * 2 ** (failures - circuitThreshold));

/**
 * After a success a receiver is up; after `circuitThreshold` failures in a row its worker takes no job and sends
 * nothing for a while, so thousands of pending deliveries to a receiver that is down do not each spend an attempt
 * (and the worker's CPU) every few seconds. The rest grows while probes keep failing. Deliveries stay pending.
 */
function recordOutcome(state: ReceiverState, ok: boolean, logger: Logger, receiverId: string): void {
  if (ok) {
    if (state.failures >= circuitThreshold) logger.info({ receiver: receiverId }, 'webhook receiver answers again');
    state.failures = 0;
    return;
  }
  state.failures += 1;
  if (state.failures < circuitThreshold || state.resting || !state.worker) return;
  const worker = state.worker;
  const rest = restMs(state.failures);
  if (state.failures === circuitThreshold)
    logger.warn(
      { receiver: receiverId, rest_ms: rest },
      'webhook receiver failing: pausing its deliveries between probes',
    );
  void worker.pause(true).catch(() => undefined);
  state.restUntil = Date.now() + rest;
  state.resting = setTimeout(() => {
    state.resting = undefined;
    if (!worker.closing) void Promise.resolve(worker.resume()).catch(() => undefined);
  }, rest);
  state.resting.unref();
}

/**
 * Runs `task` after the task before it with the same key (of this process) has ended, whatever its outcome; `waited`:
 * there was one.
 */
function inLane(state: ReceiverState, key: string, task: (waited: boolean) => Promise<void>): Promise<void> {
  const before = state.lanes.get(key);
  const run = before ? before.then(() => task(true)) : task(false);
  const tail = run.catch(() => undefined);
  state.lanes.set(key, tail);
  void tail.then(() => {
    if (state.lanes.get(key) === tail) state.lanes.delete(key);
  });
  return run;
}

/**
 * Once a delivery is done (sent, dead, skipped), the next ones of its incident that this process holds back may go at
 * once; those of other processes wake on their own (at the earlier delivery's next attempt, within a minute).
 */
async function releaseNext(deps: DeliveryWorkerDeps, state: ReceiverState, row: DeliveryRow): Promise<void> {
  const waiting = state.waiting.get(row.order_key);
  if (!waiting) return;
  state.waiting.delete(row.order_key);
  const queue = deps.queues.queue(row.receiver_id);
  for (const id of waiting) {
    const job = await queue.getJob(id);
    if (job && (await job.isDelayed())) await job.promote().catch(() => undefined);
  }
}

/**
 * Ordered per incident: a delivery with an earlier one pending waits for it. The earlier one's completion in this
 * process promotes its job; otherwise it wakes just after the earlier one's next attempt (within a minute), and looks
 * again. Returns how long to wait.
 */
function holdBack(
  deps: DeliveryWorkerDeps,
  state: ReceiverState,
  row: DeliveryRecord,
  earlier: DeliveryRecord,
): number {
  const waiting = state.waiting.get(row.order_key) ?? new Set<string>();
  waiting.add(row.delivery_id);
  state.waiting.set(row.order_key, waiting);
  return Math.min(60_000, Math.max(250, (earlier.next_attempt_at ?? 0) - deps.clock() + 100));
}

type AttemptRecord = Omit<DeliveryAttemptRow, 'id'>;

/**
 * Records attempts and their deliveries' new states, those that end while the previous commit runs in one
 * transaction (a group commit): each sent request would otherwise be a commit of its own, competing with the
 * pipeline's for the store (on SQLite, one writer at a time). An attempt ending while nothing is being written is
 * written in the same turn of the event loop (with the others answered in that turn), so a quiet receiver waits for
 * no batch; a busy store makes the batches larger, not more numerous.
 * A job completes only once its attempt is recorded.
 */
export class AttemptLog {
  private pending: Array<{
    attempt: AttemptRecord;
    outcome: AttemptOutcome;
    now: number;
    settle: (error?: Error) => void;
  }> = [];
  /** Set from when a flush is scheduled until it has written everything: the attempts ending meanwhile join it. */
  private flushing = false;

  constructor(
    private readonly store: StoreDatabase,
    private readonly maxBatch = 500,
  ) {}

  record(attempt: AttemptRecord, outcome: AttemptOutcome, now: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ attempt, outcome, now, settle: (error) => (error ? reject(error) : resolve()) });
      if (this.flushing) return;
      this.flushing = true;
      setImmediate(() => void this.flush());
    });
  }

  private async flush(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, this.maxBatch);
      try {
        await inTransaction(this.store, async (trx) => {
          const repo = new DeliveriesRepo(trx, this.store.dialect);
          for (const { attempt, outcome, now } of batch) await repo.recordAttempt(attempt, outcome, now);
        });
        for (const item of batch) item.settle();
      } catch (error) {
        for (const item of batch) item.settle(error as Error);
      }
    }
    this.flushing = false;
  }
}

/** Records an attempt and its delivery's new state together. */
async function finish(
  deps: DeliveryWorkerDeps,
  row: DeliveryRow,
  result: SendResult,
  outcome: AttemptOutcome,
  now: number,
): Promise<void> {
  const attempt = {
    delivery_id: row.delivery_id,
    attempt: outcome.attempts,
    at: now,
    status_code: result.statusCode ?? null,
    latency_ms: result.latencyMs,
    error: result.error ?? null,
    response: result.response ?? null,
  };
  await deps.attempts.record(attempt, outcome, now);
  deps.metrics.deliveryAttemptDuration.observe({ receiver: row.receiver_id }, result.latencyMs / 1000);
}

/** What is left of a delivery after an attempt: nothing (sent, dead, skipped), a retry, or an attempt not made. */
type AttemptResult = { kind: 'done' } | { kind: 'retry'; delayMs: number; error: string } | { kind: 'resting' };

/**
 * One attempt at a pending delivery that may go now (no earlier one of its incident pending), recorded with what it
 * changed. `onRetry`: what a retry changes besides (a relay job hands the delivery to a job of its own). It holds one
 * of the receiver's slots until recorded, so a crash sends again at most `concurrency` requests per receiver. No
 * attempt is made while the receiver's worker rests.
 */
function attempt(
  deps: DeliveryWorkerDeps,
  state: ReceiverState,
  row: DeliveryRow,
  onRetry: Partial<AttemptOutcome>,
): Promise<AttemptResult> {
  return state.slots.run(() =>
    state.resting ? Promise.resolve({ kind: 'resting' }) : send(deps, state, row, onRetry),
  );
}

async function send(
  deps: DeliveryWorkerDeps,
  state: ReceiverState,
  row: DeliveryRow,
  onRetry: Partial<AttemptOutcome>,
): Promise<AttemptResult> {
  const webhook = deps.receiver(row.receiver_id);
  const now = deps.clock();
  const attemptNo = row.attempts + 1;
  const count = (outcome: string) => deps.metrics.deliveries.inc({ receiver: row.receiver_id, outcome });
  const done = { next_attempt_at: null, delivered_at: null, attempts: attemptNo };
  const dead = async (error: string): Promise<AttemptResult> => {
    await finish(
      deps,
      row,
      { ok: false, latencyMs: 0, error },
      { ...done, status: 'dead', last_status_code: null, last_error: error },
      now,
    );
    count('dead');
    await releaseNext(deps, state, row);
    return { kind: 'done' };
  };
  if (!webhook) return dead('receiver no longer configured');
  let result: SendResult | undefined;
  try {
    result = await sendToReceiver(webhook, JSON.parse(row.body) as WebhookBody, row.delivery_id, now, state.agents);
  } catch (error) {
    // The format could not render this body (a template error): no retry can change that.
    return dead(`render: ${(error as Error).message}`);
  }
  if (!result) {
    await finish(
      deps,
      row,
      { ok: true, latencyMs: 0, error: 'the format sends nothing for this event type' },
      { ...done, attempts: row.attempts, status: 'skipped', last_status_code: null, last_error: null },
      now,
    );
    count('skipped');
    await releaseNext(deps, state, row);
    return { kind: 'done' };
  }
  const failure = { last_status_code: result.statusCode ?? null, last_error: result.error ?? null };
  recordOutcome(state, result.ok, deps.logger, row.receiver_id);
  if (result.ok) {
    await finish(deps, row, result, { ...done, status: 'delivered', delivered_at: now, ...failure }, now);
    count('delivered');
    await releaseNext(deps, state, row);
    return { kind: 'done' };
  }
  if (attemptNo >= webhook.maxAttempts) {
    await finish(deps, row, result, { ...done, status: 'dead', ...failure }, now);
    count('dead');
    deps.logger.warn(
      { delivery_id: row.delivery_id, receiver: row.receiver_id, attempts: attemptNo, err: result.error },
      'delivery dead after its last attempt',
    );
    await releaseNext(deps, state, row);
    return { kind: 'done' };
  }
  const delayMs =
    result.retryAfterMs !== undefined
      ? Math.min(result.retryAfterMs, retryAfterCapMs)
      : retryDelayMs(attemptNo, Math.random, deps.retryBaseMs);
  await finish(
    deps,
    row,
    result,
    { ...done, status: 'pending', next_attempt_at: now + delayMs, ...failure, ...onRetry },
    now,
  );
  count('retry');
  return { kind: 'retry', delayMs, error: result.error ?? 'failed' };
}

/** How long a job waits for the receiver's rest to end. */
const restLeftMs = (state: ReceiverState): number => Math.max(250, state.restUntil - Date.now());

/** Puts a job back to run again in `ms`, without spending one of its attempts. */
async function runAgainIn(job: Job<DeliveryJobData>, ms: number, token: string | undefined): Promise<never> {
  await job.moveToDelayed(Date.now() + ms, token);
  throw new DelayedError();
}

/** A delivery's own job: send it unless an earlier one of its receiver and incident is still pending. */
async function deliverOne(
  deps: DeliveryWorkerDeps,
  state: ReceiverState,
  job: Job<DeliveryJobData>,
  deliveryId: string,
  token: string | undefined,
): Promise<void> {
  const repo = new DeliveriesRepo(deps.store.db, deps.store.dialect);
  const row = await repo.getDelivery(deliveryId);
  // Sent already, or still owned by a relay job (this job was added by a sweep that lost a race with it).
  if (!row || row.status !== 'pending' || row.job_id !== null) return;
  const earlier = await repo.pendingBefore(row);
  const waitMs = earlier ? holdBack(deps, state, row, earlier) : undefined;
  const result = waitMs === undefined ? await attempt(deps, state, row, {}) : undefined;
  if (waitMs !== undefined || result?.kind === 'resting') {
    await runAgainIn(job, waitMs ?? restLeftMs(state), token);
  }
  if (result?.kind === 'retry') throw new RetryLater(result.error, result.delayMs);
}

/**
 * A relay job: the first attempt of the deliveries it owns, with the receiver's concurrency, each incident's in order
 * (after those of earlier relay jobs of this process). A delivery to retry, or to hold back for an earlier one
 * pending elsewhere, goes to a job of its own. While the receiver rests the job waits for the rest to end, whole.
 */
async function deliverRelayed(
  deps: DeliveryWorkerDeps,
  state: ReceiverState,
  job: Job<DeliveryJobData>,
  deliveryIds: string[],
  token: string | undefined,
): Promise<void> {
  const repo = new DeliveriesRepo(deps.store.db, deps.store.dialect);
  const owned = (row: DeliveryRow | undefined): row is DeliveryRow =>
    row !== undefined && row.status === 'pending' && row.job_id === job.id;
  const ownJob = (row: DeliveryRow, delayMs: number) =>
    enqueueOwnJobs(deps.store, deps.queues, (id) => deps.receiver(id)?.maxAttempts, [row], delayMs);
  const restLater = () => runAgainIn(job, restLeftMs(state), token);
  // Woken while the receiver rests (a job taken just before it began): nothing is read or tried.
  if (state.resting) return restLater();
  const rows = (await repo.getDeliveries(deliveryIds)).filter(owned);
  // Incidents with a pending delivery older than this job's first: those are checked again before each of theirs
  // (after relay jobs of this process that hold them); the others cannot have one, unless this job leaves one behind.
  const firstSeq = new Map<string, number>();
  for (const row of rows) if (!firstSeq.has(row.order_key)) firstSeq.set(row.order_key, row.seq);
  const earliest = rows.length > 0 ? await repo.earliestPending(rows[0].receiver_id, [...firstSeq.keys()]) : new Map();
  const unsettled = new Set([...firstSeq].filter(([key, seq]) => (earliest.get(key) ?? seq) < seq).map(([key]) => key));
  let resting = false;
  const sendInOrder = (first: DeliveryRow) =>
    inLane(state, first.order_key, async (waited) => {
      if (state.resting) {
        resting = true;
        return;
      }
      // Read again when the row may have changed while it waited.
      const row = waited ? await repo.getDelivery(first.delivery_id) : first;
      if (!owned(row)) {
        unsettled.add(first.order_key);
        return;
      }
      const earlier = unsettled.has(row.order_key) ? await repo.pendingBefore(row) : undefined;
      if (earlier) {
        const waitMs = holdBack(deps, state, row, earlier);
        if (await repo.handOver(row.delivery_id, job.id as string)) await ownJob(row, waitMs);
        return;
      }
      const result = await attempt(deps, state, row, { job_id: null, queued: 0 });
      if (result.kind !== 'done') unsettled.add(row.order_key);
      if (result.kind === 'resting') resting = true;
      else if (result.kind === 'retry') await ownJob(row, result.delayMs);
    });
  const outcomes = await Promise.allSettled(rows.map(sendInOrder));
  const failed = outcomes.find((outcome) => outcome.status === 'rejected');
  // The store or Redis failed for some: the job runs again later; what was done is not done twice.
  if (failed) throw (failed as PromiseRejectedResult).reason;
  if (resting) await restLater();
}

/** The worker of one receiver's queue: at most `concurrency` requests to it at once. */
export interface ReceiverWorker {
  close(): Promise<void>;
}

export function startReceiverWorker(deps: DeliveryWorkerDeps, webhook: Webhook): ReceiverWorker {
  const state: ReceiverState = {
    agents: receiverAgents(webhook.concurrency),
    slots: new Slots(webhook.concurrency),
    waiting: new Map(),
    lanes: new Map(),
    failures: 0,
    restUntil: 0,
  };
  const connection: Redis = createWorkerConnection(deps.redis);
  connection.on('error', (error) => deps.logger.warn({ err: error.message }, 'delivery worker redis connection error'));
  const worker = new Worker<DeliveryJobData>(
    deliveryQueueName(webhook.id),
    (job, token) =>
      'delivery_ids' in job.data
        ? deliverRelayed(deps, state, job, job.data.delivery_ids, token)
        : deliverOne(deps, state, job, job.data.delivery_id, token),
    {
      connection,
      prefix: queuePrefix(deps.redis.prefix),
      // Relay jobs and deliveries' own jobs share the receiver's requests (`slots`); this bounds the jobs held.
      concurrency: webhook.concurrency,
      lockDuration: deps.lockDuration ?? 30_000,
      stalledInterval: deps.stalledInterval ?? 30_000,
      maxStalledCount: 100,
      settings: {
        backoffStrategy: (attemptsMade: number, _type?: string, error?: Error) =>
          error instanceof RetryLater ? error.delayMs : cappedExponentialBackoff(attemptsMade),
      },
    },
  );
  state.worker = worker;
  worker.on('failed', (job, error) => {
    if (error instanceof RetryLater || !job) return;
    const exhausted = job.attemptsMade >= (job.opts.attempts ?? 1);
    deps.logger.error(
      { job_id: job.id, receiver: webhook.id, err: error.message },
      exhausted ? 'delivery job failed; the sweep enqueues it again' : 'delivery job failed; it will be retried',
    );
    // The job is gone but its deliveries are still pending: the sweep picks them up again.
    if (exhausted) {
      const repo = new DeliveriesRepo(deps.store.db, deps.store.dialect);
      const released =
        'delivery_ids' in job.data
          ? repo.releaseRelayJob(webhook.id, job.id as string)
          : repo.markUnqueued(job.data.delivery_id);
      void released.catch(() => undefined);
    }
  });
  worker.on('error', (error) => deps.logger.warn({ err: error.message }, 'delivery worker error'));
  return {
    async close() {
      clearTimeout(state.resting);
      await worker.close();
      connection.disconnect();
      state.agents.http.destroy();
      state.agents.https.destroy();
    },
  };
}
