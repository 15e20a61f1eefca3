import { setTimeout as sleep } from 'node:timers/promises';
import type { QueuedEvent } from '../events/types.js';

/** An event that could not be applied for a reason of its own; the other events of its batch were. */
export interface EventFailure {
  event: QueuedEvent;
  reason: string;
}

/** Applies a list of events; resolves with those that failed on their own. The lanes call it with what accumulated. */
export type BatchApplier = (events: QueuedEvent[]) => Promise<EventFailure[]>;

export interface LaneOptions {
  /** Most events in one call of the applier (default 500). */
  maxEventsPerTransaction?: number;
  /**
   * Errors after which the same batch is applied again, as it is, once the cause is gone (the store is unreachable):
   * the lane holds its events, in order, and retries with backoff instead of failing their jobs.
   */
  retryWhile?: (error: unknown) => boolean;
  /** Told when a batch waits for a retry (`delayMs`) and when one goes through again (`undefined`). */
  onHold?: (error: unknown, delayMs: number) => void;
  onResume?: () => void;
  /** First wait before applying a held batch again; doubles up to maxRetryDelayMs. */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
}

interface Waiting {
  events: QueuedEvent[];
  resolve: (failures: EventFailure[]) => void;
  reject: (error: Error) => void;
}

function laneOf(event: QueuedEvent, lanes: number): number {
  if (lanes === 1) return 0;
  let hash = 0;
  const key = `${event.integration_id}\0${event.alert_key}`;
  for (let i = 0; i < key.length; i += 1) hash = (hash * 31 + key.charCodeAt(i)) | 0;
  return Math.abs(hash) % lanes;
}

/**
 * Serial lanes inside one worker process. The events of one alert key always take the same lane, so they apply in
 * the order the jobs were fetched; a lane applies what accumulated while it was busy in one transaction (group commit).
 */
export class ApplyLanes {
  private readonly queues: Waiting[][];
  private readonly busy: boolean[];
  private readonly stopping = new AbortController();
  private readonly maxEventsPerTransaction: number;

  constructor(
    private readonly apply: BatchApplier,
    private readonly lanes: number,
    private readonly options: LaneOptions = {},
  ) {
    this.queues = Array.from({ length: lanes }, () => []);
    this.busy = Array.from({ length: lanes }, () => false);
    this.maxEventsPerTransaction = options.maxEventsPerTransaction ?? 500;
  }

  /**
   * Resolves once every event is applied, with the events that failed on their own; rejects when the batch failed as
   * a whole (nothing of it was stored).
   */
  submit(events: QueuedEvent[]): Promise<EventFailure[]> {
    const parts = new Map<number, QueuedEvent[]>();
    for (const event of events) {
      const lane = laneOf(event, this.lanes);
      const part = parts.get(lane) ?? [];
      part.push(event);
      parts.set(lane, part);
    }
    return Promise.all(
      [...parts].map(
        ([lane, part]) =>
          new Promise<EventFailure[]>((resolve, reject) => {
            this.queues[lane].push({ events: part, resolve, reject });
            if (!this.busy[lane]) void this.drain(lane);
          }),
      ),
    ).then((failures) => failures.flat());
  }

  /** When the gateway received the oldest event waiting for its lane (`undefined`: none waits). */
  oldestWaitingReceivedAt(): number | undefined {
    let oldest: number | undefined;
    for (const waiting of this.queues)
      for (const event of waiting[0]?.events ?? [])
        if (oldest === undefined || event.received_at < oldest) oldest = event.received_at;
    return oldest;
  }

  /** Held batches stop waiting for the store: their jobs fail now and are retried by the queue. */
  stop(): void {
    this.stopping.abort();
  }

  private async drain(lane: number): Promise<void> {
    this.busy[lane] = true;
    // Let the jobs fetched in the same tick join the first transaction.
    await new Promise((resolve) => setImmediate(resolve));
    while (this.queues[lane].length > 0) {
      const taken: Waiting[] = [];
      let count = 0;
      const waiting = this.queues[lane];
      while (
        waiting.length > 0 &&
        (taken.length === 0 || count + waiting[0].events.length <= this.maxEventsPerTransaction)
      ) {
        const next = waiting.shift() as Waiting;
        taken.push(next);
        count += next.events.length;
      }
      try {
        const failures = await this.applyHolding(taken.flatMap((item) => item.events));
        const failedIds = new Map(failures.map((failure) => [failure.event.event_id, failure]));
        for (const item of taken) item.resolve(item.events.flatMap((event) => failedIds.get(event.event_id) ?? []));
      } catch (error) {
        for (const item of taken) item.reject(error as Error);
      }
    }
    this.busy[lane] = false;
  }

  /** Applies the batch; while it fails for a reason that passes (retryWhile), waits and applies it again. */
  private async applyHolding(events: QueuedEvent[]): Promise<EventFailure[]> {
    const maxDelay = this.options.maxRetryDelayMs ?? 10_000;
    let delay = this.options.retryDelayMs ?? 500;
    let held = false;
    for (;;) {
      try {
        const failures = await this.apply(events);
        if (held) this.options.onResume?.();
        return failures;
      } catch (error) {
        if (!this.options.retryWhile?.(error) || this.stopping.signal.aborted) throw error;
        held = true;
        this.options.onHold?.(error, delay);
        // Stopping cuts the wait short; the loop then gives up on the batch.
        await sleep(delay, undefined, { signal: this.stopping.signal }).catch(() => undefined);
        delay = Math.min(delay * 2, maxDelay);
      }
    }
  }
}
