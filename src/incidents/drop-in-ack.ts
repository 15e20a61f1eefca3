import { AppError } from '../errors.js';
import type { DropInAcknowledge } from '../queue/ingest-queue.js';
import type { StoreDatabase } from '../store/database.js';
import { applyIncidentAction, type OutboxSink } from './actions.js';

/** What a drop-in acknowledge did: the incidents it acknowledged, or that the alert is unknown. */
export interface DropInAcknowledgeResult {
  /** No alert of this integration has ever had this key (yet: its trigger may still be on its way). */
  unknownAlert: boolean;
  /** Open incidents of the alert, now acknowledged (also when they already were: the action is idempotent). */
  acknowledged: string[];
}

/**
 * Acknowledges the open incidents of the alerts an integration knows by `alert_key` (PagerDuty's `dedup_key`,
 * Opsgenie's alias), through the same action as `POST /api/v1/incidents/{id}/ack`: an incident already acknowledged
 * stays as it is, so a redelivered job changes nothing. A closed incident is left alone (there is nothing to
 * acknowledge); an alert that never opened an incident (silenced, inhibited, flapping) acknowledges nothing. Given
 * `notify`, the `i_ack` deliveries are written with each action, as for the API's.
 */
export async function applyDropInAcknowledge(
  store: StoreDatabase,
  request: DropInAcknowledge,
  now: number,
  notify?: OutboxSink,
): Promise<DropInAcknowledgeResult> {
  const alerts = await store.db
    .selectFrom('alerts')
    .leftJoin('incidents', 'incidents.incident_id', 'alerts.incident_id')
    .select(['alerts.incident_id', 'incidents.progress'])
    .where('alerts.integration_id', '=', request.integration_id)
    .where('alerts.alert_key', '=', request.alert_key)
    .execute();
  if (alerts.length === 0) return { unknownAlert: true, acknowledged: [] };
  const open = new Set<string>();
  for (const alert of alerts)
    if (alert.incident_id !== null && alert.progress !== null && alert.progress !== 'Closed')
      open.add(alert.incident_id);
  const acknowledged: string[] = [];
  for (const incidentId of open) {
    try {
      await applyIncidentAction(
        store,
        incidentId,
        'ack',
        { actor: request.actor, ...(request.note && { reason: request.note }) },
        now,
        notify,
      );
      acknowledged.push(incidentId);
    } catch (error) {
      // Closed between the read and the action: nothing to acknowledge any more.
      if (!(error instanceof AppError && error.code === 'Conflict')) throw error;
    }
  }
  return { unknownAlert: false, acknowledged };
}
