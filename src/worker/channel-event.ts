import type { Channel } from '../config/types.js';
import type { QueuedEvent } from '../events/types.js';
import { subjectOf } from '../rules/filter.js';
import { matchingDropRule } from '../rules/drop.js';
import { claimAlertKey, findOpenAlert, insertAlert, updateAlert, type AlertRow } from '../store/alerts-repo.js';
import { addTimeline, lockIncident, summariseIncidentAlerts, updateIncident } from '../store/incidents-repo.js';
import { releaseGroupingKey, type GroupingStage, type StageContext } from './grouping.js';
import { trackFlapping } from './flapping-stage.js';
import { deriveIncidentState } from './incident-state.js';
import { mergeEventIntoAlert, type MergeDecision, type OpenAlert } from './merge-event.js';
import { muteNewAlert } from './mute.js';
import type { EventOutcome, TraceStep } from './trace.js';

/** What one event did in one channel. */
export interface ChannelResult {
  outcome: EventOutcome;
  alert?: AlertRow;
}

const outcomeOf: Record<MergeDecision['kind'], EventOutcome> = {
  open: 'new_alert',
  merged: 'merged',
  recovered: 'recovered',
  labels_updated: 'labels_updated',
  duplicate: 'duplicate',
  ignored_ok: 'ignored',
};

function toOpenAlert(row: AlertRow): OpenAlert {
  return {
    alert_id: row.alert_id,
    alert_status: row.alert_status as OpenAlert['alert_status'],
    alert_severity: row.alert_severity as OpenAlert['alert_severity'],
    labels: JSON.parse(row.labels) as Record<string, string>,
    last_event_hash: row.last_event_hash,
    last_event_core_hash: row.last_event_core_hash,
    event_cnt: row.event_cnt,
  };
}

/** Recomputes an incident's severity, status and counters after one of its alerts changed; may auto-close it. */
async function refreshIncident(context: StageContext, incidentId: string, channel: Channel, alert: AlertRow, trace: TraceStep[]): Promise<void> {
  const incident = await lockIncident(context.trx, context.dialect, incidentId);
  if (!incident) return;
  const summary = await summariseIncidentAlerts(context.trx, incidentId);
  const { timeline, ...update } = deriveIncidentState(incident, summary, channel.autoClose, context.now);
  const followsFirstAlert = incident.first_alert_id === alert.alert_id ? { labels: alert.labels } : {};
  await updateIncident(context.trx, incidentId, { ...update, ...followsFirstAlert, updated_at: context.now });
  if (update.progress === 'Closed') await releaseGroupingKey(context.trx, incidentId);
  await addTimeline(context.trx, context.dialect, timeline.map((type) => ({ incident_id: incidentId, type, at: context.now, alert_id: alert.alert_id })));
  const result = timeline.includes('i_rslv') ? 'incident_closed' : timeline.includes('i_recover') ? 'incident_recovered' : 'incident_updated';
  trace.push({ step: 'incident', result, incident_id: incidentId, severity: update.incident_severity, status: update.incident_status });
}

function newAlertRow(context: StageContext, event: QueuedEvent, channelId: string, decision: Extract<MergeDecision, { kind: 'open' }>, muted: string | null): AlertRow {
  const { labels, ...fields } = decision.alert;
  return {
    ...fields,
    alert_id: context.newId(),
    integration_id: event.integration_id,
    integration_type: event.integration_type,
    channel_id: channelId,
    alert_key: event.alert_key,
    incident_id: null,
    labels: JSON.stringify(labels),
    start_time: event.received_at,
    is_open: 1,
    muted,
    flapping: 0,
    created_at: context.now,
    updated_at: context.now,
  };
}

/** A new alert: muted (kept marked, or dropped) or placed into an incident by the grouping stage. */
async function openAlert(context: StageContext, decision: Extract<MergeDecision, { kind: 'open' }>, event: QueuedEvent, channel: Channel, grouping: GroupingStage, mutedUntil: number | null, trace: TraceStep[]): Promise<ChannelResult> {
  const mute = await muteNewAlert(context, channel, { ...subjectOf(event), alert_key: event.alert_key }, mutedUntil);
  if (mute) trace.push(mute.trace);
  if (mute?.drop) return { outcome: mute.trace.step === 'inhibit' ? 'inhibited' : 'silenced' };
  const row = newAlertRow(context, event, channel.id, decision, mute?.reason ?? null);
  trace.push({ step: 'merge', result: 'new_alert', alert_id: row.alert_id });
  if (mute) {
    await insertAlert(context.trx, context.dialect, row);
    return { outcome: mute.trace.step === 'inhibit' ? 'inhibited' : 'silenced', alert: row };
  }
  // The incident is chosen before the alert is written, so the alert is stored once, already placed.
  const placement = await grouping.place(context, row, channel);
  const placed = { ...row, incident_id: placement.incident.incident_id };
  await insertAlert(context.trx, context.dialect, placed);
  trace.push(placement.trace);
  return { outcome: 'new_alert', alert: placed };
}

/** Applies a merge, duplicate or recovery to an open alert. */
async function updateOpenAlert(context: StageContext, decision: Exclude<MergeDecision, { kind: 'open' | 'ignored_ok' }>, open: AlertRow, event: QueuedEvent, trace: TraceStep[]): Promise<AlertRow> {
  if (decision.kind === 'duplicate') {
    // Discarded, but the alert is still firing: last_time says when it was last heard of.
    await updateAlert(context.trx, open.alert_id, { last_time: event.received_at, updated_at: context.now });
    trace.push({ step: 'merge', result: 'duplicate', alert_id: open.alert_id, reason: "identical to the alert's last event" });
    return { ...open, last_time: event.received_at };
  }
  let changes: Partial<AlertRow>;
  if (decision.kind === 'labels_updated') {
    changes = { labels: JSON.stringify(decision.labels), last_event_hash: decision.last_event_hash, last_time: event.received_at };
    trace.push({ step: 'merge', result: 'labels_updated', alert_id: open.alert_id, reason: 'same status, title and description: only the labels were taken' });
  } else {
    const { labels, ...fields } = decision.changes;
    changes = { ...fields, labels: JSON.stringify(labels), ...(decision.kind === 'recovered' && { is_open: null }) };
    trace.push({ step: 'merge', result: decision.kind, alert_id: open.alert_id, status: event.event_status });
  }
  await updateAlert(context.trx, open.alert_id, { ...changes, updated_at: context.now });
  return { ...open, ...changes };
}

/** Marks an alert (and its incident) flapping the first time, with an `i_m_flapping` timeline entry. */
async function markFlapping(context: StageContext, alert: AlertRow, channel: Channel): Promise<void> {
  await updateAlert(context.trx, alert.alert_id, { flapping: 1 });
  if (!alert.incident_id) return;
  await updateIncident(context.trx, alert.incident_id, { flapping: 1 });
  const { max_changes, in_mins, mute_mins, mode } = channel.rules.flapping;
  await addTimeline(context.trx, context.dialect, [{ incident_id: alert.incident_id, type: 'i_m_flapping', at: context.now, alert_id: alert.alert_id, detail: { mode, max_changes, in_mins, mute_mins } }]);
}

/**
 * One event in one channel: drop rules → order → merge/de-duplicate → mute (silence, inhibition, flapping) →
 * incident (grouping, storm) → flapping. Every decision is appended to `trace`.
 */
export async function processInChannel(context: StageContext, event: QueuedEvent, channel: Channel, grouping: GroupingStage, trace: TraceStep[]): Promise<ChannelResult> {
  const dropped = matchingDropRule(channel.rules.drop, subjectOf(event));
  if (dropped) {
    trace.push({ step: 'drop', result: 'dropped', rule_id: dropped.id, channel_id: channel.id });
    return { outcome: 'dropped' };
  }
  const identity = { integration_id: event.integration_id, channel_id: channel.id, alert_key: event.alert_key };
  const order = await claimAlertKey(context.trx, context.dialect, identity, event.event_id);
  if (order.late) {
    trace.push({ step: 'order', result: 'late', reason: 'a later event of this alert was already applied', later_event_id: order.previousEventId });
    return { outcome: 'late' };
  }
  let open = order.firstEvent ? undefined : await findOpenAlert(context.trx, context.dialect, identity);
  if (open?.incident_id && context.dialect === 'postgres') {
    // Lock the incident first, then read the alert again: a concurrent close may have just closed it.
    await lockIncident(context.trx, context.dialect, open.incident_id);
    open = await findOpenAlert(context.trx, context.dialect, identity);
  }
  const decision = mergeEventIntoAlert(open && toOpenAlert(open), event);
  if (decision.kind === 'ignored_ok') {
    trace.push({ step: 'merge', result: 'ignored', reason: 'Ok for an alert key with no open alert' });
    return { outcome: 'ignored' };
  }
  const state = order.state;
  let result: ChannelResult;
  if (decision.kind === 'open') {
    result = await openAlert(context, decision, event, channel, grouping, state.muted_until, trace);
  } else {
    const alert = await updateOpenAlert(context, decision, open as AlertRow, event, trace);
    if (alert.incident_id && decision.kind !== 'duplicate') await refreshIncident(context, alert.incident_id, channel, alert, trace);
    result = { outcome: outcomeOf[decision.kind], alert };
  }
  if (result.alert && decision.kind !== 'duplicate' && decision.kind !== 'labels_updated') {
    const flapping = await trackFlapping(context.trx, identity, state, event.event_status, channel, context.now);
    if (flapping.trace) trace.push(flapping.trace);
    if (flapping.started) await markFlapping(context, result.alert, channel);
  }
  return result;
}
