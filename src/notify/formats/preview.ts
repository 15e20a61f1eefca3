import { isPlainObject } from '../../plain-object.js';
import { outboundFormatNames, receiverProblems, type ReceiverTarget, type RenderedRequest } from '../render.js';
import type { IncidentEventType, WebhookBody, WebhookIncident, WebhookSeverity } from '../webhook-body.js';

/*
 * What `alertgate webhook try` needs: a receiver read from the configuration document, a webhook body read from a
 * file (a body, or an incident as the API returns it), and the request printed without its secrets.
 */

/** Replaces `${VAR}` as the config loader does; a variable that is not set is an error, not an empty secret. */
function substitute(value: string, env: Record<string, string | undefined>, path: string): string {
  return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_match, name: string) => {
    const found = env[name];
    if (found === undefined) throw new Error(`${path}: environment variable ${name} is not set`);
    return found;
  });
}

function optionalString(
  entry: Record<string, unknown>,
  field: string,
  path: string,
  env: Record<string, string | undefined>,
) {
  const value = entry[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new Error(`${path}.${field}: must be a string`);
  return substitute(value, env, `${path}.${field}`);
}

/** The receiver `id` of a configuration document's `webhooks:` list, checked for its format. */
export function receiverFromDocument(
  document: unknown,
  id: string,
  env: Record<string, string | undefined>,
): ReceiverTarget {
  const list = isPlainObject(document) && Array.isArray(document.webhooks) ? document.webhooks : [];
  const index = list.findIndex((entry) => isPlainObject(entry) && entry.id === id);
  if (index < 0) {
    const ids = list.flatMap((entry) => (isPlainObject(entry) && typeof entry.id === 'string' ? [entry.id] : []));
    throw new Error(
      `no receiver with id ${JSON.stringify(id)} under webhooks: (receivers: ${ids.join(', ') || 'none'})`,
    );
  }
  const entry = list[index] as Record<string, unknown>;
  const path = `webhooks[${index}]`;
  const format = entry.format ?? 'alertgate';
  if (!outboundFormatNames.includes(format as ReceiverTarget['format']))
    throw new Error(`${path}.format: must be one of ${outboundFormatNames.join(', ')}, got ${JSON.stringify(format)}`);
  const headers = isPlainObject(entry.headers)
    ? Object.fromEntries(
        Object.entries(entry.headers).map(([name, value]) => [
          name,
          substitute(String(value), env, `${path}.headers.${name}`),
        ]),
      )
    : undefined;
  const fields = ['secret', 'routing_key', 'api_key', 'template'] as const;
  const target: ReceiverTarget = {
    id,
    url: optionalString(entry, 'url', path, env) ?? '',
    format: format as ReceiverTarget['format'],
    ...Object.fromEntries(
      fields.flatMap((field) => {
        const value = optionalString(entry, field, path, env);
        return value === undefined ? [] : [[field, value]];
      }),
    ),
    ...(headers && { headers }),
  };
  const problems = receiverProblems(target, path);
  if (problems.length > 0) throw new Error(problems.join('\n'));
  return target;
}

const seconds = (ms: unknown): number => (typeof ms === 'number' ? Math.floor(ms / 1000) : 0);

/** The link a source gave with its first alert (label `link`, `url` or `detail_url`), as the notify stage takes it. */
function sourceUrlOf(alerts: unknown): string | undefined {
  const first = Array.isArray(alerts) ? alerts[0] : undefined;
  const labels = isPlainObject(first) && isPlainObject(first.labels) ? first.labels : {};
  const url = [labels.link, labels.url, labels.detail_url].find(
    (value) => typeof value === 'string' && /^https?:\/\//.test(value),
  );
  return url as string | undefined;
}

/** An incident as `GET /api/v1/incidents/{id}` shows it (times in ms) turned into the webhook's incident. */
function webhookIncident(
  incident: Record<string, unknown>,
  alerts: unknown,
  publicUrl: string,
  channelNames: Record<string, string>,
): WebhookIncident {
  const id = String(incident.incident_id);
  const channelId = String(incident.channel_id ?? '');
  const sourceUrl = sourceUrlOf(alerts);
  return {
    incident_id: id,
    title: String(incident.title ?? ''),
    description: String(incident.description ?? ''),
    incident_severity: (incident.incident_severity ?? 'Warning') as WebhookSeverity,
    incident_status: (incident.incident_status ??
      incident.incident_severity ??
      'Warning') as WebhookIncident['incident_status'],
    progress: (incident.progress ?? 'Triggered') as WebhookIncident['progress'],
    created_at: seconds(incident.created_at),
    updated_at: seconds(incident.updated_at),
    start_time: seconds(incident.start_time),
    last_time: seconds(incident.last_time),
    end_time: seconds(incident.end_time),
    ack_time: seconds(incident.ack_time),
    close_time: seconds(incident.close_time),
    labels: isPlainObject(incident.labels) ? (incident.labels as Record<string, string>) : {},
    alert_cnt: Number(incident.alert_cnt ?? 0),
    active_alert_cnt: Number(incident.active_alert_cnt ?? 0),
    channel_id: channelId,
    channel_name: channelNames[channelId] ?? channelId,
    detail_url: `${publicUrl}/api/v1/incidents/${encodeURIComponent(id)}`,
    group_method: (incident.group_method ?? 'n') as WebhookIncident['group_method'],
    ...(sourceUrl && { source_url: sourceUrl }),
  };
}

const incidentEventTypes: readonly IncidentEventType[] = [
  'i_new',
  'i_ack',
  'i_unack',
  'i_rslv',
  'i_close',
  'i_reopen',
  'i_storm',
  'i_m_flapping',
  'i_comm',
  'i_repeat',
];

export interface BodyOptions {
  /** The event type of a body built from an incident (default i_new); replaces a body's own when given. */
  eventType?: IncidentEventType;
  publicUrl: string;
  channelNames: Record<string, string>;
  /** event_time of a body built from an incident, ms. */
  now: number;
}

/**
 * A webhook body from a file's JSON: a webhook body as it is, or an incident from `GET /api/v1/incidents/{id}`
 * (the whole answer `{data: {incident, alerts}}`, its `data`, or the incident alone), turned into an incident event.
 */
export function webhookBodyFrom(document: unknown, options: BodyOptions): WebhookBody {
  if (options.eventType !== undefined && !incidentEventTypes.includes(options.eventType))
    throw new Error(
      `--event must be one of ${incidentEventTypes.join(', ')}, got ${JSON.stringify(options.eventType)}`,
    );
  if (
    isPlainObject(document) &&
    typeof document.event_type === 'string' &&
    (isPlainObject(document.incident) || isPlainObject(document.alert))
  ) {
    const body = document as unknown as WebhookBody;
    return options.eventType && 'incident' in body ? { ...body, event_type: options.eventType } : body;
  }
  const data = isPlainObject(document) && isPlainObject(document.data) ? document.data : document;
  const incident = isPlainObject(data) && isPlainObject(data.incident) ? data.incident : data;
  if (!isPlainObject(incident) || typeof incident.incident_id !== 'string')
    throw new Error(
      'the body file holds neither a webhook body ({event_type, incident | alert}) nor an incident (GET /api/v1/incidents/{id})',
    );
  const eventType = options.eventType ?? 'i_new';
  return {
    event_id: `try-${incident.incident_id}-${eventType}`,
    event_type: eventType,
    event_time: options.now,
    incident: webhookIncident(
      incident,
      isPlainObject(data) ? data.alerts : undefined,
      options.publicUrl,
      options.channelNames,
    ),
  };
}

const redacted = '<redacted>';
const secretQuery = /^(access_token|token|key|api_key|apikey|integration_key|routing_key)$/i;
const secretHeader = /authorization|token|secret|key|cookie|signature|password/i;

/** The request without its secrets: credential query parameters, credential headers, PagerDuty's routing_key. */
export function redactRequest(request: RenderedRequest, target: ReceiverTarget): RenderedRequest {
  const url = new URL(request.url);
  for (const name of [...url.searchParams.keys()]) if (secretQuery.test(name)) url.searchParams.set(name, redacted);
  const headers = Object.fromEntries(
    Object.entries({ ...request.headers, ...target.headers }).map(([name, value]) => [
      name,
      secretHeader.test(name) ? redacted : value,
    ]),
  );
  let body = request.body;
  if (target.routing_key) body = body.split(JSON.stringify(target.routing_key)).join(JSON.stringify(redacted));
  return { url: url.toString().replace(/%3Credacted%3E/g, redacted), headers, body };
}
