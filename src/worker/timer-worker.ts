import { DelayedError, type Job, type Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Channel } from '../config/types.js';
import { resolveIfDue } from '../incidents/resolve-if-due.js';
import type { Logger } from '../observability/logger.js';
import { startQueueWorker } from '../queue/queue-worker.js';
import type { RedisSettings } from '../queue/redis.js';
import { scheduleTimers, timerQueueName, type TimerJobData } from '../queue/timer-queue.js';
import { autoResolveDueAt } from '../rules/auto-resolve.js';
import type { StoreDatabase } from '../store/database.js';
import type { EventsRepo } from '../store/events-repo.js';
import type { OutboxEntry } from '../notify/outbox.js';
import type { Outbox } from '../notify/outbox.js';
import { signalIncidentsChanged } from '../incidents/change-signal.js';

/** What the timer worker needs: the store, Redis, the clock that decides due-ness, and the current channels. */
export interface TimerWorkerDeps {
  store: StoreDatabase;
  redis: RedisSettings;
  logger: Logger;
  clock: () => number;
  /** The channels in force now (a reload may change them between two timers). */
  channels: () => ReadonlyMap<string, Channel>;
  /** Where a timer that is not due yet is scheduled again. */
  queue: Queue<TimerJobData>;
  /** Where an auto-resolve is notified, as configured now; and how its deliveries are enqueued after commit. */
  outbox?: () => Outbox | undefined;
  enqueueDeliveries?: (deliveries: OutboxEntry[]) => Promise<void>;
  /** Where closed incidents are announced to the console (see console/incident-signal.ts). */
  announce?: Pick<Redis, 'publish'>;
  stalledInterval?: number;
  lockDuration?: number;
}

/** The timer worker of the worker role. */
export interface TimerWorker {
  close(): Promise<void>;
}

/** One timer: close the incident if due; if a merge moved its due time, schedule the timer for the new time. */
async function fireTimer(deps: TimerWorkerDeps, job: Job<TimerJobData>, token: string | undefined): Promise<void> {
  const { incident_id, due_at } = job.data;
  const verdict = await resolveIfDue(deps.store, incident_id, deps.channels(), deps.clock(), deps.outbox?.());
  if (verdict.kind === 'closed') {
    await deps
      .enqueueDeliveries?.(verdict.deliveries)
      .catch((error: Error) => deps.logger.warn({ err: error.message }, 'deliveries not enqueued yet; the sweep will'));
    deps.logger.info({ incident_id, due_at }, 'incident closed by its auto-resolve timeout');
    if (deps.announce) await signalIncidentsChanged(deps.announce, deps.redis.prefix, [incident_id]);
  } else if (verdict.kind === 'skipped') {
    deps.logger.debug({ incident_id, reason: verdict.reason }, 'auto-resolve timer: nothing to do');
  } else if (verdict.dueAt !== due_at) {
    await scheduleTimers(deps.queue, [{ incident_id, due_at: verdict.dueAt }], deps.clock);
  } else {
    // Fired before the clock reached its due time (an injected clock, a promoted job): wait for what is left.
    // The queue counts delays in its own (wall-clock) time.
    await job.moveToDelayed(Date.now() + Math.max(1, verdict.dueAt - deps.clock()), token);
    throw new DelayedError();
  }
}

/** Starts the worker that fires auto-resolve timers; any number may run, each timer closes its incident once. */
export function createTimerWorker(deps: TimerWorkerDeps): TimerWorker {
  return startQueueWorker<TimerJobData>({
    queue: timerQueueName,
    role: 'timer worker',
    redis: deps.redis,
    logger: deps.logger,
    concurrency: 8,
    process: (job, token) => fireTimer(deps, job, token),
    ...(deps.lockDuration !== undefined && { lockDuration: deps.lockDuration }),
    ...(deps.stalledInterval !== undefined && { stalledInterval: deps.stalledInterval }),
  });
}

/**
 * The timers of the open incidents that stored events belong to. A batch redelivered after a crash between its
 * commit and its scheduling changes nothing in the store, so its timers are derived again from what it stored.
 */
export async function timersForStoredEvents(
  events: EventsRepo,
  channels: ReadonlyMap<string, Channel>,
  eventIds: readonly string[],
): Promise<TimerJobData[]> {
  if (eventIds.length === 0 || ![...channels.values()].some((channel) => channel.rules.autoResolve)) return [];
  const timers: TimerJobData[] = [];
  for (const row of await events.openIncidentsOfEvents(eventIds)) {
    const settings = channels.get(row.channel_id)?.rules.autoResolve;
    if (settings) timers.push({ incident_id: row.incident_id, due_at: autoResolveDueAt(row, settings) });
  }
  return timers;
}
