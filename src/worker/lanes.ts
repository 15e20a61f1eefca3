import type { QueuedEvent } from '../events/types.js';

interface Waiting {
  events: QueuedEvent[];
  resolve: () => void;
  reject: (error: Error) => void;
}

/** Applies a list of events atomically; the lanes call it with whatever has accumulated. */
export type BatchApplier = (events: QueuedEvent[]) => Promise<void>;

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

  constructor(
    private readonly apply: BatchApplier,
    private readonly lanes: number,
    private readonly maxEventsPerTransaction = 500,
  ) {
    this.queues = Array.from({ length: lanes }, () => []);
    this.busy = Array.from({ length: lanes }, () => false);
  }

  /** Resolves once every event is committed; rejects when its transaction failed (nothing of it was stored). */
  submit(events: QueuedEvent[]): Promise<void> {
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
          new Promise<void>((resolve, reject) => {
            this.queues[lane].push({ events: part, resolve, reject });
            if (!this.busy[lane]) void this.drain(lane);
          }),
      ),
    ).then(() => undefined);
  }

  private async drain(lane: number): Promise<void> {
    this.busy[lane] = true;
    // Let the jobs fetched in the same tick join the first transaction.
    await new Promise((resolve) => setImmediate(resolve));
    while (this.queues[lane].length > 0) {
      const taken: Waiting[] = [];
      let count = 0;
      const waiting = this.queues[lane];
      while (waiting.length > 0 && (taken.length === 0 || count + waiting[0].events.length <= this.maxEventsPerTransaction)) {
        const next = waiting.shift() as Waiting;
        taken.push(next);
        count += next.events.length;
      }
      try {
        await this.apply(taken.flatMap((item) => item.events));
        for (const item of taken) item.resolve();
      } catch (error) {
        for (const item of taken) item.reject(error as Error);
      }
    }
    this.busy[lane] = false;
  }
}
