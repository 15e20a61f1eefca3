import type { Redis } from 'ioredis';
import { queuePrefix } from '../queue/redis.js';

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

  /**
   * Adds a payload without waiting: a failure is only reported, the push has already been accepted. The entry is the
   * metadata as JSON, a newline, then the body as received: re-encoding a large body as a JSON string costs more than
   * everything else here. LPUSH and LTRIM travel in the same pipeline; no transaction is needed to keep 20.
   */
  record(integrationId: string, payload: RecentPayload): void {
    const key = this.key(integrationId);
    const { body, ...meta } = payload;
    const report = (error: Error) => this.onError(error);
    this.redis.lpush(key, `${JSON.stringify(meta)}\n${body}`).catch(report);
    this.redis.ltrim(key, 0, recentPayloadsKept - 1).catch(report);
  }

  /** The kept payloads of an integration, newest first. */
  async list(integrationId: string): Promise<RecentPayload[]> {
    const items = await this.redis.lrange(this.key(integrationId), 0, recentPayloadsKept - 1);
    return items.map((item) => {
      const newline = item.indexOf('\n');
      return { ...(JSON.parse(item.slice(0, newline)) as Omit<RecentPayload, 'body'>), body: item.slice(newline + 1) };
    });
  }
}
