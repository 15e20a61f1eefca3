import type { IncidentEventType, IncidentWebhookBody, WebhookBody, WebhookSeverity } from '../webhook-body.js';
import { forwardedDetails, sourceOf } from './forwarded.js';
import { clip, clipKey, isoTime } from './text.js';

/*
 * PagerDuty Events API v2 (https://developer.pagerduty.com/docs/events-api-v2/trigger-events/,
 * https://developer.pagerduty.com/api-reference/368ae3d938c9e-send-an-event-to-pager-duty): one PagerDuty alert per
 * incident, `dedup_key` = incident id. i_new and i_reopen trigger, i_ack acknowledges, i_rslv and i_close resolve;
 * other events (and alert events) send nothing: PagerDuty has no un-acknowledge, and a repeated trigger only adds
 * noise to its log. Limits: summary 1024 characters, dedup_key 255; severity is critical, error, warning or info.
 */

export const pagerDutyEventsUrl = 'https://events.pagerduty.com/v2/enqueue';

const actions: Partial<Record<IncidentEventType, 'trigger' | 'acknowledge' | 'resolve'>> = {
  i_new: 'trigger',
  i_reopen: 'trigger',
  i_ack: 'acknowledge',
  i_rslv: 'resolve',
  i_close: 'resolve',
};

const severities: Record<WebhookSeverity, string> = { Critical: 'critical', Warning: 'warning', Info: 'info' };

function triggerPayload(body: IncidentWebhookBody): Record<string, unknown> {
  const incident = body.incident;
  return {
    summary: clip(incident.title, 1024),
    source: clip(sourceOf(incident), 255),
    severity: severities[incident.incident_severity],
    timestamp: isoTime(incident.start_time),
    ...(incident.labels.service && { component: clip(incident.labels.service, 255) }),
    ...(incident.channel_name && { group: clip(incident.channel_name, 255) }),
    ...(incident.labels.check && { class: clip(incident.labels.check, 255) }),
    custom_details: forwardedDetails(incident),
  };
}

function links(body: IncidentWebhookBody): Array<{ href: string; text: string }> {
  const { detail_url: detail, source_url: source } = body.incident;
  return [
    ...(detail ? [{ href: detail, text: 'alertgate incident' }] : []),
    ...(source ? [{ href: source, text: 'Source' }] : []),
  ];
}

/** The Events API v2 event of one change, or undefined when the change is not forwarded. */
export function pagerDutyEvent(body: WebhookBody, routingKey: string): Record<string, unknown> | undefined {
  if (!('incident' in body)) return undefined;
  const action = actions[body.event_type];
  if (action === undefined) return undefined;
  const event: Record<string, unknown> = {
    routing_key: routingKey,
    event_action: action,
    dedup_key: clipKey(body.incident.incident_id, 255),
  };
  if (action !== 'trigger') return event;
  return {
    ...event,
    payload: triggerPayload(body),
    client: 'alertgate',
    ...(body.incident.detail_url && { client_url: body.incident.detail_url }),
    links: links(body),
  };
}
