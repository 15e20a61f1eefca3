import type { Channel } from '../config/types.js';
import type { FilterSubject } from '../rules/filter.js';
import { findInhibition, inhibitionFreshnessMs, type InhibitionCandidate } from '../rules/inhibition.js';
import { activeSilence, type CompiledSilence } from '../rules/silence.js';
import type { StageContext } from './grouping.js';
import type { TraceStep } from './trace.js';

/** Why a new alert does not trigger an incident: kept and marked, or dropped altogether. */
export interface Mute {
  reason: string;
  drop: boolean;
  trace: TraceStep;
}

/** Active alerts of a channel that may inhibit others: open, not recovered, seen in the last 10 minutes. */
export async function inhibitionCandidates(context: StageContext, channelId: string, integrationId?: string): Promise<InhibitionCandidate[]> {
  const rows = await context.trx
    .selectFrom('alerts')
    .leftJoin('incidents', 'incidents.incident_id', 'alerts.incident_id')
    .select(['alerts.alert_id', 'alerts.alert_key', 'alerts.title', 'alerts.description', 'alerts.alert_severity', 'alerts.alert_status', 'alerts.labels', 'alerts.integration_id', 'alerts.last_time', 'alerts.muted', 'incidents.progress'])
    .where('alerts.channel_id', '=', channelId)
    .where('alerts.is_open', '=', 1)
    .where('alerts.last_time', '>=', context.now - inhibitionFreshnessMs)
    .$if(integrationId !== undefined, (qb) => qb.where('alerts.integration_id', '=', integrationId ?? ''))
    .orderBy('alerts.last_time', 'desc')
    .limit(1000)
    .execute();
  return rows.map((row) => ({
    subject: { title: row.title, ...(row.description !== null && { description: row.description }), severity: row.alert_severity, labels: JSON.parse(row.labels) as Record<string, string>, integration_id: row.integration_id },
    last_time: row.last_time,
    acked: row.progress === 'Processing',
    recovered: row.alert_status === 'Ok',
    alert_id: row.alert_id,
    alert_key: row.alert_key,
  }));
}

/**
 * The channel with the silences made through the API after its configured ones (a configured rule is listed first
 * and so names the match when both apply). The same channel object when there are none.
 */
export function withStoredSilences(channel: Channel, stored: readonly CompiledSilence[]): Channel {
  if (stored.length === 0) return channel;
  return { ...channel, rules: { ...channel.rules, silences: [...channel.rules.silences, ...stored] } };
}

/**
 * Decides whether a new alert is muted, in Flashduty's order: silence, then inhibition, then a flapping mute
 * (alert-then-silence). A muted alert is kept and marked (or dropped, per rule) and never triggers an incident.
 */
export async function muteNewAlert(context: StageContext, channel: Channel, subject: FilterSubject & { alert_key: string }, mutedUntil: number | null): Promise<Mute | undefined> {
  const silence = activeSilence(channel.rules.silences, subject, context.now);
  if (silence) {
    const drop = silence.mode === 'drop';
    return { reason: `silenced:${silence.id}`, drop, trace: { step: 'silence', result: drop ? 'dropped' : 'silenced', rule_id: silence.id } };
  }
  if (channel.rules.inhibitions.length > 0) {
    const found = findInhibition(channel.rules.inhibitions, subject, await inhibitionCandidates(context, channel.id), context.now);
    if (found) {
      const drop = found.rule.mode === 'drop';
      return {
        reason: `inhibited:${found.rule.id}:${found.source.alert_id ?? ''}`,
        drop,
        trace: { step: 'inhibit', result: drop ? 'dropped' : 'inhibited', rule_id: found.rule.id, source_alert_id: found.source.alert_id ?? null },
      };
    }
  }
  if (mutedUntil !== null && mutedUntil > context.now) {
    return { reason: 'flapping', drop: false, trace: { step: 'flapping', result: 'silenced', reason: 'alert-then-silence: the key is flapping', muted_until: mutedUntil } };
  }
  return undefined;
}
