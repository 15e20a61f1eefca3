import type { EventStatus, Severity } from '../events/types.js';
import { highestSeverity } from '../rules/severity.js';
import type { AlertSummary } from '../store/incidents-repo.js';
import type { IncidentProgress } from '../store/tables.js';

export interface IncidentSnapshot {
  incident_severity: Severity;
  incident_status: EventStatus;
  progress: IncidentProgress;
  end_time: number | null;
  close_time: number | null;
}

export interface IncidentUpdate {
  incident_severity: Severity;
  incident_status: EventStatus;
  alert_cnt: number;
  active_alert_cnt: number;
  progress: IncidentProgress;
  end_time: number | null;
  close_time: number | null;
  /** Timeline entries this change causes. */
  timeline: Array<'i_rslv' | 'i_recover'>;
}

/**
 * An incident's derived state: severity = highest of its alerts; status = highest of its active alerts, or Ok when
 * none is active; when every alert has recovered the incident is recovered and, with auto-close, closed.
 */
export function deriveIncidentState(
  incident: IncidentSnapshot,
  alerts: AlertSummary,
  autoClose: boolean,
  now: number,
): IncidentUpdate {
  const recovered = alerts.activeCount === 0;
  const update: IncidentUpdate = {
    incident_severity: highestSeverity(alerts.severities),
    incident_status: recovered ? 'Ok' : highestSeverity(alerts.activeSeverities),
    alert_cnt: alerts.alertCount,
    active_alert_cnt: alerts.activeCount,
    progress: incident.progress,
    end_time: recovered ? (incident.end_time ?? now) : null,
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
