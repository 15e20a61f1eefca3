import { BroadcastChannel } from 'node:worker_threads';
import type { OutboxEntry } from './outbox.js';

/**
 * Word that outbox entries were committed, from the threads that write them (the worker's pipeline, timers,
 * acknowledges) to the notifier thread of the same process, which relays them at once. Only a hint: the notifier
 * also looks at the outbox every second, so a lost message delays deliveries, never loses them, and the pipeline
 * never waits for Redis on the notifier's behalf.
 */
function channelName(redisPrefix: string): string {
  return `alertgate-deliveries:${redisPrefix}`;
}

/** Who relays committed outbox entries: the notifier in this thread, or the one on another thread. */
export interface DeliveryOutlet {
  relay(entries: readonly OutboxEntry[]): Promise<void>;
}

/** The writing side: tells the notifier thread that entries were committed. */
export class DeliveryAnnouncer implements DeliveryOutlet {
  private readonly channel: BroadcastChannel;

  constructor(redisPrefix: string) {
    this.channel = new BroadcastChannel(channelName(redisPrefix));
  }

  async relay(entries: readonly OutboxEntry[]): Promise<void> {
    if (entries.length > 0) this.channel.postMessage(entries.length);
  }

  close(): void {
    this.channel.close();
  }
}

/** The notifier's side: calls `onCommitted` each time another thread of this process committed outbox entries. */
export function listenForOutbox(redisPrefix: string, onCommitted: () => void): { close(): void } {
  const channel = new BroadcastChannel(channelName(redisPrefix));
  channel.onmessage = () => onCommitted();
  // The channel must not keep a thread alive on its own; the notifier's queues do while it runs.
  channel.unref();
  return { close: () => channel.close() };
}
