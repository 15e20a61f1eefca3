import { parseDuration } from '../rules/duration.js';
import type { RetentionConfig, RetentionSettings } from './types.js';

const day = 86_400_000;

/** What `retention:` means when a key (or the whole section) is absent. */
export const defaultRetention: RetentionSettings = {
  eventsMs: 30 * day,
  closedIncidentsMs: 180 * day,
  rejectedPayloadsMs: 7 * day,
  deliveriesMs: 30 * day,
  intervalMs: 10 * 60_000,
  rejectedPayloadCap: { count: 1000, bytes: 16 * 1024 * 1024 },
};

/** An age of the schema (`30d`, `12h`, `0`, `off`); `null` keeps forever. */
function age(value: string | number | undefined, fallback: number | null): number | null {
  if (value === undefined) return fallback;
  if (value === 'off' || value === 0 || value === '0') return null;
  return parseDuration(value) ?? fallback;
}

/** Retention with defaults applied; the schema has checked the shapes already. */
export function retentionSettings(
  file: RetentionConfig | undefined,
  parseSize: (value: number | string | undefined) => number,
): RetentionSettings {
  const cap = file?.rejected_payloads_cap;
  return {
    eventsMs: age(file?.events, defaultRetention.eventsMs),
    closedIncidentsMs: age(file?.closed_incidents, defaultRetention.closedIncidentsMs),
    rejectedPayloadsMs: age(file?.rejected_payloads, defaultRetention.rejectedPayloadsMs),
    deliveriesMs: age(file?.deliveries, defaultRetention.deliveriesMs),
    intervalMs: (file?.interval !== undefined && parseDuration(file.interval)) || defaultRetention.intervalMs,
    rejectedPayloadCap: {
      count: cap?.count ?? defaultRetention.rejectedPayloadCap.count,
      bytes: cap?.bytes !== undefined ? parseSize(cap.bytes) : defaultRetention.rejectedPayloadCap.bytes,
    },
  };
}
