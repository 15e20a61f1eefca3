import { markIncidentFlapping } from '../../incidents/lifecycle.js';
import { evaluateFlapping, recordStatusChange } from '../../rules/flapping.js';
import { proceed, proceedWith, type ChannelState, type Stage } from '../stage.js';

/**
 * Records a status change of the alert's key (when its status differs from the last one) and evaluates flapping:
 * `max_changes` changes within `in_mins`; alert-then-silence also mutes the key's new alerts for `mute_mins`. The
 * first time the key flaps its alert and incident are marked. After grouping: the mark needs the alert's incident.
 */
export const statusChange: Stage<ChannelState> = {
  name: 'status-change',
  async run(context, state) {
    const { alert, key, decision } = state;
    if (!alert || !key || decision?.kind === 'duplicate' || decision?.kind === 'labels_updated') return proceed;
    const settings = state.channel.rules.flapping;
    const status = state.event.event_status;
    const before = key.state;
    if (settings.mode === 'off' || before.last_status === status) {
      if (before.last_status !== status)
        await context.repos.alerts.updateAlertKey(state.identity, { last_status: status });
      return proceed;
    }
    const previous = before.status_changes ? (JSON.parse(before.status_changes) as number[]) : [];
    const history = recordStatusChange(previous, context.now, settings);
    const wasFlapping = evaluateFlapping(previous, context.now, settings, before.muted_until ?? undefined).flapping;
    const verdict = evaluateFlapping(history, context.now, settings, before.muted_until ?? undefined);
    const mutedUntil = verdict.muteUntil ?? before.muted_until;
    await context.repos.alerts.updateAlertKey(state.identity, {
      last_status: status,
      status_changes: JSON.stringify(history),
      muted_until: mutedUntil ?? null,
    });
    if (!verdict.flapping) return proceed;
    if (!wasFlapping) {
      await context.repos.alerts.updateAlert(alert.alert_id, { flapping: 1 });
      if (alert.incident_id) await markIncidentFlapping(context, alert.incident_id, alert.alert_id, state.channel);
    }
    return proceedWith({
      step: 'flapping',
      result: 'flapping',
      changes: history.length,
      in_mins: settings.in_mins ?? 60,
      ...(verdict.muteUntil !== undefined && { muted_until: verdict.muteUntil }),
    });
  },
};
