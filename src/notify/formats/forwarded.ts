import type { WebhookIncident } from '../webhook-body.js';

/** What an on-call tool shows as the affected thing: the first of host, instance, resource, service, channel. */
export function sourceOf(incident: WebhookIncident): string {
  const labels = incident.labels;
  return (
    [labels.host, labels.instance, labels.resource, labels.service, incident.channel_name].find(
      (value) => typeof value === 'string' && value !== '',
    ) ?? 'alertgate'
  );
}

/** The details an on-call tool keeps with a forwarded incident: its labels, then where it comes from. */
export function forwardedDetails(incident: WebhookIncident): Record<string, string> {
  return {
    ...incident.labels,
    alertgate_incident_id: incident.incident_id,
    alertgate_channel: incident.channel_name || incident.channel_id,
    alertgate_alerts: `${incident.alert_cnt} (${incident.active_alert_cnt} active)`,
    ...(incident.detail_url && { alertgate_url: incident.detail_url }),
    ...(incident.source_url && { source_url: incident.source_url }),
  };
}
