import type { FlappingSettings } from './types.js';

/** Flashduty's defaults: 4 changes in 60 minutes; then silence for 120 minutes in alert-then-silence mode. */
export const flappingDefaults = { max_changes: 4, in_mins: 60, mute_mins: 120 } as const;
/** Longest history kept per alert: the largest `max_changes` allowed. */
export const maxFlappingHistory = 100;

/** Whether an alert is flapping at `now`, and until when its notifications stay muted. */
export interface FlappingVerdict {
  flapping: boolean;
  /** alert-then-silence only: notifications are muted until this instant (ms). */
  muteUntil?: number;
}

const minutes = (count: number): number => count * 60_000;

/**
 * Appends a status change (ms) to an alert's history and drops changes older than the window, keeping at most
 * 100 entries; returns a new array sorted by time.
 */
export function recordStatusChange(
  history: readonly number[],
  at: number,
  settings: Pick<FlappingSettings, 'in_mins'> = {},
): number[] {
  const windowStart = at - minutes(settings.in_mins ?? flappingDefaults.in_mins);
  const kept = [...history, at].filter((time) => time > windowStart).sort((a, b) => a - b);
  return kept.slice(-maxFlappingHistory);
}

/**
 * Flapping verdict from the status-change history of an alert key (timestamps in ms): flapping when at least
 * `max_changes` changes fall within the last `in_mins` minutes (the 4th change with the defaults). In
 * alert-then-silence mode a new flap mutes notifications for `mute_mins` from `now`; a mute still running
 * (`mutedUntil` > now) is kept, not extended, so a flapping alert is heard again when its mute ends.
 */
export function evaluateFlapping(
  history: readonly number[],
  now: number,
  settings: FlappingSettings,
  mutedUntil?: number,
): FlappingVerdict {
  if (settings.mode === 'off') return { flapping: false };
  const windowStart = now - minutes(settings.in_mins ?? flappingDefaults.in_mins);
  const recent = history.filter((time) => time > windowStart && time <= now).length;
  const flapping = recent >= (settings.max_changes ?? flappingDefaults.max_changes);
  if (!flapping || settings.mode === 'alert-only') return { flapping };
  if (mutedUntil !== undefined && mutedUntil > now) return { flapping, muteUntil: mutedUntil };
  const muteMins = settings.mute_mins ?? flappingDefaults.mute_mins;
  return muteMins > 0 ? { flapping, muteUntil: now + minutes(muteMins) } : { flapping };
}
