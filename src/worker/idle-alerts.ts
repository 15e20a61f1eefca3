import { Queue, Worker } from 'bullmq';
import type { Integration } from '../config/types.js';
import { derivedEventId } from '../events/ids.js';
import type { QueuedEvent } from '../events/types.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import { ingestJobOptions, type IngestJobData } from '../queue/ingest-queue.js';
import { createWorkerConnection, queuePrefix, type RedisSettings } from '../queue/redis.js';
import type { StoreDatabase } from '../store/database.js';
import { AlertsRepo, type AlertRow } from '../store/alerts-repo.js';

/** What the idle-alert sweep needs: the store, Redis, the clock and the integrations in force with their defaults. */
export interface IdleAlertDeps {
  store: StoreDatabase;
  redis: RedisSettings;
  logger: Logger;
  metrics: Metrics;
  clock: () => number;
  integrations: () => readonly Integration[];
  /** The adapters' `auto_resolve` defaults (ms by adapter name), read when a sweep runs. */
  adapterDefaults: () => ReadonlyMap<string, number>;
  /** Where the recoveries go: the normal pipeline. */
  ingestQueue: Queue<IngestJobData>;
  /** How often the sweep runs (default every minute). */
  everyMs?: number;
}

/** The idle-alert side of the worker role. */
export interface IdleAlertSweeper {
  /** One sweep now; resolves to the number of recoveries queued. */
  sweep(): Promise<number>;
  close(): Promise<void>;
}

const queueName = 'idle-alerts';
/** Recoveries queued per integration and sweep; the next sweep takes the rest. */
const batchSize = 500;

/** How long an integration's alerts may stay silent before they recover: its own setting, else its adapter's. */
export function idleLimitMs(integration: Integration, defaults: ReadonlyMap<string, number>): number | undefined {
  if (integration.autoResolveIdleMs === false) return undefined;
  return integration.autoResolveIdleMs ?? defaults.get(integration.adapter);
}

const hours = (ms: number): string => (ms % 3_600_000 === 0 ? `${ms / 3_600_000}h` : `${Math.round(ms / 60_000)}m`);

/**
 * The recovery of an alert silent since `last_time`: an Ok event at `last_time + limit` whose id derives from the
 * alert and its last event, so every sweep (and every worker) raises the same event, stored once.
 */
export function idleRecovery(alert: AlertRow, limitMs: number, now: number): QueuedEvent {
  const dueAt = alert.last_time + limitMs;
  const eventId = derivedEventId(dueAt, `idle\n${alert.alert_id}\n${alert.last_time}`);
  return {
    event_id: eventId,
    request_id: eventId,
    integration_id: alert.integration_id,
    integration_type: alert.integration_type,
    received_at: now,
    seq: 0,
    title: alert.title,
    title_rule: alert.title,
    event_status: 'Ok',
    alert_key: alert.alert_key,
    alert_key_derived: false,
    labels: JSON.parse(alert.labels) as Record<string, string>,
    description: `No event for ${hours(limitMs)}: recovered by the integration's auto_resolve (the source sends no recovery).`,
    event_time: dueAt,
  };
}

/**
 * Recovers alerts of sources that never send a recovery (an adapter manifest's `auto_resolve`, or the integration's):
 * a periodic job, run once per period however many workers run, queues an Ok event for each alert silent longer
 * than its integration allows, through the normal pipeline (so its incident closes and receivers hear of it).
 */
export function createIdleAlertSweeper(deps: IdleAlertDeps): IdleAlertSweeper {
  const connection = createWorkerConnection(deps.redis);
  connection.on('error', (error) => deps.logger.warn({ err: error.message }, 'idle-alert redis connection error'));
  const queue = new Queue(queueName, { connection, prefix: queuePrefix(deps.redis.prefix) });
  const alerts = new AlertsRepo(deps.store.db, deps.store.dialect);

  async function sweep(): Promise<number> {
    const now = deps.clock();
    const defaults = deps.adapterDefaults();
    let queued = 0;
    for (const integration of deps.integrations()) {
      const limitMs = idleLimitMs(integration, defaults);
      if (limitMs === undefined) continue;
      for (const alert of await alerts.idleOpenAlerts(integration.id, now - limitMs, batchSize)) {
        const event = idleRecovery(alert, limitMs, now);
        // The event id as job id: a recovery queued again before the first is applied is not added twice.
        await deps.ingestQueue.add('events', { events: [event] }, { ...ingestJobOptions, jobId: event.event_id });
        queued += 1;
      }
    }
    if (queued > 0) deps.logger.info({ recoveries: queued }, 'idle alerts recovered by auto_resolve');
    return queued;
  }

  const worker = new Worker(queueName, () => sweep(), {
    connection,
    prefix: queuePrefix(deps.redis.prefix),
    concurrency: 1,
  });
  worker.on('error', (error) => deps.logger.warn({ err: error.message }, 'idle-alert worker error'));
  worker.on('failed', (_job, error) =>
    deps.logger.warn({ err: error.message }, 'idle-alert sweep failed; the next period tries again'),
  );
  // Every worker upserts the one scheduler: one sweep per period however many run.
  queue
    .upsertJobScheduler(
      queueName,
      { every: deps.everyMs ?? 60_000 },
      { name: 'sweep', opts: { removeOnComplete: true, removeOnFail: { count: 100 } } },
    )
    .catch((error: Error) => deps.logger.warn({ err: error.message }, 'idle-alert sweep not scheduled'));
  return {
    sweep,
    async close() {
      await worker.close();
      await queue.close();
      connection.disconnect();
    },
  };
}
