import type { Redis } from 'ioredis';
import type { Config, Webhook } from '../config/types.js';
import { newId } from '../events/ids.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import { DeliveryQueues } from '../queue/delivery-queue.js';
import { createWorkerConnection, type RedisSettings } from '../queue/redis.js';
import type { StoreDatabase } from '../store/database.js';
import { DeliveriesRepo, type OutboxRow } from '../store/deliveries-repo.js';
import { bindRepos } from '../store/repos.js';
import { inTransaction } from '../store/transaction.js';
import { AttemptLog, startReceiverWorker, type ReceiverWorker } from './delivery-worker.js';
import { handedChangesOf, listenForOutbox, type DeliveryOutlet, type HandedChanges } from './delivery-channel.js';
import {
  bodyOf,
  deliveriesOf,
  handedBodyText,
  handedOverBody,
  outboxOf,
  recordChanges,
  type Change,
  type HandedChange,
  type Outbox,
  type OutboxEntry,
} from './outbox.js';
import { enqueueOwnJobs } from './own-jobs.js';
import type { WebhookEventType } from './webhook-body.js';

/** The deliveries of one relay pass to one receiver, and the job that sends them. */
export interface RelayedDeliveries {
  jobId: string;
  receiverId: string;
  deliveryIds: string[];
}

/** Where the bodies of outbox rows written without one come from (see recordChanges' `deferred`). */
export interface RowBodies {
  /** The body the writing thread handed over, if it reached this notifier. */
  handed(changeId: string): string | undefined;
  /**
   * The body built from the incident or alert as it is now; `gone` when neither exists any more, undefined when it
   * cannot be built here (no receivers configured in this process).
   */
  rebuild(row: OutboxRow, now: number): Promise<string | 'gone' | undefined>;
}

/** How long a row without its body waits for its change to be handed over (to the notifier of the writing process). */
export const handOverGraceMs = 2_000;

/** Handed-over changes kept for rows not relayed yet: at most this long, and at most this many (about 1 KiB each). */
const handedChangesKeptMs = 60_000;
const handedChangesKept = 50_000;

/**
 * Bodies of rows written without one: those handed to this notifier, else (the writing process died before relaying
 * them) the incident or alert as it is when relayed.
 */
export function rowBodies(
  store: StoreDatabase,
  outbox: () => Outbox | undefined,
  handed: (changeId: string) => string | undefined = () => undefined,
): RowBodies {
  return {
    handed,
    async rebuild(row, now) {
      const context = outbox();
      if (!context) return undefined;
      const change: Change = {
        change_id: row.change_id,
        event_type: row.event_type as WebhookEventType,
        channel_id: row.channel_id,
        ...(row.incident_id !== null && { incident_id: row.incident_id }),
        ...(row.alert_id !== null && { alert_id: row.alert_id }),
      };
      const body = await bodyOf(bindRepos(store.db, store.dialect), context, change, now);
      return body ? JSON.stringify(body) : 'gone';
    },
  };
}

/**
 * For a relay outside the notifiers (an API action relaying its own change at once): rows that carry their bodies go,
 * and the first one without stops the pass; the notifiers, which hold or build those bodies (and report the changes
 * that cannot be sent), take it from there.
 */
export const writtenBodiesOnly: RowBodies = {
  handed: () => undefined,
  rebuild: async () => undefined,
};

/**
 * The oldest committed outbox rows that can be relayed now, with their bodies, in order; and those that never can
 * (their incident or alert is gone). A row whose body is still on its way to the notifier of the process that wrote
 * it ends the batch: taking the rows behind it would send their changes first.
 */
async function relayableRows(
  store: StoreDatabase,
  batchSize: number,
  now: number,
  bodies: RowBodies,
): Promise<{ rows: OutboxRow[]; unsendable: OutboxRow[] }> {
  const rows: OutboxRow[] = [];
  const unsendable: OutboxRow[] = [];
  for (const row of await new DeliveriesRepo(store.db, store.dialect).outboxBatch(batchSize)) {
    if (row.body !== handedOverBody) {
      rows.push(row);
      continue;
    }
    const handed = bodies.handed(row.change_id);
    if (handed === undefined && now - row.created_at < handOverGraceMs) break;
    const body = handed ?? (await bodies.rebuild(row, now));
    if (body === undefined) break;
    if (body === 'gone') unsendable.push(row);
    else rows.push({ ...row, body });
  }
  return { rows, unsendable };
}

/**
 * Turns the oldest committed outbox rows into deliveries, keeps each change's body once, and removes the rows, in one
 * transaction. The deliveries of each receiver belong to one relay job, named here (or in `byReceiver`, the jobs of
 * earlier transactions of the same pass, which the new deliveries join) and added once this commits; until the job
 * is gone they are its own (the sweep gives them jobs of their own if it never comes: a crash before it was added).
 * Several notifiers doing so at once write each delivery once (its id is the receiver's and the change's), owned by
 * the first one's job. Returns the jobs to add, the rows taken and the rows removed unsent.
 */
export async function expandOutbox(
  store: StoreDatabase,
  batchSize: number,
  bodies: RowBodies,
  now = Date.now(),
  byReceiver = new Map<string, RelayedDeliveries>(),
): Promise<{ rows: OutboxRow[]; unsendable: OutboxRow[]; relayed: RelayedDeliveries[] }> {
  const { rows, unsendable } = await relayableRows(store, batchSize, now, bodies);
  if (rows.length === 0 && unsendable.length === 0) return { rows, unsendable, relayed: [] };
  const deliveries = deliveriesOf(rows).map((delivery) => {
    let relayed = byReceiver.get(delivery.receiver_id);
    if (!relayed) {
      relayed = { jobId: `r${newId()}`, receiverId: delivery.receiver_id, deliveryIds: [] };
      byReceiver.set(delivery.receiver_id, relayed);
    }
    relayed.deliveryIds.push(delivery.delivery_id);
    // `updated_at`: when it was relayed, which the sweep's grace is counted from.
    return { ...delivery, job_id: relayed.jobId, queued: 1, updated_at: now };
  });
  await inTransaction(store, async (trx) => {
    const repo = new DeliveriesRepo(trx, store.dialect);
    await repo.insertChangeBodies(rows);
    await repo.insertDeliveries(deliveries);
    await repo.removeOutbox([...rows, ...unsendable].map((row) => row.seq));
  });
  return { rows, unsendable, relayed: [...byReceiver.values()] };
}

/** Adds the relay jobs of committed deliveries (none for a receiver no longer configured: the sweep sees to those). */
export async function enqueueRelayed(
  queues: DeliveryQueues,
  webhooks: readonly Webhook[],
  relayed: readonly RelayedDeliveries[],
): Promise<void> {
  for (const { jobId, receiverId, deliveryIds } of relayed) {
    const webhook = webhooks.find((candidate) => candidate.id === receiverId);
    if (webhook) await queues.enqueueRelayed(receiverId, jobId, deliveryIds, webhook.maxAttempts);
  }
}

/**
 * How many outbox rows one relay transaction takes. SQLite has a single writer: while a relay transaction writes its
 * rows' deliveries (three receivers: about 50 µs a row with their indexes), the pipeline waits for it in full, so
 * relays there write a few rows at a time and let the pipeline in between. PostgreSQL writers do not wait for each
 * other on these rows: larger transactions mean fewer round trips.
 */
export function relayBatchSize(store: StoreDatabase): number {
  return store.dialect === 'sqlite' ? 50 : 500;
}

/**
 * At most how many outbox rows' deliveries one relay job of a receiver sends: a job is added once its rows are all
 * committed, so this also bounds how long the first of them waits for it when the pipeline keeps the writer busy.
 */
const relayJobRows = 200;

/**
 * Relays the committed outbox: its rows become deliveries, which are then enqueued, one relay job per receiver and
 * pass (or per `relayJobRows` rows of a long one). A crash in between leaves deliveries whose job never came, which
 * the sweep enqueues. `onRelayed` hears of the rows relayed and of those removed unsent. Returns how many outbox rows
 * were relayed.
 */
export async function relayOutbox(
  store: StoreDatabase,
  queues: DeliveryQueues,
  webhooks: readonly Webhook[],
  bodies: RowBodies,
  onRelayed: (rows: readonly OutboxRow[], unsendable: readonly OutboxRow[]) => void = () => undefined,
  batchSize = relayBatchSize(store),
): Promise<number> {
  let total = 0;
  // The deliveries of several transactions share their receivers' relay jobs, added at the end of the pass or every
  // `relayJobRows` rows: a job costs two scripts in Redis whatever its size.
  let jobs = new Map<string, RelayedDeliveries>();
  let rowsInJobs = 0;
  try {
    for (;;) {
      const { rows, unsendable } = await expandOutbox(store, batchSize, bodies, Date.now(), jobs);
      if (rows.length + unsendable.length > 0) onRelayed(rows, unsendable);
      total += rows.length;
      rowsInJobs += rows.length;
      const done = rows.length + unsendable.length < batchSize;
      if (done || rowsInJobs >= relayJobRows) {
        const full = [...jobs.values()];
        jobs = new Map();
        rowsInJobs = 0;
        await enqueueRelayed(queues, webhooks, full);
      }
      if (done) return total;
    }
  } finally {
    // A transaction that failed after others committed: their jobs are added all the same.
    if (jobs.size > 0) await enqueueRelayed(queues, webhooks, [...jobs.values()]);
  }
}

export interface NotifierDeps {
  store: StoreDatabase;
  redis: RedisSettings;
  logger: Logger;
  metrics: Metrics;
  clock: () => number;
  webhooks: readonly Webhook[];
  /** The outbox in force (receivers, names, links, repeat intervals); absent: nothing repeats. */
  outbox?: () => Outbox | undefined;
  /** How often committed deliveries without a job are looked for, and gauges refreshed (default 15 s). */
  sweepIntervalMs?: number;
  /** A delivery this old without a job is enqueued by the sweep (default 10 s: the relay enqueues it first). */
  sweepGraceMs?: number;
  /** How often the outbox is looked at without being told of a commit (default 1 s). */
  relayIntervalMs?: number;
  retryBaseMs?: number;
  stalledInterval?: number;
  lockDuration?: number;
}

/** The sending half of the worker role: the outbox relay, one queue worker per receiver, the sweep, the gauges. */
export class Notifier implements DeliveryOutlet {
  private webhooks: readonly Webhook[];
  private readonly connection: Redis;
  readonly queues: DeliveryQueues;
  private readonly attempts: AttemptLog;
  private readonly workers = new Map<string, { webhook: Webhook; worker: ReceiverWorker }>();
  private readonly timer: NodeJS.Timeout;
  private readonly relayTimer: NodeJS.Timeout;
  private sweeping: Promise<void> = Promise.resolve();
  /** The relay pass running, if any, and whether a commit was announced since it began. */
  private relaying: Promise<void> | undefined;
  private relayAgain = false;
  /** Changes handed over with commits, by change id, until their rows are relayed (insertion order: oldest first). */
  private readonly handed = new Map<string, { change: HandedChange; at: number }>();
  private readonly bodies: RowBodies;

  constructor(private readonly deps: NotifierDeps) {
    this.webhooks = deps.webhooks;
    this.connection = createWorkerConnection(deps.redis);
    this.connection.on('error', (error) => deps.logger.warn({ err: error.message }, 'delivery queue redis error'));
    this.queues = new DeliveryQueues(this.connection, deps.redis.prefix);
    this.attempts = new AttemptLog(deps.store);
    this.bodies = rowBodies(
      deps.store,
      () => deps.outbox?.(),
      (changeId) => {
        const kept = this.handed.get(changeId)?.change;
        if (kept === undefined) return undefined;
        // The body is built here, when relayed, from the incident or alert as the pipeline handed it over.
        const context = deps.outbox?.();
        return context && handedBodyText(context, changeId, kept);
      },
    );
    this.startWorkers();
    this.timer = setInterval(() => {
      this.sweeping = this.sweep().catch((error: Error) =>
        deps.logger.warn({ err: error.message }, 'delivery sweep failed; it runs again'),
      );
    }, deps.sweepIntervalMs ?? 15_000);
    this.timer.unref();
    // Changes committed by other processes, or announced by a message that was lost, are relayed within a second.
    this.relayTimer = setInterval(() => void this.relay([]), deps.relayIntervalMs ?? 1_000);
    this.relayTimer.unref();
  }

  /**
   * Takes the changes handed over with a commit. Changes whose rows another notifier relayed are let go after a
   * while, and the oldest beyond a bound (a relay that cannot keep up): their rows get bodies built when relayed.
   */
  receive(changes: HandedChanges): void {
    const now = this.deps.clock();
    for (const [changeId, change] of changes) this.handed.set(changeId, { change, at: now });
    for (const [changeId, { at }] of this.handed) {
      if (now - at < handedChangesKeptMs && this.handed.size <= handedChangesKept) break;
      this.handed.delete(changeId);
    }
  }

  /**
   * Relays the committed outbox (whatever `entries` says: any commit may have left rows), taking the bodies the
   * entries carry. One pass at a time; commits announced during a pass start another once it ends. Resolves when the
   * outbox was empty at some point after the call, but for rows whose bodies are on their way.
   */
  relay(entries: readonly OutboxEntry[]): Promise<void> {
    this.receive(handedChangesOf(entries));
    if (this.relaying) {
      this.relayAgain = true;
      return this.relaying;
    }
    const pass = async () => {
      do {
        this.relayAgain = false;
        await relayOutbox(this.deps.store, this.queues, this.webhooks, this.bodies, (rows, unsendable) =>
          this.relayed(rows, unsendable),
        ).catch((error: Error) =>
          this.deps.logger.warn({ err: error.message }, 'outbox not relayed yet; it is tried again within a second'),
        );
      } while (this.relayAgain);
    };
    this.relaying = pass().finally(() => {
      this.relaying = undefined;
    });
    return this.relaying;
  }

  private relayed(rows: readonly OutboxRow[], unsendable: readonly OutboxRow[]): void {
    for (const row of [...rows, ...unsendable]) this.handed.delete(row.change_id);
    if (unsendable.length > 0)
      this.deps.logger.warn(
        { changes: unsendable.map((row) => row.change_id) },
        'changes not sent: their incident or alert was removed before they were relayed',
      );
  }

  /** A reloaded configuration: workers for new or changed receivers, none for removed ones. */
  async setWebhooks(webhooks: readonly Webhook[]): Promise<void> {
    this.webhooks = webhooks;
    const wanted = new Map(webhooks.map((webhook) => [webhook.id, webhook]));
    for (const [id, running] of this.workers) {
      const next = wanted.get(id);
      if (!next || next.concurrency !== running.webhook.concurrency) {
        this.workers.delete(id);
        await running.worker.close();
      }
    }
    this.startWorkers();
  }

  /**
   * Enqueues deliveries committed a while ago that have no job: those whose relay job is gone (a crash before it was
   * added; it failed for good) first become deliveries without a job. Then refreshes the per-receiver gauges.
   */
  async sweep(): Promise<void> {
    const repo = new DeliveriesRepo(this.deps.store.db, this.deps.store.dialect);
    const now = this.deps.clock();
    const graceEnd = now - (this.deps.sweepGraceMs ?? 10_000);
    for (const webhook of this.webhooks)
      for (const jobId of await repo.relayJobsOf(webhook.id, graceEnd))
        if (!(await this.queues.queue(webhook.id).getJob(jobId))) await repo.releaseRelayJob(webhook.id, jobId);
    const unqueued = await repo.unqueued(graceEnd, 1000);
    if (unqueued.length > 0) {
      const attempts = new Map(this.webhooks.map((webhook) => [webhook.id, webhook.maxAttempts]));
      await enqueueOwnJobs(this.deps.store, this.queues, (id) => attempts.get(id), unqueued);
      this.deps.logger.info({ count: unqueued.length }, 'enqueued committed deliveries that had no job');
    }
    await this.repeat(now);
    const pending = new Map(this.webhooks.map((webhook) => [webhook.id, { count: 0, oldest: now }]));
    for (const row of await repo.receiverCounts())
      if (row.status === 'pending' && pending.has(row.receiver_id))
        pending.set(row.receiver_id, { count: row.count, oldest: row.oldest });
    for (const [receiver, { count, oldest }] of pending) {
      this.deps.metrics.deliveriesPending.set({ receiver }, count);
      this.deps.metrics.deliveriesOldestPendingSeconds.set({ receiver }, Math.max(0, (now - oldest) / 1000));
    }
  }

  /**
   * Writes an `i_repeat` for each incident due (channel `notify.repeat_interval`), in the same way as any change. Its
   * event id names the incident and the interval it is for, so several workers sweeping at once write it once.
   */
  async repeat(now: number): Promise<void> {
    const outbox = this.deps.outbox?.();
    if (!outbox) return;
    for (const [channelId, intervalMs] of outbox.repeatIntervals) {
      const due = await new DeliveriesRepo(this.deps.store.db, this.deps.store.dialect).incidentsDueForRepeat(
        channelId,
        now,
        intervalMs,
        500,
      );
      if (due.length === 0) continue;
      const changes: Change[] = due.map((incident) => ({
        change_id: `${incident.incident_id}.repeat.${Math.floor((now - incident.created_at) / intervalMs)}`,
        event_type: 'i_repeat',
        channel_id: channelId,
        incident_id: incident.incident_id,
      }));
      const written = await inTransaction(this.deps.store, (trx) =>
        recordChanges(bindRepos(trx, this.deps.store.dialect), outbox, changes, now),
      );
      await this.relay(written);
    }
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    clearInterval(this.relayTimer);
    await this.sweeping;
    await this.relaying;
    await Promise.all([...this.workers.values()].map((running) => running.worker.close()));
    this.workers.clear();
    await this.queues.close();
    this.connection.disconnect();
  }

  private startWorkers(): void {
    for (const webhook of this.webhooks) {
      if (this.workers.has(webhook.id)) {
        this.workers.set(webhook.id, { ...(this.workers.get(webhook.id) as { worker: ReceiverWorker }), webhook });
        continue;
      }
      const worker = startReceiverWorker(
        {
          ...this.deps,
          queues: this.queues,
          attempts: this.attempts,
          receiver: (id) => this.webhooks.find((candidate) => candidate.id === id),
        },
        webhook,
      );
      this.workers.set(webhook.id, { webhook, worker });
    }
  }
}

export interface NotifierRoleDeps extends Omit<NotifierDeps, 'webhooks' | 'outbox'> {
  config: Config;
  /** Where the links of outbound bodies point. */
  publicUrl: string;
}

/** A notifier on a thread of its own: sends what the other threads of this process commit, and sweeps. */
export interface RunningNotifier {
  setConfig(config: Config): void;
  close(): Promise<void>;
}

/**
 * The notifier role: the receivers' queue workers, the sweep and repeats, fed by the deliveries the pipeline threads
 * of this process announce after each commit. Sending on a thread of its own keeps the pipeline's event loop and its
 * CPU for events; Redis being slow or down then delays deliveries, never the pipeline.
 */
export function startNotifier(deps: NotifierRoleDeps): RunningNotifier {
  const outboxOfConfig = (config: Config) =>
    config.webhooks.length > 0 ? outboxOf(config, deps.publicUrl) : undefined;
  let outbox = outboxOfConfig(deps.config);
  const notifier = new Notifier({ ...deps, webhooks: deps.config.webhooks, outbox: () => outbox });
  const listener = listenForOutbox(deps.redis.prefix, (changes) => {
    notifier.receive(changes);
    void notifier.relay([]);
  });
  return {
    setConfig(config) {
      outbox = outboxOfConfig(config);
      void notifier.setWebhooks(config.webhooks);
    },
    async close() {
      listener.close();
      await notifier.close();
    },
  };
}
