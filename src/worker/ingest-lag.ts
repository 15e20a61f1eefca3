import type { QueuedEvent } from '../events/types.js';

/**
 * How far behind the pushes the worker is, in ms: the age of the oldest event it holds but has not stored yet, or,
 * for a moment after a batch is stored, how long that batch's oldest event took from the gateway to the store (which
 * counts the wait in the queue, where the worker cannot see events before it fetches them). The retention job reads
 * it to take less of the store's time while the worker catches up.
 */
export class IngestLag {
  private storedLagMs = 0;
  private storedAt = -Infinity;

  constructor(
    private readonly clock: () => number,
    /** When the gateway received the oldest event the worker holds unstored (`undefined`: none). */
    private readonly oldestWaiting: () => number | undefined,
    /** How long the lag of a stored batch counts without a newer one (ms). */
    private readonly freshForMs = 1000,
  ) {}

  /** Notes a batch just stored. */
  stored(events: readonly QueuedEvent[]): void {
    if (events.length === 0) return;
    const now = this.clock();
    this.storedLagMs = now - Math.min(...events.map((event) => event.received_at));
    this.storedAt = now;
  }

  /** The worker's lag now (0: keeping up). */
  current(): number {
    const now = this.clock();
    const waiting = this.oldestWaiting();
    const held = waiting === undefined ? 0 : now - waiting;
    const stored = now - this.storedAt <= this.freshForMs ? this.storedLagMs : 0;
    return Math.max(0, held, stored);
  }
}
