import type { Kysely } from 'kysely';
import type { Channel } from '../config/types.js';
import type { AlertRow } from '../store/alerts-repo.js';
import { addTimeline, insertIncident, type IncidentRow } from '../store/incidents-repo.js';
import type { Dialect } from '../store/migrations.js';
import type { Database } from '../store/tables.js';

/** What a stage needs to touch the store inside the event's transaction. */
export interface StageContext {
  trx: Kysely<Database>;
  dialect: Dialect;
  now: number;
  newId: () => string;
}

/** The alert → incident step. Swappable: grouping rules replace the default without touching the rest. */
export interface GroupingStage {
  /** Puts a newly opened alert into an incident (an open one it belongs to, or a new one) and says which. */
  place(context: StageContext, alert: AlertRow, channel: Channel): Promise<{ incident: IncidentRow; created: boolean }>;
}

/** Opens a new incident holding just this alert. */
export async function openIncidentForAlert(context: StageContext, alert: AlertRow, channel: Channel, groupMethod: string, groupingKey: string | null): Promise<IncidentRow> {
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
    start_time: alert.start_time,
    last_time: alert.start_time,
    end_time: null,
    ack_time: null,
    close_time: null,
    created_at: context.now,
    updated_at: context.now,
  };
  await insertIncident(context.trx, context.dialect, incident);
  await addTimeline(context.trx, context.dialect, [{ incident_id: incident.incident_id, type: 'i_new', at: context.now, alert_id: alert.alert_id }]);
  return incident;
}

/** Grouping off (the default): every alert opens its own incident. */
export const oneIncidentPerAlert: GroupingStage = {
  async place(context, alert, channel) {
    return { incident: await openIncidentForAlert(context, alert, channel, 'n', null), created: true };
  },
};
