import { Worker, type Job } from 'bullmq';
import type { Config } from '../config/types.js';
import { newId } from '../events/ids.js';
import { cappedExponentialBackoff, ingestQueueName, type IngestJobData } from '../queue/ingest-queue.js';
import { createWorkerConnection, queuePrefix, type RedisSettings } from '../queue/redis.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { StoreDatabase } from '../store/database.js';
import { applyBatch } from './apply-batch.js';
import { oneIncidentPerAlert } from './grouping.js';
import { ApplyLanes } from './lanes.js';
import type { WorkerRules } from './process-event.js';

export interface WorkerDeps {
  config: Config;
  store: StoreDatabase;
  redis: RedisSettings;
  logger: Logger;
  metrics: Metrics;
  clock?: () => number;
  /** Jobs fetched at once (default 64). */
  concurrency?: number;
  /** Serial apply lanes (default 1 on SQLite, 4 on PostgreSQL). */
  lanes?: number;
  /** How long a job stays claimed without a heartbeat before another worker takes it over (ms). */
  lockDuration?: number;
  stalledInterval?: number;
}

export interface RunningWorker {
  /** Stops fetching, finishes the jobs in hand, then disconnects. */
  close(): Promise<void>;
  /** Replaces the configuration applied to the next events. */
  setConfig(config: Config): void;
}

export function rulesFromConfig(config: Config): WorkerRules {
  return {
    integrations: new Map(config.integrations.map((integration) => [integration.id, integration])),
    channels: new Map(config.channels.map((channel) => [channel.id, channel])),
    grouping: oneIncidentPerAlert,
  };
}

/** Starts the worker role: takes jobs from the ingest queue and applies their events to the store. */
export function createWorker(deps: WorkerDeps): RunningWorker {
  const clock = deps.clock ?? Date.now;
  let rules = rulesFromConfig(deps.config);
  const lanes = new ApplyLanes(async (events) => {
    const stopTimer = deps.metrics.workerBatchDuration.startTimer();
    const result = await applyBatch(deps.store, rules, events, clock, newId);
    stopTimer();
    const now = clock();
    for (const { event, processed } of result.applied) {
      deps.metrics.workerEvents.inc({ integration: event.integration_id, outcome: processed.outcome });
      deps.metrics.eventLatency.observe((now - event.received_at) / 1000);
    }
    if (result.redelivered.length > 0) {
      deps.metrics.redelivered.inc(result.redelivered.length);
      deps.logger.info({ count: result.redelivered.length }, 'skipped events already stored (redelivered job)');
    }
  }, deps.lanes ?? (deps.store.dialect === 'sqlite' ? 1 : 4));

  const connection = createWorkerConnection(deps.redis);
  connection.on('error', (error) => deps.logger.warn({ err: error.message }, 'worker redis connection error'));
  const worker = new Worker<IngestJobData>(ingestQueueName, async (job: Job<IngestJobData>) => {
    if (!Array.isArray(job.data?.events)) throw new Error(`job ${job.id ?? ''} holds no events list`);
    await lanes.submit(job.data.events);
  }, {
    connection,
    prefix: queuePrefix(deps.redis.prefix),
    concurrency: deps.concurrency ?? 64,
    lockDuration: deps.lockDuration ?? 30_000,
    stalledInterval: deps.stalledInterval ?? 30_000,
    // A crashed worker's jobs come back; they are idempotent, so letting them come back often loses nothing.
    maxStalledCount: 100,
    settings: { backoffStrategy: (attemptsMade: number) => cappedExponentialBackoff(attemptsMade) },
  });
  worker.on('failed', (job, error) => {
    deps.logger.error({ job_id: job?.id, attempts: job?.attemptsMade, err: error.message }, 'ingest job failed; it will be retried or kept in the failed set');
  });
  worker.on('error', (error) => deps.logger.warn({ err: error.message }, 'worker error'));

  return {
    async close() {
      await worker.close();
      connection.disconnect();
    },
    setConfig(config: Config) {
      rules = rulesFromConfig(config);
    },
  };
}
