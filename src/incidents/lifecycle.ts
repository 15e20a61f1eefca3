import type { Channel } from '../config/types.js';
import type { Severity } from '../events/types.js';
import type { TimerJobData } from '../queue/timer-queue.js';
import { autoResolveDueAt } from '../rules/auto-resolve.js';
import { highestSeverity } from '../rules/severity.js';
import { stormThresholdsCrossed } from '../rules/storm.js';
import type { AlertRow } from '../store/alerts-repo.js';
import type { IncidentJoin, IncidentRow } from '../store/incidents-repo.js';
import type { Repos } from '../store/repos.js';
import type { GroupMethodCode } from '../store/tables.js';
import { AppError } from '../errors.js';
import { deriveIncidentState, incidentAttributes } from './state.js';

/** What an incident write needs: the transaction's repositories, the time, new ids, and where auto-resolve timers are collected. */
export interface IncidentWriteContext {
  repos: Repos;
  now: number;
  newId: () => string;
  /** Auto-resolve timers to schedule once the transaction has committed; absent: none (e.g. a dry run). */
  timers?: TimerJobData[];
}

/** How a close is recorded: its timeline entry, who did it, and what else the entry says. */
export interface CloseRecord {
  /** `i_close` (by hand) or `i_rslv` (resolved, e.g. by the auto-resolve timeout). */
  timeline: 'i_close' | 'i_rslv';
  actor: string | null;
  detail: Record<string, unknown>;
  /** A resolved incident also ends (end_time), unless it had already recovered. */
  ends: boolean;
}

/** Every incident update goes through here: a closed incident takes no more alerts, so closing releases its grouping key. */
async function writeIncident(
  repos: Repos,
  incidentId: string,
  changes: Partial<IncidentRow>,
): Promise<Partial<IncidentRow>> {
  const written = changes.progress === 'Closed' ? { ...changes, open_grouping_key: null } : changes;
  await repos.incidents.updateIncident(incidentId, written);
  return written;
}

/** Opens a new incident holding just this alert, and collects its auto-resolve timer. */
export async function openIncident(
  context: IncidentWriteContext,
  alert: AlertRow,
  channel: Channel,
  groupMethod: GroupMethodCode,
  groupingKey: string | null,
  openKey: string | null = groupingKey,
): Promise<IncidentRow> {
  const incident: IncidentRow = {
    incident_id: context.newId(),
    channel_id: channel.id,
    title: alert.title,
    description: alert.description,
    incident_severity: alert.alert_severity,
    incident_status: alert.alert_status,
    progress: 'Triggered',
    labels: alert.labels,
    first_alert_id: alert.alert_id,
    alert_cnt: 1,
    active_alert_cnt: 1,
    group_method: groupMethod,
    grouping_key: groupingKey,
    open_grouping_key: openKey,
    storm_raised: null,
    flapping: 0,
    start_time: alert.start_time,
    // The last merge, on alertgate's clock (grouping windows and auto-resolve count from it).
    last_time: context.now,
    end_time: null,
    ack_time: null,
    close_time: null,
    created_at: context.now,
    updated_at: context.now,
  };
  await context.repos.incidents.insertIncident(incident);
  await context.repos.incidents.addTimeline([
    { incident_id: incident.incident_id, type: 'i_new', at: context.now, alert_id: alert.alert_id },
  ]);
  // One timer at the first possible due time; for last-merge the timer itself moves on while merges keep coming.
  if (channel.rules.autoResolve)
    context.timers?.push({
      incident_id: incident.incident_id,
      due_at: autoResolveDueAt(incident, channel.rules.autoResolve),
    });
  return incident;
}

/** Adds an alert to an open incident: counters, last merge time, `a_merge` and any storm thresholds crossed. */
export async function joinIncident(
  context: IncidentWriteContext,
  incident: IncidentRow,
  alert: AlertRow,
  channel: Channel,
): Promise<IncidentRow> {
  const raised = incident.storm_raised ? (JSON.parse(incident.storm_raised) as number[]) : [];
  const crossed = stormThresholdsCrossed(
    channel.rules.stormThresholds,
    incident.alert_cnt,
    incident.alert_cnt + 1,
    raised,
  );
  // A joining alert is active: the incident's state follows without re-reading its other alerts.
  const wasRecovered = incident.active_alert_cnt === 0;
  const changes: IncidentJoin = {
    alert_cnt: incident.alert_cnt + 1,
    active_alert_cnt: incident.active_alert_cnt + 1,
    incident_severity: highestSeverity([incident.incident_severity, alert.alert_severity]),
    incident_status: wasRecovered
      ? alert.alert_status
      : highestSeverity([incident.incident_status as Severity, alert.alert_status as Severity]),
    end_time: null,
    last_time: context.now,
    updated_at: context.now,
    storm_raised: crossed.length > 0 ? JSON.stringify([...raised, ...crossed]) : incident.storm_raised,
  };
  await context.repos.incidents.updateJoinedIncident(incident.incident_id, changes);
  await context.repos.incidents.addTimeline([
    { incident_id: incident.incident_id, type: 'a_merge', at: context.now, alert_id: alert.alert_id },
    ...crossed.map((threshold) => ({
      incident_id: incident.incident_id,
      type: 'i_storm',
      at: context.now,
      detail: { threshold, alert_cnt: incident.alert_cnt + 1 },
    })),
  ]);
  return { ...incident, ...changes };
}

/** The grouping key moves on to a new incident (the old one's window is over, or it is full); the old incident stays open for its alerts. */
export async function retireGroupingKey(context: IncidentWriteContext, incidentId: string): Promise<void> {
  await writeIncident(context.repos, incidentId, { open_grouping_key: null, updated_at: context.now });
}

/** What a refresh did to an incident. */
export interface IncidentRefresh {
  result: 'incident_closed' | 'incident_recovered' | 'incident_updated';
  severity: Severity;
  status: string;
}

/** Recomputes an incident's severity, status and counters after one of its alerts changed; may auto-close it. */
export async function refreshIncident(
  context: IncidentWriteContext,
  incidentId: string,
  channel: Channel,
  alert: AlertRow,
): Promise<IncidentRefresh | undefined> {
  const incident = await context.repos.incidents.lockIncident(incidentId);
  if (!incident) return undefined;
  const summary = await context.repos.incidents.summariseIncidentAlerts(incidentId);
  const { timeline, ...update } = deriveIncidentState(incident, summary, channel.autoClose, context.now);
  const followsFirstAlert = incident.first_alert_id === alert.alert_id ? { labels: alert.labels } : {};
  await writeIncident(context.repos, incidentId, { ...update, ...followsFirstAlert, updated_at: context.now });
  await context.repos.incidents.addTimeline(
    timeline.map((type) => ({ incident_id: incidentId, type, at: context.now, alert_id: alert.alert_id })),
  );
  const result = timeline.includes('i_rslv')
    ? 'incident_closed'
    : timeline.includes('i_recover')
      ? 'incident_recovered'
      : 'incident_updated';
  return { result, severity: update.incident_severity, status: update.incident_status };
}

/**
 * Closes an open incident inside the caller's transaction (the incident locked by it): progress Closed, close_time,
 * its open alerts closed (so it has no active alert left: status Ok, `active_alert_cnt` 0), its grouping key
 * released, one timeline entry with the number of alerts closed.
 */
export async function closeIncident(
  repos: Repos,
  incident: IncidentRow,
  now: number,
  record: CloseRecord,
): Promise<IncidentRow> {
  const closedAlerts = await repos.alerts.closeAlertsOfIncident(incident.incident_id, now);
  const attributes = incidentAttributes(await repos.incidents.summariseIncidentAlerts(incident.incident_id));
  const changes = await writeIncident(repos, incident.incident_id, {
    ...attributes,
    progress: 'Closed',
    close_time: now,
    updated_at: now,
    ...(record.ends && { end_time: incident.end_time ?? now }),
  });
  await repos.incidents.addTimeline([
    {
      incident_id: incident.incident_id,
      type: record.timeline,
      at: now,
      actor: record.actor,
      detail: { ...record.detail, closed_alerts: closedAlerts },
    },
  ]);
  return { ...incident, ...changes };
}

/**
 * Reopens a closed incident (locked by the caller): the alerts its close ended without a recovery are open again
 * (unless their key has fired since and has an open alert of its own), so their recoveries close it as before.
 * Refused when no alert can be re-opened: every one recovered, and nothing would ever close the incident again.
 * It takes no new alerts by grouping: its grouping key may belong to a newer incident by now.
 */
export async function reopenIncident(
  repos: Repos,
  incident: IncidentRow,
  now: number,
  entry: { actor: string | null; detail: Record<string, unknown> },
): Promise<IncidentRow> {
  const reopened = await repos.alerts.reopenAlertsOfIncident(incident.incident_id, now);
  if (reopened === 0)
    throw new AppError(
      'Conflict',
      `incident ${incident.incident_id} cannot be reopened: every one of its alerts has recovered or fired again in a newer alert; a new event of its alert keys opens a new incident`,
    );
  const attributes = incidentAttributes(await repos.incidents.summariseIncidentAlerts(incident.incident_id));
  const changes: Partial<IncidentRow> = {
    ...attributes,
    progress: 'Triggered',
    close_time: null,
    ack_time: null,
    end_time: null,
    updated_at: now,
  };
  await writeIncident(repos, incident.incident_id, changes);
  await repos.incidents.addTimeline([
    {
      incident_id: incident.incident_id,
      type: 'i_reopen',
      at: now,
      actor: entry.actor,
      detail: { ...entry.detail, reopened_alerts: reopened },
    },
  ]);
  return { ...incident, ...changes };
}

/** Changes an open incident's progress by hand (ack, unack), with its timeline entry. */
export async function changeProgress(
  repos: Repos,
  incident: IncidentRow,
  now: number,
  changes: Partial<IncidentRow>,
  entry: { type: string; actor: string | null; detail: Record<string, unknown> },
): Promise<IncidentRow> {
  const written = await writeIncident(repos, incident.incident_id, { ...changes, updated_at: now });
  await repos.incidents.addTimeline([
    { incident_id: incident.incident_id, type: entry.type, at: now, actor: entry.actor, detail: entry.detail },
  ]);
  return { ...incident, ...written };
}

/** Marks an incident flapping the first time one of its alerts flaps, with an `i_m_flapping` timeline entry. */
export async function markIncidentFlapping(
  context: IncidentWriteContext,
  incidentId: string,
  alertId: string,
  channel: Channel,
): Promise<void> {
  await writeIncident(context.repos, incidentId, { flapping: 1 });
  const { max_changes, in_mins, mute_mins, mode } = channel.rules.flapping;
  await context.repos.incidents.addTimeline([
    {
      incident_id: incidentId,
      type: 'i_m_flapping',
      at: context.now,
      alert_id: alertId,
      detail: { mode, max_changes, in_mins, mute_mins },
    },
  ]);
}
