import { subjectOf } from '../../rules/filter.js';
import { findInhibition, inhibitionFreshnessMs, type InhibitionCandidate } from '../../rules/inhibition.js';
import { proceed, proceedWith, stop, type ChannelState, type Stage, type StageContext } from '../stage.js';

/** Active alerts of a channel that may inhibit others: open, not recovered, seen in the last 10 minutes. */
export async function inhibitionCandidates(
  context: StageContext,
  channelId: string,
  integrationId?: string,
): Promise<InhibitionCandidate[]> {
  const rows = await context.repos.alerts.recentOpenAlerts(
    channelId,
    context.now - inhibitionFreshnessMs,
    integrationId,
  );
  return rows.map((row) => ({
    subject: {
      title: row.title,
      ...(row.description !== null && { description: row.description }),
      severity: row.alert_severity,
      labels: JSON.parse(row.labels) as Record<string, string>,
      integration_id: row.integration_id,
    },
    last_time: row.last_time,
    acked: row.progress === 'Processing',
    recovered: row.alert_status === 'Ok',
    alert_id: row.alert_id,
    alert_key: row.alert_key,
  }));
}

/** A new alert that a more important active alert of the channel inhibits is kept muted, or dropped. */
export const inhibit: Stage<ChannelState> = {
  name: 'inhibit',
  async run(context, state) {
    const rules = state.channel.rules.inhibitions;
    if (state.decision?.kind !== 'open' || state.mute || rules.length === 0) return proceed;
    const found = findInhibition(
      rules,
      { ...subjectOf(state.event), alert_key: state.event.alert_key },
      await inhibitionCandidates(context, state.channel.id),
      context.now,
    );
    if (!found) return proceed;
    const sourceAlertId = found.source.alert_id ?? null;
    if (found.rule.mode === 'drop')
      return stop('inhibited', {
        step: 'inhibit',
        result: 'dropped',
        rule_id: found.rule.id,
        source_alert_id: sourceAlertId,
      });
    state.mute = { reason: `inhibited:${found.rule.id}:${found.source.alert_id ?? ''}`, outcome: 'inhibited' };
    return proceedWith({
      step: 'inhibit',
      result: 'inhibited',
      rule_id: found.rule.id,
      source_alert_id: sourceAlertId,
    });
  },
};
