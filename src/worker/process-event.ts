import type { Channel, Integration } from '../config/types.js';
import type { QueuedEvent } from '../events/types.js';
import { claimAlertKey, findOpenAlert, insertAlert, updateAlert, type AlertRow } from '../store/alerts-repo.js';
import { addTimeline, lockIncident, summariseIncidentAlerts, updateIncident, type TimelineEntry } from '../store/incidents-repo.js';
import type { GroupingStage, StageContext } from './grouping.js';
import { deriveIncidentState } from './incident-state.js';
import { mergeEventIntoAlert, type MergeDecision } from './merge-event.js';
import type { EventOutcome, TraceStep } from './trace.js';

/** The configuration the worker applies, looked up by id. */
export interface WorkerRules {
  integrations: ReadonlyMap<string, Integration>;
  channels: ReadonlyMap<string, Channel>;
  grouping: GroupingStage;
}

/** The result of one event: what it did, why, and which alert and incident it touched. */
export interface ProcessedEvent {
  outcome: EventOutcome;
  trace: TraceStep[];
  channelId: string | null;
  alertId: string | null;
  incidentId: string | null;
}

const outcomeOf: Record<MergeDecision['kind'], EventOutcome> = {
  open: 'new_alert',
  merged: 'merged',
  recovered: 'recovered',
  labels_updated: 'labels_updated',
  duplicate: 'duplicate',
  ignored_ok: 'ignored',
};

/** Recomputes an incident's severity, status and counters after one of its alerts changed; may auto-close it. */
async function refreshIncident(context: StageContext, incidentId: string, channel: Channel, alert: AlertRow, trace: TraceStep[]): Promise<void> {
  const incident = await lockIncident(context.trx, context.dialect, incidentId);
  if (!incident) return;
  const summary = await summariseIncidentAlerts(context.trx, incidentId);
  const update = deriveIncidentState(incident, summary, channel.autoClose, context.now);
  const { timeline, ...changes } = update;
  const followsFirstAlert = incident.first_alert_id === alert.alert_id ? { labels: alert.labels } : {};
  await updateIncident(context.trx, incidentId, { ...changes, ...followsFirstAlert, last_time: Math.max(incident.last_time, alert.last_time), updated_at: context.now });
  const entries: TimelineEntry[] = timeline.map((type) => ({ incident_id: incidentId, type, at: context.now, alert_id: alert.alert_id }));
  await addTimeline(context.trx, context.dialect, entries);
  const result = timeline.includes('i_rslv') ? 'incident_closed' : timeline.includes('i_recover') ? 'incident_recovered' : 'incident_updated';
  trace.push({ step: 'incident', result, incident_id: incidentId, severity: update.incident_severity, status: update.incident_status });
}

function newAlertRow(context: StageContext, event: QueuedEvent, channelId: string, decision: Extract<MergeDecision, { kind: 'open' }>): AlertRow {
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
    created_at: context.now,
    updated_at: context.now,
  };
}

/** Applies a merge decision to the store; returns the alert as it now is (undefined when nothing was touched). */
async function applyDecision(context: StageContext, decision: MergeDecision, open: AlertRow | undefined, event: QueuedEvent, channel: Channel, rules: WorkerRules, trace: TraceStep[]): Promise<AlertRow | undefined> {
  if (decision.kind === 'ignored_ok') {
    trace.push({ step: 'merge', result: 'ignored', reason: 'Ok for an alert key with no open alert' });
    return undefined;
  }
  if (decision.kind === 'open') {
    const row = newAlertRow(context, event, channel.id, decision);
    trace.push({ step: 'merge', result: 'new_alert', alert_id: row.alert_id });
    // The incident is chosen before the alert is written, so the alert is stored once, already placed.
    const { incident, created } = await rules.grouping.place(context, row, channel);
    const placed = { ...row, incident_id: incident.incident_id };
    await insertAlert(context.trx, context.dialect, placed);
    trace.push({ step: 'incident', result: created ? 'incident_opened' : 'merged_into_incident', incident_id: incident.incident_id });
    return placed;
  }
  if (!open) return undefined;
  if (decision.kind === 'duplicate') {
    // Discarded, but the alert is still firing: last_time says when it was last heard of.
    await updateAlert(context.trx, open.alert_id, { last_time: event.received_at, updated_at: context.now });
    trace.push({ step: 'merge', result: 'duplicate', alert_id: open.alert_id, reason: 'identical to the alert\'s last event' });
    return undefined;
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

/**
 * The worker's pipeline for one event inside the batch transaction: route → order → merge/de-duplicate → incident.
 * Every decision is appended to the event's trace.
 */
export async function processEvent(context: StageContext, rules: WorkerRules, event: QueuedEvent): Promise<ProcessedEvent> {
  const trace: TraceStep[] = [];
  const result = (outcome: EventOutcome, channelId: string | null, alert?: AlertRow): ProcessedEvent => ({
    outcome,
    trace,
    channelId,
    alertId: alert?.alert_id ?? null,
    incidentId: alert?.incident_id ?? null,
  });
  const integration = rules.integrations.get(event.integration_id);
  const channel = integration ? rules.channels.get(integration.channelId) : undefined;
  if (!integration || !channel) {
    trace.push({ step: 'route', result: 'rejected', reason: `integration ${event.integration_id} or its channel is no longer configured` });
    return result('rejected', null);
  }
  trace.push({ step: 'route', result: 'channel', channel_id: channel.id, reason: 'dedicated integration' });

  const identity = { integration_id: event.integration_id, channel_id: channel.id, alert_key: event.alert_key };
  const order = await claimAlertKey(context.trx, context.dialect, identity, event.event_id);
  if (order.late) {
    trace.push({ step: 'order', result: 'late', reason: 'a later event of this alert was already applied', later_event_id: order.previousEventId });
    return result('late', channel.id);
  }

  // A key seen for the first time has no alert yet: no need to look.
  let open = order.firstEvent ? undefined : await findOpenAlert(context.trx, context.dialect, identity);
  if (open?.incident_id && context.dialect === 'postgres') {
    // Lock the incident first, then read the alert again: a concurrent close may have just closed it.
    await lockIncident(context.trx, context.dialect, open.incident_id);
    open = await findOpenAlert(context.trx, context.dialect, identity);
  }
  const decision = mergeEventIntoAlert(open && toOpenAlert(open), event);
  const alert = await applyDecision(context, decision, open, event, channel, rules, trace);
  if (alert?.incident_id && decision.kind !== 'open') await refreshIncident(context, alert.incident_id, channel, alert, trace);
  return result(outcomeOf[decision.kind], channel.id, alert ?? open);
}

function toOpenAlert(row: AlertRow): Parameters<typeof mergeEventIntoAlert>[0] {
  return {
    alert_id: row.alert_id,
    alert_status: row.alert_status as 'Critical',
    alert_severity: row.alert_severity as 'Critical',
    labels: JSON.parse(row.labels) as Record<string, string>,
    last_event_hash: row.last_event_hash,
    last_event_core_hash: row.last_event_core_hash,
    event_cnt: row.event_cnt,
  };
}
