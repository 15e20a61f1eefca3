import type { AlertRow } from '../store/alerts-repo.js';
import type { IncidentRow } from '../store/incidents-repo.js';
import type {
  AlertEventType,
  IncidentEventType,
  WebhookAlert,
  WebhookBody,
  WebhookIncident,
  WebhookPerson,
  WebhookSeverity,
  WebhookStatus,
} from './webhook-body.js';

/** Names the body shows next to ids, and where links point. */
export interface BodyContext {
  /** PUBLIC_URL without a trailing slash: incident links are `${publicUrl}/incidents/<id>`. */
  publicUrl: string;
  channelName(channelId: string): string;
  integrationName(integrationId: string): string;
}

/** Flashduty's times inside `alert` and `incident` are Unix seconds; 0 stands for "not yet". */
const seconds = (ms: number | null): number => (ms === null ? 0 : Math.floor(ms / 1000));

const labelsOf = (json: string): Record<string, string> => JSON.parse(json) as Record<string, string>;

/** A label the source gave as a link back to itself. */
function sourceUrl(labels: Record<string, string>): string | undefined {
  for (const name of ['link', 'url', 'detail_url', 'source_url', 'generatorURL'])
    if (typeof labels[name] === 'string' && /^https?:\/\//.test(labels[name])) return labels[name];
  return undefined;
}

export function incidentDetailUrl(context: BodyContext, incidentId: string): string {
  return `${context.publicUrl}/incidents/${encodeURIComponent(incidentId)}`;
}

/** An incident row as the webhook body's `incident`. */
export function webhookIncident(context: BodyContext, row: IncidentRow): WebhookIncident {
  const labels = labelsOf(row.labels);
  // Built for every change the pipeline records: the optional fields are set after, not spread in.
  const incident: WebhookIncident = {
    incident_id: row.incident_id,
    title: row.title,
    description: row.description ?? '',
    incident_severity: row.incident_severity as WebhookSeverity,
    incident_status: row.incident_status as WebhookStatus,
    progress: row.progress,
    created_at: seconds(row.created_at),
    updated_at: seconds(row.updated_at),
    start_time: seconds(row.start_time),
    last_time: seconds(row.last_time),
    end_time: seconds(row.end_time),
    ack_time: seconds(row.ack_time),
    close_time: seconds(row.close_time),
    labels,
    alert_cnt: row.alert_cnt,
    active_alert_cnt: row.active_alert_cnt,
    channel_id: row.channel_id,
    channel_name: context.channelName(row.channel_id),
    detail_url: incidentDetailUrl(context, row.incident_id),
    group_method: row.group_method,
  };
  const raised = row.storm_raised ? (JSON.parse(row.storm_raised) as number[]) : [];
  if (raised.length > 0) incident.storm_alert_cnt = Math.max(...raised);
  if (row.flapping === 1) incident.flapping = true;
  const source = sourceUrl(labels);
  if (source !== undefined) incident.source_url = source;
  return incident;
}

/** An alert row as the webhook body's `alert`. */
export function webhookAlert(
  context: BodyContext,
  row: AlertRow,
  incident: Pick<IncidentRow, 'incident_id' | 'title'> | undefined,
): WebhookAlert {
  return {
    alert_id: row.alert_id,
    data_source_id: row.integration_id,
    data_source_name: context.integrationName(row.integration_id),
    data_source_type: row.integration_type,
    channel_id: row.channel_id,
    channel_name: context.channelName(row.channel_id),
    title: row.title,
    ...(row.description !== null && { description: row.description }),
    alert_key: row.alert_key,
    alert_severity: row.alert_severity as WebhookSeverity,
    alert_status: row.alert_status as WebhookStatus,
    progress: row.is_open === 1 ? 'Triggered' : 'Closed',
    created_at: seconds(row.created_at),
    updated_at: seconds(row.updated_at),
    start_time: seconds(row.start_time),
    last_time: seconds(row.last_time),
    ...(row.end_time !== null && { end_time: seconds(row.end_time) }),
    ...(row.close_time !== null && { close_time: seconds(row.close_time) }),
    labels: labelsOf(row.labels),
    event_cnt: row.event_cnt,
    ...(row.images !== null && { images: JSON.parse(row.images) as WebhookAlert['images'] }),
    ...(incident && { incident: { incident_id: incident.incident_id, title: incident.title } }),
  };
}

/** The body of an incident change. */
export function incidentBody(
  context: BodyContext,
  eventType: IncidentEventType,
  eventId: string,
  eventTime: number,
  row: IncidentRow,
  person?: WebhookPerson,
): WebhookBody {
  const incident = webhookIncident(context, row);
  return person
    ? { event_id: eventId, event_type: eventType, event_time: eventTime, person, incident }
    : { event_id: eventId, event_type: eventType, event_time: eventTime, incident };
}

/** The body of an alert change. */
export function alertBody(
  context: BodyContext,
  eventType: AlertEventType,
  eventId: string,
  eventTime: number,
  row: AlertRow,
  incident: Pick<IncidentRow, 'incident_id' | 'title'> | undefined,
): WebhookBody {
  return {
    event_id: eventId,
    event_type: eventType,
    event_time: eventTime,
    alert: webhookAlert(context, row, incident),
  };
}
