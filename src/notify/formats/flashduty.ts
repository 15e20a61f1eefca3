import type { WebhookBody } from '../webhook-body.js';
import { clip, clipKey } from './text.js';

/*
 * Flashduty's standard alert endpoint (https://docs.flashcat.cloud/en/on-call/integration/alert-integration/alert-sources/standard-alert):
 * one Flashduty alert per incident, `alert_key` = incident id. i_new and i_reopen send the incident's severity as
 * `event_status`, i_rslv and i_close send `Ok`; other events send nothing (the endpoint has no acknowledged state).
 * Limits: title_rule 512 characters, alert_key 255, description 2048, 50 labels, key 128, value 2048. The URL is the
 * integration's push URL; `api_key`, when set, becomes its `integration_key`.
 */

export const flashdutyDefaultUrl = 'https://api.flashcat.cloud/event/push/alert/standard';

/** Incident labels, then alertgate's own (never overwriting one), within Flashduty's label limits. */
function labelsOf(labels: Record<string, string>, extra: Record<string, string>): Record<string, string> {
  const bounded: Record<string, string> = {};
  for (const [key, value] of [...Object.entries(labels), ...Object.entries(extra)]) {
    if (Object.keys(bounded).length >= 50) break;
    const name = clip(key, 128);
    if (!(name in bounded) && value !== '') bounded[name] = clip(value, 2048);
  }
  return bounded;
}

/** The push URL: `url` (default Flashduty's SaaS endpoint), with `integration_key` from `api_key` unless it has one. */
export function flashdutyUrl(url: string, apiKey: string | undefined): string {
  const target = new URL(url === '' ? flashdutyDefaultUrl : url);
  if (apiKey && !target.searchParams.has('integration_key')) target.searchParams.set('integration_key', apiKey);
  return target.toString();
}

/** The standard-endpoint event of one change, or undefined when the change is not forwarded. */
export function flashdutyEvent(body: WebhookBody): Record<string, unknown> | undefined {
  if (!('incident' in body)) return undefined;
  const incident = body.incident;
  const recovered = body.event_type === 'i_rslv' || body.event_type === 'i_close';
  if (!recovered && body.event_type !== 'i_new' && body.event_type !== 'i_reopen') return undefined;
  return {
    title_rule: clip(incident.title, 512),
    event_status: recovered ? 'Ok' : incident.incident_severity,
    alert_key: clipKey(incident.incident_id, 255),
    ...(incident.description && { description: clip(incident.description, 2048) }),
    labels: labelsOf(incident.labels, {
      alertgate_channel: incident.channel_name || incident.channel_id,
      alertgate_url: incident.detail_url,
      ...(incident.source_url && { source_url: incident.source_url }),
    }),
  };
}
