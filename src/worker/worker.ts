import { UnrecoverableError, Worker, type Job, type Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Config } from '../config/types.js';
import { newId } from '../events/ids.js';
import {
  cappedExponentialBackoff,
  createIngestQueue,
  ingestQueueName,
  isolatedJobOptions,
  type IngestJobData,
} from '../queue/ingest-queue.js';
import { createWorkerConnection, queuePrefix, type RedisSettings } from '../queue/redis.js';
import { createTimerQueue, scheduleTimers, type TimerJobData } from '../queue/timer-queue.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import { isStoreUnavailable } from '../store/availability.js';
import type { StoreDatabase } from '../store/database.js';
import { EventsRepo } from '../store/events-repo.js';
import { alertNotYetKnown, processAcknowledgeJob } from './acknowledge-job.js';
import { applyBatch } from './apply-batch.js';
import { signalIncidentsChanged } from '../incidents/change-signal.js';
import { IngestLag } from './ingest-lag.js';
import { ApplyLanes, type BatchApplier, type EventFailure } from './lanes.js';
import { StoredSilences } from '../silences/cache.js';
import { rulesFromConfig, type WorkerRules } from './stage.js';
import { createIdleAlertSweeper } from './idle-alerts.js';
import { createRetentionWorker } from './retention-worker.js';
import { createTimerWorker, timersForStoredEvents } from './timer-worker.js';
import { createChangeWorker } from '../changes/change-worker.js';
import { createHeartbeatQueue } from '../heartbeats/heartbeat-queue.js';
import { createHeartbeatService, type HeartbeatService } from '../heartbeats/heartbeat-worker.js';
import type { DeliveryOutlet } from '../notify/delivery-channel.js';
import { Notifier, type NotifierDeps } from '../notify/notifier.js';

export interface WorkerDeps {
  config: Config;
  store: StoreDatabase;
  redis: RedisSettings;
  logger: Logger;
  /** The notifier's logger (the `notifier` role's); default: the worker's. */
  notifierLogger?: Logger;
  metrics: Metrics;
  clock?: () => number;
  /** Jobs fetched at once (default 64). */
  concurrency?: number;
  /**
   * Serial apply lanes (default 1 on SQLite, 2 on PostgreSQL: one lane's statements overlap the other's work, and
   * fewer lanes make larger batches, each costing the store a few statements whatever its size).
   */
  lanes?: number;
  /** How long a job stays claimed without a heartbeat before another worker takes it over (ms). */
  lockDuration?: number;
  stalledInterval?: number;
  /** The adapters' `auto_resolve` defaults by adapter name (default: none). */
  adapterDefaults?: () => ReadonlyMap<string, number>;
  /** How often idle alerts are looked for (default every minute). */
  idleSweepEveryMs?: number;
  /** PUBLIC_URL: where the links of outbound webhooks point (default http://localhost:8080). */
  publicUrl?: string;
  /** Outbound delivery timings (tests shorten them). */
  delivery?: Pick<NotifierDeps, 'retryBaseMs' | 'sweepIntervalMs' | 'sweepGraceMs'>;
  /**
   * Where committed deliveries go when a notifier runs elsewhere (its own thread): then this worker sends nothing
   * itself. Absent: the worker runs the notifier in this thread.
   */
  deliveries?: DeliveryOutlet;
}

export interface RunningWorker {
  /** Stops fetching, finishes the jobs in hand, then disconnects. */
  close(): Promise<void>;
  /** Replaces the configuration applied to the next events. */
  setConfig(config: Config): void;
}

/** Applies a batch with the rules in force when it starts, then schedules its auto-resolve timers. */
function batchApplier(
  deps: WorkerDeps,
  clock: () => number,
  currentRules: () => WorkerRules,
  timerQueue: Queue<TimerJobData>,
  deliveries: DeliveryOutlet,
  announce: Redis,
  lag: IngestLag,
): BatchApplier {
  return async (events) => {
    const stopTimer = deps.metrics.workerBatchDuration.startTimer();
    // A reload swaps the rules between batches, never inside one.
    const rules = currentRules();
    const result = await applyBatch(deps.store, rules, events, clock, newId);
    stopTimer();
    lag.stored(events);
    // After the commit, before the jobs complete: a crash in between redelivers the jobs, which schedule again.
    const redeliveredTimers = await timersForStoredEvents(
      new EventsRepo(deps.store.db, deps.store.dialect),
      rules.channels,
      result.redelivered.map((event) => event.event_id),
    );
    await scheduleTimers(timerQueue, [...result.timers, ...redeliveredTimers], clock);
    // Committed outbox entries are safe in the store: relayed now, or by the notifier's next look if this fails.
    if (result.deliveries.length > 0)
      await deliveries
        .relay(result.deliveries)
        .catch((error: Error) =>
          deps.logger.warn({ err: error.message, count: result.deliveries.length }, 'outbox not relayed yet'),
        );
    // Committed: the console's live lists may show the incidents these events touched.
    await signalIncidentsChanged(
      announce,
      deps.redis.prefix,
      result.applied.map((a) => a.processed.incidentId),
    );
    const now = clock();
    for (const { event, processed } of result.applied) {
      deps.metrics.workerEvents.inc({ integration: event.integration_id, outcome: processed.outcome });
      deps.metrics.eventLatency.observe((now - event.received_at) / 1000);
    }
    if (result.redelivered.length > 0) {
      deps.metrics.redelivered.inc(result.redelivered.length);
      deps.logger.info({ count: result.redelivered.length }, 'skipped events already stored (redelivered job)');
    }
    return result.failed;
  };
}

/** Lanes that hold their events while the store is unreachable and apply them, in order, once it is back. */
function createLanes(deps: WorkerDeps, apply: BatchApplier): ApplyLanes {
  let holding = false;
  return new ApplyLanes(apply, deps.lanes ?? (deps.store.dialect === 'sqlite' ? 1 : 2), {
    retryWhile: isStoreUnavailable,
    onHold: (error, delayMs) => {
      deps.metrics.storeUnavailable.set(1);
      if (!holding)
        deps.logger.warn(
          { err: (error as Error).message, store: deps.store.location },
          'database unavailable: holding events and retrying until it is back',
        );
      else deps.logger.debug({ err: (error as Error).message, retry_in_ms: delayMs }, 'database still unavailable');
      holding = true;
    },
    onResume: () => {
      deps.metrics.storeUnavailable.set(0);
      if (holding) deps.logger.info({ store: deps.store.location }, 'database available again: held events applied');
      holding = false;
    },
  });
}

/**
 * Events of a job that failed on their own: each goes alone into a job of its own that is not retried, so it lands
 * in the failed jobs with its reason (`GET /api/v1/failed-jobs`, retried there after a fix) while the rest of its
 * job is stored. The job id is the event's, so a redelivered job sets the same event aside once.
 */
async function setAside(
  deps: WorkerDeps,
  queue: Queue<IngestJobData>,
  job: Job<IngestJobData>,
  failures: EventFailure[],
): Promise<void> {
  if (job.data.isolated) throw new UnrecoverableError(failures.map((failure) => failure.reason).join('; '));
  for (const { event, reason } of failures) {
    deps.metrics.isolatedEvents.inc({ integration: String(event.integration_id) });
    deps.logger.error(
      { job_id: job.id, event_id: event.event_id, integration: event.integration_id, err: reason },
      'event cannot be stored; set aside in the failed jobs, the rest of its batch is stored',
    );
  }
  await queue.addBulk(
    failures.map(({ event }) => ({
      name: 'events',
      data: { events: [event], isolated: true },
      opts: { ...isolatedJobOptions, jobId: `isolated-${String(event.event_id)}` },
    })),
  );
}

function startIngestWorker(
  deps: WorkerDeps,
  lanes: ApplyLanes,
  queue: Queue<IngestJobData>,
  heartbeats: HeartbeatService,
  outbound: Parameters<typeof processAcknowledgeJob>[4],
): { worker: Worker<IngestJobData>; connection: Redis } {
  const connection = createWorkerConnection(deps.redis);
  connection.on('error', (error) => deps.logger.warn({ err: error.message }, 'worker redis connection error'));
  const worker = new Worker<IngestJobData>(
    ingestQueueName,
    async (job: Job<IngestJobData>) => {
      if (job.data?.acknowledge)
        return processAcknowledgeJob(deps, job, job.data.acknowledge, (deps.clock ?? Date.now)(), outbound);
      if (!Array.isArray(job.data?.events)) throw new UnrecoverableError(`job ${job.id ?? ''} holds no events list`);
      const failures = await lanes.submit(job.data.events);
      if (failures.length > 0) await setAside(deps, queue, job, failures);
      // Any event of a heartbeat's integration is its ping (Alertmanager's Watchdog).
      await heartbeats.pingFromEvents(job.data.events);
    },
    {
      connection,
      prefix: queuePrefix(deps.redis.prefix),
      concurrency: deps.concurrency ?? 64,
      lockDuration: deps.lockDuration ?? 30_000,
      stalledInterval: deps.stalledInterval ?? 30_000,
      // A crashed worker's jobs come back; they are idempotent, so letting them come back often loses nothing.
      maxStalledCount: 100,
      settings: { backoffStrategy: (attemptsMade: number) => cappedExponentialBackoff(attemptsMade) },
    },
  );
  worker.on('failed', (job, error) => {
    // An acknowledge waiting for its alert is expected, not a failure.
    if (error.name === alertNotYetKnown)
      return deps.logger.info(
        { job_id: job?.id, err: error.message },
        'drop-in acknowledge waits for its alert; retrying',
      );
    deps.logger.error(
      { job_id: job?.id, attempts: job?.attemptsMade, err: error.message },
      'ingest job failed; it will be retried or kept in the failed set',
    );
  });
  worker.on('error', (error) => deps.logger.warn({ err: error.message }, 'worker error'));
  return { worker, connection };
}

/**
 * Starts the worker role: takes jobs from the ingest queue and applies their events to the store, and fires the
 * auto-resolve timers of the `timers` queue.
 */
export function createWorker(deps: WorkerDeps): RunningWorker {
  const clock = deps.clock ?? Date.now;
  // One cache for the worker's life: a configuration reload keeps the API silences already read.
  const storedSilences = new StoredSilences();
  let config = deps.config;
  let rules = rulesFromConfig(config, storedSilences, deps.publicUrl);
  // The notifier runs here unless it has a thread of its own (then committed deliveries are handed to it).
  let notifier: Notifier | undefined;
  let deliveries: DeliveryOutlet;
  if (deps.deliveries) deliveries = deps.deliveries;
  else {
    notifier = new Notifier({
      store: deps.store,
      redis: deps.redis,
      logger: deps.notifierLogger ?? deps.logger,
      metrics: deps.metrics,
      clock,
      webhooks: deps.config.webhooks,
      outbox: () => rules.outbox,
      ...deps.delivery,
      ...(deps.stalledInterval !== undefined && { stalledInterval: deps.stalledInterval }),
      ...(deps.lockDuration !== undefined && { lockDuration: deps.lockDuration }),
    });
    deliveries = notifier;
  }
  const timerConnection = createWorkerConnection(deps.redis);
  timerConnection.on('error', (error) =>
    deps.logger.warn({ err: error.message }, 'timer queue redis connection error'),
  );
  const timerQueue = createTimerQueue(timerConnection, deps.redis.prefix);
  const ingestQueue = createIngestQueue(timerConnection, deps.redis.prefix);
  const timers = createTimerWorker({
    ...deps,
    clock,
    channels: () => rules.channels,
    queue: timerQueue,
    outbox: () => rules.outbox,
    enqueueDeliveries: (entries) => deliveries.relay(entries),
    announce: timerConnection,
  });
  const changes = createChangeWorker({ ...deps, clock });
  let heartbeatList = deps.config.heartbeats ?? [];
  const heartbeatQueue = createHeartbeatQueue(timerConnection, deps.redis.prefix);
  const heartbeats = createHeartbeatService({
    ...deps,
    clock,
    heartbeats: () => heartbeatList,
    queue: heartbeatQueue,
    ingestQueue,
  });
  heartbeats.schedule();
  let integrations = deps.config.integrations;
  const idleAlerts = createIdleAlertSweeper({
    ...deps,
    clock,
    integrations: () => integrations,
    adapterDefaults: deps.adapterDefaults ?? (() => new Map()),
    ingestQueue,
    ...(deps.idleSweepEveryMs !== undefined && { everyMs: deps.idleSweepEveryMs }),
  });
  const lag = new IngestLag(clock, () => lanes.oldestWaitingReceivedAt());
  const lanes: ApplyLanes = createLanes(
    deps,
    batchApplier(deps, clock, () => rules, timerQueue, deliveries, timerConnection, lag),
  );
  const { worker, connection } = startIngestWorker(deps, lanes, ingestQueue, heartbeats, {
    outbox: () => rules.outbox,
    enqueue: (entries) => deliveries.relay(entries),
  });
  const retention = createRetentionWorker({
    ...deps,
    clock,
    settings: () => config.retention,
    lagMs: () => lag.current(),
  });
  return {
    async close() {
      lanes.stop();
      await Promise.all([
        worker.close(),
        timers.close(),
        changes.close(),
        heartbeats.close(),
        idleAlerts.close(),
        retention.close(),
        notifier?.close(),
      ]);
      await Promise.all([timerQueue.close(), ingestQueue.close(), heartbeatQueue.close()]);
      connection.disconnect();
      timerConnection.disconnect();
    },
    setConfig(next: Config) {
      config = next;
      rules = rulesFromConfig(config, storedSilences, deps.publicUrl);
      void notifier?.setWebhooks(config.webhooks);
      heartbeatList = config.heartbeats ?? [];
      integrations = config.integrations;
      heartbeats.schedule();
      retention.reschedule();
    },
  };
}
