import type { Redis } from 'ioredis';
import { queuePrefix } from './redis.js';

/** How many accepted payloads are kept per integration, for adapter authors to test against. */
export const recentPayloadsKept = 20;

/** One accepted payload as kept in Redis and shown by the API. */
export interface RecentPayload {
  request_id: string;
  adapter: string;
  received_at: number;
  method: string;
  content_type: string | null;
  headers: Record<string, string>;
  query: Record<string, string>;
  body: string;
  /** How many events the payload produced. */
  events: number;
}

/** The last accepted payloads of each integration, in a capped Redis list under the queue prefix. */
export class RecentPayloads {
  private readonly prefix: string;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    private readonly onError: (error: Error) => void,
  ) {
    this.prefix = queuePrefix(prefix);
  }

  private key(integrationId: string): string {
    return `${this.prefix}:payloads:${integrationId}`;
  }

  /** Adds a payload without waiting: a failure is only reported, the push has already been accepted. */
  record(integrationId: string, payload: RecentPayload): void {
    const key = this.key(integrationId);
    this.redis
      .multi()
      .lpush(key, JSON.stringify(payload))
      .ltrim(key, 0, recentPayloadsKept - 1)
      .exec()
      .catch((error: Error) => this.onError(error));
  }

  /** The kept payloads of an integration, newest first. */
  async list(integrationId: string): Promise<RecentPayload[]> {
    const items = await this.redis.lrange(this.key(integrationId), 0, recentPayloadsKept - 1);
    return items.map((item) => JSON.parse(item) as RecentPayload);
  }
}
