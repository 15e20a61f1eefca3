import { BroadcastChannel } from 'node:worker_threads';
import type { HandedChange, OutboxEntry } from './outbox.js';

/**
 * Word that outbox entries were committed, from the threads that write them (the worker's pipeline, timers,
 * acknowledges) to the notifier thread of the same process, which relays them at once. It carries the changes whose
 * bodies the pipeline did not write into its rows ({@link OutboxEntry.handed}). Only a hint: the notifier also looks at
 * the outbox every second, and builds the body of a row whose change never came from the incident or alert as it then
 * is, so a lost message delays deliveries, never loses them, and the pipeline never waits for Redis on the notifier's
 * behalf.
 */
function channelName(redisPrefix: string): string {
  return `alertgate-deliveries:${redisPrefix}`;
}

/** Who relays committed outbox entries: the notifier in this thread, or the one on another thread. */
export interface DeliveryOutlet {
  relay(entries: readonly OutboxEntry[]): Promise<void>;
}

/** Changes handed over with a commit, by change id: the incident or alert row each left, to build its body from. */
export type HandedChanges = ReadonlyArray<readonly [string, HandedChange]>;

/** The changes some committed entries hand over. */
export function handedChangesOf(entries: readonly OutboxEntry[]): HandedChanges {
  const changes: Array<readonly [string, HandedChange]> = [];
  for (const entry of entries) if (entry.handed !== undefined) changes.push([entry.change_id, entry.handed]);
  return changes;
}

/** The writing side: tells the notifier thread that entries were committed. */
export class DeliveryAnnouncer implements DeliveryOutlet {
  private readonly channel: BroadcastChannel;

  constructor(redisPrefix: string) {
    this.channel = new BroadcastChannel(channelName(redisPrefix));
  }

  async relay(entries: readonly OutboxEntry[]): Promise<void> {
    if (entries.length > 0) this.channel.postMessage(handedChangesOf(entries));
  }

  close(): void {
    this.channel.close();
  }
}

/** The notifier's side: calls `onCommitted` each time another thread of this process committed outbox entries. */
export function listenForOutbox(redisPrefix: string, onCommitted: (changes: HandedChanges) => void): { close(): void } {
  const channel = new BroadcastChannel(channelName(redisPrefix));
  channel.onmessage = (message) => {
    const data: unknown = (message as MessageEvent).data;
    onCommitted(Array.isArray(data) ? (data as HandedChanges) : []);
  };
  // The channel must not keep a thread alive on its own; the notifier's queues do while it runs.
  channel.unref();
  return { close: () => channel.close() };
}
