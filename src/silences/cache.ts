import { performance } from 'node:perf_hooks';
import type { Kysely } from 'kysely';
import type { Channel } from '../config/types.js';
import { compileSilences, type CompiledSilence } from '../rules/silence.js';
import { liveSilences } from '../store/silences-repo.js';
import type { Database } from '../store/tables.js';
import { localSilencesVersion } from './change-signal.js';

/**
 * The channel with the silences made through the API after its configured ones (a configured rule is listed first
 * and so names the match when both apply). The same channel object when there are none.
 */
export function withStoredSilences(channel: Channel, stored: readonly CompiledSilence[]): Channel {
  if (stored.length === 0) return channel;
  return { ...channel, rules: { ...channel.rules, silences: [...channel.rules.silences, ...stored] } };
}

/** How often the cache reads the silences again, so a change made by another process applies within it (ms). */
export const silenceRefreshMs = 2_000;

export interface StoredSilencesOptions {
  /** Longest a loaded set is used before it is read again (ms); default 2000. `Infinity`: read once. */
  refreshMs?: number;
  /** Monotonic time for the refresh interval (ms); default performance.now (never the business clock, which tests move). */
  monotonic?: () => number;
}

/**
 * The silences made through the API, as the worker applies them: all channels read in one query, compiled once,
 * and read again only when older than `refreshMs` or changed by this very process. The hot path is a map lookup.
 */
export class StoredSilences {
  private readonly refreshMs: number;
  private readonly monotonic: () => number;
  private byChannel = new Map<string, CompiledSilence[]>();
  /** Channels merged with their API silences, per configured channel object (a config reload makes new ones). */
  private merged = new WeakMap<Channel, Channel>();
  private loadedAt = -Infinity;
  private loadedVersion = -1;

  constructor(options: StoredSilencesOptions = {}) {
    this.refreshMs = options.refreshMs ?? silenceRefreshMs;
    this.monotonic = options.monotonic ?? (() => performance.now());
  }

  /** The channel with its API silences after its configured ones; reads through `db` (the batch's transaction) when stale. */
  async channelWithSilences(db: Kysely<Database>, channel: Channel, now: number): Promise<Channel> {
    if (this.isStale()) await this.load(db, now);
    let merged = this.merged.get(channel);
    if (!merged) {
      merged = withStoredSilences(channel, this.byChannel.get(channel.id) ?? []);
      this.merged.set(channel, merged);
    }
    return merged;
  }

  private isStale(): boolean {
    return this.loadedVersion !== localSilencesVersion() || this.monotonic() - this.loadedAt >= this.refreshMs;
  }

  private async load(db: Kysely<Database>, now: number): Promise<void> {
    const version = localSilencesVersion();
    const rows = await liveSilences(db, now);
    const byChannel = new Map<string, CompiledSilence[]>();
    for (const row of rows) {
      let compiled: CompiledSilence[];
      try {
        compiled = compileSilences([row.rule]);
      } catch {
        // Validated when stored; a rule a newer version refuses is skipped rather than stopping every event.
        continue;
      }
      // A silence expired early, or a weekly one with an end, stops at expires_at whatever its window says.
      const expiresAt = row.expires_at;
      if (expiresAt !== null)
        compiled = compiled.map((silence) => ({
          ...silence,
          activeAt: (at) => at < expiresAt && silence.activeAt(at),
        }));
      byChannel.set(row.channel_id, [...(byChannel.get(row.channel_id) ?? []), ...compiled]);
    }
    this.byChannel = byChannel;
    this.merged = new WeakMap();
    this.loadedAt = this.monotonic();
    this.loadedVersion = version;
  }
}
