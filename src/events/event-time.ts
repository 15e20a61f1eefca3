/**
 * Which time an event happened at, as alert and incident times record it: the source's `event_time` when it is
 * plausible, alertgate's receive time otherwise. A sender's clock may run a little ahead (up to `maxSkewMs`), and a
 * queue replayed after an outage may be hours old (up to `maxAgeMs`); beyond either bound the time is more likely
 * wrong (a unit mix-up, a clock at the epoch) than true, and the receive time is used.
 */
export interface EventTimeBounds {
  /** How far before its receive time an event may have happened. */
  maxAgeMs: number;
  /** How far after its receive time an event may claim to have happened. */
  maxSkewMs: number;
}

/** 24 hours back (a day-long outage replayed), 5 minutes ahead (clock skew). */
export const defaultEventTimeBounds: EventTimeBounds = { maxAgeMs: 86_400_000, maxSkewMs: 300_000 };

/** An event's time: the source's, or the receive time and why. */
export type BoundedEventTime =
  { at: number; source: 'event_time' } | { at: number; source: 'received_at'; reason: string };

const units: Array<[string, number]> = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1000],
];

/** A span as people read it: `3d 5m`, `55m`, `90s` → `1m 30s` (to the second). */
function span(ms: number): string {
  let rest = Math.round(ms / 1000) * 1000;
  const parts: string[] = [];
  for (const [unit, size] of units) {
    if (rest >= size) parts.push(`${Math.floor(rest / size)}${unit}`);
    rest %= size;
  }
  return parts.length > 0 ? parts.join(' ') : '0s';
}

/** The time an event happened at, within `bounds` of when it was received. */
export function boundEventTime(eventTime: number, receivedAt: number, bounds: EventTimeBounds): BoundedEventTime {
  if (eventTime > receivedAt + bounds.maxSkewMs)
    return {
      at: receivedAt,
      source: 'received_at',
      reason: `event_time is ${span(eventTime - receivedAt)} after the receive time (more than ${span(bounds.maxSkewMs)})`,
    };
  if (eventTime < receivedAt - bounds.maxAgeMs)
    return {
      at: receivedAt,
      source: 'received_at',
      reason: `event_time is ${span(receivedAt - eventTime)} before the receive time (more than ${span(bounds.maxAgeMs)})`,
    };
  return { at: eventTime, source: 'event_time' };
}
