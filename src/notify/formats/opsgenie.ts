import type { IncidentWebhookBody, WebhookBody, WebhookSeverity } from '../webhook-body.js';
import { forwardedDetails, sourceOf } from './forwarded.js';
import { clip, clipKey, clipUnits } from './text.js';

/*
 * Opsgenie Alert API (https://docs.opsgenie.com/docs/alert-api): one Opsgenie alert per incident, alias = incident
 * id. i_new and i_reopen create (`POST /v2/alerts`), i_ack acknowledges, i_unack un-acknowledges, i_rslv and i_close
 * close (`POST /v2/alerts/{alias}/<action>?identifierType=alias`); other events send nothing. Authorization:
 * `GenieKey <api_key>`. Limits: message 130 characters, alias 512, description 15000, entity 512, source 100,
 * tags 20 of 50 characters, details 8000 characters in all; user 100, note 25000.
 */

export const opsgenieDefaultBase = 'https://api.opsgenie.com';

const priorities: Record<WebhookSeverity, string> = { Critical: 'P1', Warning: 'P3', Info: 'P5' };
const maxDetailsChars = 8000;

/** Details within Opsgenie's 8000 characters (keys and values, counted in UTF-16 units), keys at most 50, in label order. */
function boundedDetails(details: Record<string, string>): Record<string, string> {
  const kept: Record<string, string> = {};
  let used = 0;
  for (const [rawKey, rawValue] of Object.entries(details)) {
    const key = clipUnits(rawKey, 50);
    const room = maxDetailsChars - used - key.length;
    if (room < 2) break;
    const value = clipUnits(rawValue, Math.min(room, 2000));
    kept[key] = value;
    used += key.length + value.length;
  }
  return kept;
}

function createAlert(body: IncidentWebhookBody): Record<string, unknown> {
  const incident = body.incident;
  const description = [incident.description, incident.detail_url && `alertgate: ${incident.detail_url}`]
    .filter((part) => typeof part === 'string' && part !== '')
    .join('\n\n');
  const tags = ['alertgate', incident.channel_name, incident.labels.env, incident.labels.service]
    .filter((tag): tag is string => typeof tag === 'string' && tag !== '')
    .map((tag) => clip(tag, 50));
  return {
    message: clip(incident.title, 130),
    alias: clipKey(incident.incident_id, 512),
    ...(description && { description: clip(description, 15000) }),
    tags: [...new Set(tags)].slice(0, 20),
    details: boundedDetails(forwardedDetails(incident)),
    entity: clip(sourceOf(incident), 512),
    source: 'alertgate',
    priority: priorities[incident.incident_severity],
  };
}

/** The base URL of the Opsgenie API (`url`, default api.opsgenie.com), also when `url` names `/v2/alerts` itself. */
function apiBase(url: string): string {
  const base = url === '' ? opsgenieDefaultBase : url;
  return base.replace(/\/+$/, '').replace(/\/v2\/alerts$/, '');
}

/** The Opsgenie request of one change (path and body), or undefined when the change is not forwarded. */
export function opsgenieRequest(
  body: WebhookBody,
  url: string,
): { url: string; body: Record<string, unknown> } | undefined {
  if (!('incident' in body)) return undefined;
  const base = apiBase(url);
  const alias = encodeURIComponent(clipKey(body.incident.incident_id, 512));
  const action = (name: string) => ({
    url: `${base}/v2/alerts/${alias}/${name}?identifierType=alias`,
    body: {
      ...(body.person && { user: clip(body.person.person_name, 100) }),
      source: 'alertgate',
      note: `${name === 'close' ? 'Closed' : name === 'acknowledge' ? 'Acknowledged' : 'Unacknowledged'} in alertgate`,
    },
  });
  switch (body.event_type) {
    case 'i_new':
    case 'i_reopen':
      return { url: `${base}/v2/alerts`, body: createAlert(body) };
    case 'i_ack':
      return action('acknowledge');
    case 'i_unack':
      return action('unacknowledge');
    case 'i_rslv':
    case 'i_close':
      return action('close');
    default:
      return undefined;
  }
}
