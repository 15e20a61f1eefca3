import { DelayedError, type Job, type Queue } from 'bullmq';
import type { Heartbeat } from '../config/types.js';
import type { QueuedEvent } from '../events/types.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import { ingestJobOptions, type IngestJobData } from '../queue/ingest-queue.js';
import { startQueueWorker } from '../queue/queue-worker.js';
import type { RedisSettings } from '../queue/redis.js';
import type { StoreDatabase } from '../store/database.js';
import { ensureHeartbeat, heartbeatState, recordMiss, recordPing } from '../store/heartbeats-repo.js';
import { checkJobId, heartbeatQueueName, scheduleCheck, type HeartbeatJobData } from './heartbeat-queue.js';
import { deadlineOf, eventPings, missedEvent, nextCheckAfterMiss, pingRecovers, recoveredEvent } from './schedule.js';

/** What the heartbeat checks need: the store, Redis, the clock that decides due-ness, the heartbeats in force. */
export interface HeartbeatWorkerDeps {
  store: StoreDatabase;
  redis: RedisSettings;
  logger: Logger;
  metrics: Metrics;
  clock: () => number;
  /** The heartbeats in force now (a reload may change them). */
  heartbeats: () => readonly Heartbeat[];
  /** Where checks are scheduled. */
  queue: Queue<HeartbeatJobData>;
  /** Where a heartbeat's alert events go: the normal pipeline. */
  ingestQueue: Queue<IngestJobData>;
  lockDuration?: number;
  stalledInterval?: number;
}

/** The heartbeat side of the worker role. */
export interface HeartbeatService {
  /** Creates missing state and schedules each heartbeat's next check (at start and after a reload); idempotent. */
  ensureScheduled(): Promise<void>;
  /** {@link ensureScheduled} in the background, tried again every 5 s until the store and Redis take it. */
  schedule(): void;
  /** Counts the events of a job as pings of the heartbeats watching their integration. */
  pingFromEvents(events: readonly QueuedEvent[]): Promise<void>;
  close(): Promise<void>;
}

const heartbeatNamed = (deps: HeartbeatWorkerDeps, id: string): Heartbeat | undefined =>
  deps.heartbeats().find((heartbeat) => heartbeat.id === id && heartbeat.enabled);

async function queueEvent(deps: HeartbeatWorkerDeps, event: QueuedEvent, jobId?: string): Promise<void> {
  await deps.ingestQueue.add('events', { events: [event] }, { ...ingestJobOptions, ...(jobId && { jobId }) });
}

/** A ping at `at`: recorded, the alert recovered if it may be open, the next check moved to at + interval + grace. */
async function applyPing(deps: HeartbeatWorkerDeps, heartbeat: Heartbeat, at: number): Promise<void> {
  const now = deps.clock();
  const before = await ensureHeartbeat(deps.store.db, heartbeat.id, now);
  if (!(await recordPing(deps.store.db, heartbeat.id, at))) return;
  deps.metrics.heartbeatPings.inc({ heartbeat: heartbeat.id });
  if (pingRecovers(heartbeat, before, now)) await queueEvent(deps, recoveredEvent(heartbeat, at, now));
  await scheduleCheck(deps.queue, heartbeat.id, at + heartbeat.intervalMs + heartbeat.graceMs, deps.clock);
  // The check of the previous deadline has nothing left to do: drop it rather than let it fire (best effort).
  const previous = deadlineOf(heartbeat, before);
  if (previous !== at + heartbeat.intervalMs + heartbeat.graceMs)
    await deps.queue.remove(checkJobId(heartbeat.id, previous)).catch(() => undefined);
}

/**
 * A disabled heartbeat whose alert may be open (a miss recorded after its last ping) sends the recovery and counts as
 * pinged now, so the next reload does not send it again.
 */
async function closeWhenDisabled(deps: HeartbeatWorkerDeps, heartbeat: Heartbeat, now: number): Promise<void> {
  const state = await heartbeatState(deps.store.db, heartbeat.id);
  if (!state || state.last_missed_at === null || state.last_missed_at <= (state.last_ping_at ?? -1)) return;
  if (await recordPing(deps.store.db, heartbeat.id, now)) await queueEvent(deps, recoveredEvent(heartbeat, now, now));
}

/**
 * The check of the deadline `due_at`: a ping since then moved the deadline (schedule that one); otherwise the
 * period is missed: its Critical event goes to the ingest queue under an id derived from the deadline, the miss is
 * recorded once, and the next period's check is scheduled.
 */
async function fireCheck(deps: HeartbeatWorkerDeps, job: Job<HeartbeatJobData>, token: string | undefined) {
  if (job.data.kind !== 'check') return;
  const { heartbeat_id: id, due_at: dueAt } = job.data;
  const heartbeat = heartbeatNamed(deps, id);
  if (!heartbeat) return;
  const now = deps.clock();
  const state = await ensureHeartbeat(deps.store.db, id, now);
  const deadline = deadlineOf(heartbeat, state);
  if (deadline > dueAt) return scheduleCheck(deps.queue, id, deadline, deps.clock);
  if (now < dueAt) {
    // Fired before the clock reached its due time (an injected clock, a promoted job): wait for what is left.
    await job.moveToDelayed(Date.now() + Math.max(1, dueAt - now), token);
    throw new DelayedError();
  }
  await queueEvent(deps, missedEvent(heartbeat, dueAt, now), `heartbeat-missed-${id}-${dueAt}`);
  if (await recordMiss(deps.store.db, id, dueAt)) {
    deps.metrics.heartbeatsMissed.inc({ heartbeat: id });
    deps.logger.warn({ heartbeat: id, due_at: dueAt }, 'heartbeat missed: alert raised');
  }
  await scheduleCheck(deps.queue, id, nextCheckAfterMiss(heartbeat, dueAt, now), deps.clock);
}

async function handle(deps: HeartbeatWorkerDeps, job: Job<HeartbeatJobData>, token: string | undefined) {
  if (job.data.kind === 'check') return fireCheck(deps, job, token);
  const heartbeat = heartbeatNamed(deps, job.data.heartbeat_id);
  if (heartbeat) await applyPing(deps, heartbeat, job.data.at);
}

/** Starts the heartbeat checks of the worker role; any number of workers may run, each period alerts once. */
export function createHeartbeatService(deps: HeartbeatWorkerDeps): HeartbeatService {
  const consumer = startQueueWorker<HeartbeatJobData>({
    queue: heartbeatQueueName,
    role: 'heartbeat worker',
    redis: deps.redis,
    logger: deps.logger,
    concurrency: 4,
    process: (job, token) => handle(deps, job, token),
    ...(deps.lockDuration !== undefined && { lockDuration: deps.lockDuration }),
    ...(deps.stalledInterval !== undefined && { stalledInterval: deps.stalledInterval }),
  });
  let retry: NodeJS.Timeout | undefined;
  let closed = false;
  const service: HeartbeatService = {
    schedule() {
      clearTimeout(retry);
      service.ensureScheduled().catch((error: Error) => {
        if (closed) return;
        // Without this, a heartbeat that never pings would never be checked.
        deps.logger.warn({ err: error.message }, 'heartbeat checks not scheduled yet; trying again in 5 s');
        retry = setTimeout(() => service.schedule(), 5000);
        retry.unref();
      });
    },
    async ensureScheduled() {
      const now = deps.clock();
      for (const heartbeat of deps.heartbeats()) {
        if (!heartbeat.enabled) {
          await closeWhenDisabled(deps, heartbeat, now);
          continue;
        }
        const state = await ensureHeartbeat(deps.store.db, heartbeat.id, now);
        const deadline = deadlineOf(heartbeat, state);
        const missed = state.last_missed_at !== null && state.last_missed_at >= deadline;
        const next = missed ? nextCheckAfterMiss(heartbeat, state.last_missed_at ?? deadline, now) : deadline;
        await scheduleCheck(deps.queue, heartbeat.id, next, deps.clock);
      }
    },
    async pingFromEvents(events) {
      for (const heartbeat of deps.heartbeats()) {
        if (!heartbeat.enabled || heartbeat.integrationId === undefined) continue;
        let latest: number | undefined;
        for (const event of events) if (eventPings(heartbeat, event)) latest = Math.max(latest ?? 0, event.received_at);
        if (latest !== undefined) await applyPing(deps, heartbeat, latest);
      }
    },
    async close() {
      closed = true;
      clearTimeout(retry);
      await consumer.close();
    },
  };
  return service;
}
