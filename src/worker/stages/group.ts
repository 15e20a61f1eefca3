import type { Channel } from '../../config/types.js';
import type { QueuedEvent } from '../../events/types.js';
import { joinIncident, openIncident, refreshIncident, retireGroupingKey } from '../../incidents/lifecycle.js';
import type { MergeDecision } from '../../rules/dedup.js';
import type { FilterSubject } from '../../rules/filter.js';
import { canJoin, groupingKey } from '../../rules/grouping.js';
import { bestMatch } from '../../rules/similarity.js';
import type { AlertRow } from '../../store/alerts-repo.js';
import type { IncidentRow } from '../../store/incidents-repo.js';
import { GroupMethod, type GroupMethodCode } from '../../store/tables.js';
import { proceed, proceedWith, type ChannelState, type Stage, type StageContext } from '../stage.js';
import type { TraceStep } from '../trace.js';

/** Similarity compares a new alert with at most this many of the channel's newest open incidents. */
const similarityCandidates = 200;

/** Where a new alert went, and why (for the trace). */
interface Placement {
  incident: IncidentRow;
  trace: TraceStep;
}

/** An alert as the filter language and grouping rules see it. */
function alertSubject(
  alert: Pick<AlertRow, 'title' | 'description' | 'alert_severity' | 'labels' | 'integration_id'>,
): FilterSubject {
  return {
    title: alert.title,
    ...(alert.description !== null && { description: alert.description }),
    severity: alert.alert_severity,
    labels: JSON.parse(alert.labels) as Record<string, string>,
    integration_id: alert.integration_id,
  };
}

/** Joins the open incident of a grouping key if its window allows, else retires the key and opens a new incident. */
async function placeByKey(
  context: StageContext,
  alert: AlertRow,
  channel: Channel,
  method: GroupMethodCode,
  key: string,
  dimensions: Record<string, string>,
): Promise<Placement> {
  const grouping = channel.rules.grouping;
  const window = {
    ...(grouping?.timeWindowMs !== undefined && { time_window_ms: grouping.timeWindowMs }),
    window_type: grouping?.windowType ?? 'tumbling',
  } as const;
  const existing = await context.repos.incidents.openIncidentByKey(channel.id, key);
  // The trace step of a placement by key: where the alert went, and why (the dimensions, or why not the open one).
  const placed = (result: string, incident: IncidentRow, why: Record<string, string>): Placement => ({
    incident,
    trace: { step: 'incident', result, incident_id: incident.incident_id, method, grouping_key: key, ...why },
  });
  const byDimensions = { dimensions: JSON.stringify(dimensions) };
  if (!existing)
    return placed('incident_opened', await openIncident(context, alert, channel, method, key), byDimensions);
  // Windows run on alertgate's clock: from when the incident was opened (its start_time is its first alert's, the
  // source's time) or last joined, so a backlog replayed hours later groups as it arrives.
  const verdict = canJoin({ ...existing, start_time: existing.created_at }, context.now, window, existing.alert_cnt);
  if (verdict.join)
    return placed('merged_into_incident', await joinIncident(context, existing, alert, channel), byDimensions);
  await retireGroupingKey(context, existing.incident_id);
  const incident = await openIncident(context, alert, channel, method, key);
  return placed('incident_opened', incident, { reason: `incident ${existing.incident_id}: ${verdict.reason}` });
}

/** Similarity: the most similar open incident of the channel at or above the threshold, else a new one. */
async function placeBySimilarity(context: StageContext, alert: AlertRow, channel: Channel): Promise<Placement> {
  const candidates = await context.repos.incidents.incidentsTakingAlerts(
    channel.id,
    GroupMethod.similarity,
    similarityCandidates,
  );
  const { keys, threshold } = channel.rules.similarity;
  const match = bestMatch(
    alertSubject(alert),
    candidates.map((incident) => ({
      incident,
      subject: alertSubject({
        ...incident,
        alert_severity: incident.incident_severity,
        integration_id: alert.integration_id,
      }),
    })),
    threshold,
    keys,
  );
  if (match) {
    const placed = await placeByKey(
      context,
      alert,
      channel,
      GroupMethod.similarity,
      match.candidate.incident.open_grouping_key ?? '',
      {},
    );
    placed.trace.score = Math.round(match.score * 1000) / 1000;
    return placed;
  }
  const id = `sim:${context.newId()}`;
  const incident = await openIncident(context, alert, channel, GroupMethod.similarity, null, id);
  return {
    incident,
    trace: {
      step: 'incident',
      result: 'incident_opened',
      incident_id: incident.incident_id,
      method: 'similarity',
      reason: `no open incident at similarity ≥ ${threshold}`,
    },
  };
}

/** Grouping per the channel's rules: none (one incident per alert), rule dimensions, or similarity. */
async function placeAlert(context: StageContext, alert: AlertRow, channel: Channel): Promise<Placement> {
  const grouping = channel.rules.grouping;
  if (grouping?.method === 'similarity') return placeBySimilarity(context, alert, channel);
  const key = grouping ? groupingKey(grouping, alertSubject(alert)) : undefined;
  if (grouping && key) return placeByKey(context, alert, channel, GroupMethod.rule, key.key, key.dimensions);
  const incident = await openIncident(context, alert, channel, GroupMethod.none, null);
  const reason = grouping ? 'no grouping dimension has values (strict)' : 'grouping off';
  return {
    incident,
    trace: { step: 'incident', result: 'incident_opened', incident_id: incident.incident_id, reason },
  };
}

function newAlertRow(
  context: StageContext,
  event: QueuedEvent,
  at: number,
  channelId: string,
  decision: Extract<MergeDecision, { kind: 'open' }>,
  muted: string | null,
): AlertRow {
  const alert = decision.alert;
  // Every column named (rather than spread from the decision): the worker builds one per new alert.
  return {
    alert_id: context.newId(),
    integration_id: event.integration_id,
    integration_type: event.integration_type,
    channel_id: channelId,
    alert_key: event.alert_key,
    incident_id: null,
    title: alert.title,
    title_rule: alert.title_rule,
    description: alert.description,
    alert_status: alert.alert_status,
    alert_severity: alert.alert_severity,
    labels: JSON.stringify(alert.labels),
    images: alert.images,
    last_event_hash: alert.last_event_hash,
    last_event_core_hash: alert.last_event_core_hash,
    event_cnt: alert.event_cnt,
    start_time: at,
    last_time: alert.last_time,
    end_time: alert.end_time,
    close_time: alert.close_time,
    is_open: 1,
    muted,
    flapping: 0,
    created_at: context.now,
    updated_at: context.now,
  };
}

/**
 * Alert → incident. A new alert is written once, already placed: into a new incident or an open one of its grouping
 * key or similarity (storm thresholds counted on joining); a muted one is kept without an incident. An updated alert
 * refreshes its incident (severity, status, counters; closed when all its alerts recovered, with auto-close).
 */
export const group: Stage<ChannelState> = {
  name: 'group',
  async run(context, state) {
    const decision = state.decision;
    if (decision?.kind === 'open') {
      const row = newAlertRow(context, state.event, state.at, state.channel.id, decision, state.mute?.reason ?? null);
      const opened: TraceStep = { step: 'merge', result: 'new_alert', alert_id: row.alert_id };
      if (state.mute) {
        await context.repos.alerts.insertAlert(row);
        state.alert = row;
        state.outcome = state.mute.outcome;
        return proceedWith(opened);
      }
      // The incident is chosen before the alert is written, so the alert is stored once, already placed.
      const placement = await placeAlert(context, row, state.channel);
      state.alert = { ...row, incident_id: placement.incident.incident_id };
      await context.repos.alerts.insertAlert(state.alert);
      state.outcome = 'new_alert';
      return proceedWith([opened, placement.trace]);
    }
    const alert = state.alert;
    if (!alert?.incident_id || decision?.kind === 'duplicate') return proceed;
    const refreshed = await refreshIncident(context, alert.incident_id, state.home ?? state.channel, alert);
    return refreshed
      ? proceedWith({
          step: 'incident',
          result: refreshed.result,
          incident_id: alert.incident_id,
          severity: refreshed.severity,
          status: refreshed.status,
        })
      : proceed;
  },
};
