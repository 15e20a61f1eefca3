import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { AppError } from '../errors.js';
import type { QueuedEvent } from '../events/types.js';
import { circuitOf, gatewayCommandTimeoutMs, RedisTimeoutError } from './redis-circuit.js';
import { queuePrefix } from './redis.js';

/** The queue between gateway and worker. */
export const ingestQueueName = 'ingest';

/** A job carries the events of one or more requests, in gateway order. */
export interface IngestJobData {
  events: QueuedEvent[];
  /** One event set aside by the worker because it could not be stored with its batch. */
  isolated?: boolean;
  /** An acknowledge sent through a drop-in API (its `events` are empty): the worker acknowledges the incident. */
  acknowledge?: DropInAcknowledge;
}

/** "Acknowledge the incident of this alert", as PagerDuty's and Opsgenie's drop-in APIs ask it. */
export interface DropInAcknowledge {
  integration_id: string;
  alert_key: string;
  request_id: string;
  /** Milliseconds since the epoch. */
  received_at: number;
  /** Who asked, as the incident's timeline shows it. */
  actor: string;
  note?: string;
}

/** The job name of a drop-in acknowledge (events travel as `events`). */
export const acknowledgeJobName = 'acknowledge';

/** Retry for a long time (transient store outages), then keep the job in the failed set for replay. */
export const ingestJobOptions: JobsOptions = {
  attempts: 30,
  backoff: { type: 'capped-exponential', delay: 500 },
  removeOnComplete: true,
  removeOnFail: false,
};

/** An event set aside: tried once alone, then kept in the failed set with its reason until retried by hand. */
export const isolatedJobOptions: JobsOptions = {
  attempts: 1,
  removeOnComplete: true,
  removeOnFail: false,
};

/** Backoff used with ingestJobOptions: 0.5 s, 1 s, 2 s … capped at 60 s. */
export function cappedExponentialBackoff(attemptsMade: number): number {
  return Math.min(500 * 2 ** Math.max(0, attemptsMade - 1), 60_000);
}

export function createIngestQueue(connection: Redis, prefix: string): Queue<IngestJobData> {
  return new Queue<IngestJobData>(ingestQueueName, { connection, prefix: queuePrefix(prefix) });
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new RedisTimeoutError(ms)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

interface Pending {
  events: QueuedEvent[];
  resolve: () => void;
  reject: (error: Error) => void;
}

/**
 * Puts events in the queue, resolving only once Redis has them. Requests arriving in the same tick share one
 * round trip (group commit); a request's events always travel in one job, in order.
 */
export class IngestProducer {
  private pending: Pending[] = [];
  private scheduled = false;

  constructor(
    private readonly queue: Queue<IngestJobData>,
    private readonly connection: Redis,
    private readonly maxEventsPerJob = 200,
    private readonly timeoutMs = gatewayCommandTimeoutMs,
  ) {}

  enqueue(events: QueuedEvent[]): Promise<void> {
    if (events.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ events, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  /**
   * Puts one drop-in acknowledge in the queue, resolving only once Redis has it; retried like events, so a store
   * outage delays it and loses nothing. Its job id is the request id.
   */
  enqueueAcknowledge(acknowledge: DropInAcknowledge): Promise<void> {
    return this.add([
      {
        name: acknowledgeJobName,
        data: { events: [], acknowledge },
        opts: { ...ingestJobOptions, jobId: `ack-${acknowledge.request_id}` },
      },
    ]);
  }

  /** Adds jobs at once or rejects with ServiceUnavailable, as `flush` does for events. */
  private async add(jobs: Array<{ name: string; data: IngestJobData; opts: JobsOptions }>): Promise<void> {
    try {
      if (this.connection.status !== 'ready') throw new Error(`redis connection is ${this.connection.status}`);
      await circuitOf(this.connection).run(() => withTimeout(this.queue.addBulk(jobs), this.timeoutMs));
    } catch (error) {
      throw new AppError(
        'ServiceUnavailable',
        `the event queue is unavailable (${(error as Error).message}); nothing was accepted, retry later`,
        { 'Retry-After': '5' },
      );
    }
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    this.scheduled = false;
    const jobs: IngestJobData[] = [];
    let current: QueuedEvent[] = [];
    for (const request of batch) {
      if (current.length > 0 && current.length + request.events.length > this.maxEventsPerJob) {
        jobs.push({ events: current });
        current = [];
      }
      current = current.concat(request.events);
    }
    if (current.length > 0) jobs.push({ events: current });
    try {
      // BullMQ waits for a connection that is down; the sender must hear at once that nothing was accepted.
      if (this.connection.status !== 'ready') throw new Error(`redis connection is ${this.connection.status}`);
      await circuitOf(this.connection).run(() =>
        withTimeout(
          this.queue.addBulk(jobs.map((data) => ({ name: 'events', data, opts: ingestJobOptions }))),
          this.timeoutMs,
        ),
      );
      for (const request of batch) request.resolve();
    } catch (error) {
      const unavailable = new AppError(
        'ServiceUnavailable',
        `the event queue is unavailable (${(error as Error).message}); nothing was accepted, retry later`,
        { 'Retry-After': '5' },
      );
      for (const request of batch) request.reject(unavailable);
    }
  }
}
