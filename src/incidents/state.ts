import { AppError } from '../errors.js';
import type { EventStatus, Severity } from '../events/types.js';
import { highestSeverity } from '../rules/severity.js';
import type { AlertSummary } from '../store/incidents-repo.js';
import type { IncidentProgress } from '../store/tables.js';

/**
 * The incident state machine, in one place.
 *
 * Attributes follow the incident's alerts: severity = highest severity of its alerts; status = highest status of
 * its active alerts (open and not recovered), `Ok` when none; `active_alert_cnt` counts those. `end_time` is when its
 * last alert recovered, set only while every alert has recovered.
 *
 * Progress: `Triggered` → `Processing` (ack) → `Triggered` (unack); `Closed` when every alert has recovered (with
 * auto-close), by the auto-resolve timeout, or by hand. Closing closes the incident's open alerts (they take no more
 * events), so a closed incident has no active alert. Reopening (`Closed` → `Triggered`) re-opens the alerts the close
 * ended without a recovery; an incident none of whose alerts can be re-opened is not reopened, since nothing would
 * ever close it again.
 */

export interface IncidentSnapshot {
  incident_severity: Severity;
  incident_status: EventStatus;
  progress: IncidentProgress;
  end_time: number | null;
  close_time: number | null;
}

/** What an incident's alerts alone decide. */
export interface IncidentAttributes {
  incident_severity: Severity;
  incident_status: EventStatus;
  alert_cnt: number;
  active_alert_cnt: number;
}

export interface IncidentUpdate extends IncidentAttributes {
  progress: IncidentProgress;
  end_time: number | null;
  close_time: number | null;
  /** Timeline entries this change causes. */
  timeline: Array<'i_rslv' | 'i_recover'>;
}

/** An incident's attributes from its alerts: severity, status and counters. */
export function incidentAttributes(alerts: AlertSummary): IncidentAttributes {
  return {
    incident_severity: highestSeverity(alerts.severities),
    incident_status: alerts.activeCount === 0 ? 'Ok' : highestSeverity(alerts.activeSeverities),
    alert_cnt: alerts.alertCount,
    active_alert_cnt: alerts.activeCount,
  };
}

/**
 * An incident's derived state after one of its alerts changed: its attributes; when every alert has recovered the
 * incident has recovered (end_time = the last recovery) and, with auto-close, closes.
 */
export function deriveIncidentState(
  incident: IncidentSnapshot,
  alerts: AlertSummary,
  autoClose: boolean,
  now: number,
): IncidentUpdate {
  const recovered = alerts.activeCount === 0;
  const update: IncidentUpdate = {
    ...incidentAttributes(alerts),
    progress: incident.progress,
    end_time: recovered ? (incident.end_time ?? alerts.lastEndTime ?? now) : null,
    close_time: incident.close_time,
    timeline: [],
  };
  if (recovered && incident.progress !== 'Closed' && incident.end_time === null) {
    if (autoClose) {
      update.progress = 'Closed';
      update.close_time = now;
      update.timeline.push('i_rslv');
    } else {
      update.timeline.push('i_recover');
    }
  }
  return update;
}

/** The actions a person takes on an incident. */
export type IncidentAction = 'ack' | 'unack' | 'close' | 'reopen';

/** What an action changes on an incident's progress, and its timeline entry. */
export interface ProgressChange {
  changes: { progress: IncidentProgress; ack_time?: number | null; close_time?: number | null };
  timeline: 'i_ack' | 'i_unack' | 'i_close' | 'i_reopen';
}

/**
 * What an action does to an incident in a given progress; undefined = already in effect (repeating an action
 * changes nothing). Acknowledging or un-acknowledging a closed incident is refused: reopen it first.
 */
export function planAction(
  action: IncidentAction,
  incident: { incident_id: string; progress: IncidentProgress },
  now: number,
): ProgressChange | undefined {
  const closed = incident.progress === 'Closed';
  switch (action) {
    case 'ack':
      if (closed) throw new AppError('Conflict', `incident ${incident.incident_id} is closed; reopen it first`);
      return incident.progress === 'Processing'
        ? undefined
        : { changes: { progress: 'Processing', ack_time: now }, timeline: 'i_ack' };
    case 'unack':
      if (closed) throw new AppError('Conflict', `incident ${incident.incident_id} is closed; reopen it first`);
      return incident.progress === 'Triggered'
        ? undefined
        : { changes: { progress: 'Triggered', ack_time: null }, timeline: 'i_unack' };
    case 'close':
      return closed ? undefined : { changes: { progress: 'Closed', close_time: now }, timeline: 'i_close' };
    case 'reopen':
      return closed
        ? { changes: { progress: 'Triggered', close_time: null, ack_time: null }, timeline: 'i_reopen' }
        : undefined;
  }
}
