import type { Kysely } from 'kysely';
import type { Channel } from '../config/types.js';
import { evaluateFlapping, recordStatusChange } from '../rules/flapping.js';
import type { AlertIdentity } from '../store/alerts-repo.js';
import type { Database } from '../store/tables.js';
import type { TraceStep } from './trace.js';

export interface FlappingState {
  status_changes: string | null;
  muted_until: number | null;
  last_status: string | null;
}

export interface FlappingResult {
  flapping: boolean;
  /** True the first time the key is found flapping in its current window (timeline and webhook once). */
  started: boolean;
  trace?: TraceStep;
}

/**
 * Records a status change of an alert key (when its status differs from the last one) and evaluates flapping:
 * `max_changes` changes within `in_mins`. alert-then-silence also mutes the key's new alerts for `mute_mins`.
 */
export async function trackFlapping(trx: Kysely<Database>, key: AlertIdentity, state: FlappingState, status: string, channel: Channel, now: number): Promise<FlappingResult> {
  const settings = channel.rules.flapping;
  if (settings.mode === 'off' || state.last_status === status) {
    if (state.last_status !== status) await updateKey(trx, key, { last_status: status });
    return { flapping: false, started: false };
  }
  const before = state.status_changes ? (JSON.parse(state.status_changes) as number[]) : [];
  const history = recordStatusChange(before, now, settings);
  const wasFlapping = evaluateFlapping(before, now, settings, state.muted_until ?? undefined).flapping;
  const verdict = evaluateFlapping(history, now, settings, state.muted_until ?? undefined);
  const mutedUntil = verdict.muteUntil ?? state.muted_until;
  await updateKey(trx, key, { last_status: status, status_changes: JSON.stringify(history), muted_until: mutedUntil ?? null });
  if (!verdict.flapping) return { flapping: false, started: false };
  return {
    flapping: true,
    started: !wasFlapping,
    trace: { step: 'flapping', result: 'flapping', changes: history.length, in_mins: settings.in_mins ?? 60, ...(verdict.muteUntil !== undefined && { muted_until: verdict.muteUntil }) },
  };
}

async function updateKey(trx: Kysely<Database>, key: AlertIdentity, changes: Partial<FlappingState>): Promise<void> {
  await trx
    .updateTable('alert_keys')
    .set(changes)
    .where('integration_id', '=', key.integration_id)
    .where('channel_id', '=', key.channel_id)
    .where('alert_key', '=', key.alert_key)
    .execute();
}
