import type { Redis } from 'ioredis';
import { incidentChannel } from '../incidents/change-signal.js';

/** Receives each announcement: the ids of the incidents that changed. */
export type IncidentListener = (ids: string[]) => void;

/**
 * Fans the incident announcements of Redis out to the open console streams of this process: one subscriber
 * connection, opened with the first listener and closed with the last.
 */
export class IncidentStream {
  private readonly listeners = new Set<IncidentListener>();
  private subscriber: Redis | undefined;
  private subscribed: Promise<void> = Promise.resolve();

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly onError: (error: Error) => void,
  ) {}

  /**
   * Adds a listener; returns the function that removes it, and a promise that settles once Redis confirmed the
   * subscription (from then on no announcement is missed).
   */
  listen(listener: IncidentListener): { stop: () => void; ready: Promise<void> } {
    this.listeners.add(listener);
    if (!this.subscriber) this.subscribe();
    return {
      stop: () => {
        this.listeners.delete(listener);
        if (this.listeners.size === 0) this.close();
      },
      ready: this.subscribed,
    };
  }

  /** Closes the subscriber connection (listeners stay registered but hear nothing more). */
  close(): void {
    this.subscriber?.disconnect();
    this.subscriber = undefined;
  }

  private subscribe(): void {
    // The gateway's connection fails fast (no offline queue); a subscriber waits for Redis and resubscribes.
    const subscriber = this.redis.duplicate({
      lazyConnect: false,
      enableOfflineQueue: true,
      maxRetriesPerRequest: null,
      autoResubscribe: true,
    });
    this.subscriber = subscriber;
    subscriber.on('error', (error: Error) => this.onError(error));
    subscriber.on('message', (_channel: string, message: string) => this.deliver(message));
    this.subscribed = subscriber.subscribe(incidentChannel(this.prefix)).then(
      () => undefined,
      (error: Error) => this.onError(error),
    );
  }

  private deliver(message: string): void {
    let ids: string[];
    try {
      const parsed = JSON.parse(message) as { ids?: unknown };
      ids = Array.isArray(parsed.ids) ? parsed.ids.filter((id): id is string => typeof id === 'string') : [];
    } catch {
      return;
    }
    for (const listener of this.listeners) listener(ids);
  }
}
