import type { WebhookBody, WebhookEventType, WebhookSeverity } from '../webhook-body.js';
import { clip } from './text.js';

/**
 * What every chat format shows of one change, read on a phone: a headline (what happened, how bad), the title, the
 * channel, the alert count, the labels that matter and the links. Chat formats only lay it out.
 */
export interface ChatSummary {
  eventType: WebhookEventType;
  /** `New incident`, `Acknowledged by Alice`, `Resolved` … */
  what: string;
  severity: WebhookSeverity;
  /** The change ends the problem (resolved, closed, alert recovered): shown green whatever the severity. */
  recovered: boolean;
  emoji: string;
  /** `#rrggbb` for formats that take a colour. */
  colour: string;
  /** Plain words for the colour, for formats with named colours (red, orange, blue, green). */
  tone: 'red' | 'orange' | 'blue' | 'green';
  title: string;
  channel: string;
  /** `3 alerts (2 active)` for an incident, `5 events` for an alert. */
  count: string;
  /** The labels of `labelPriority` the incident carries, in that order, at most `maxLabels`. */
  labels: Array<[string, string]>;
  description?: string;
  /** Incident (or alert) id. */
  id: string;
  detailUrl?: string;
  sourceUrl?: string;
  /** Unix seconds of the change. */
  time: number;
}

/**
 * The labels a responder looks for first, in order; the first `maxLabels` the incident has are shown. Everything
 * else stays one click away (the incident link).
 */
export const labelPriority = [
  'service',
  'app',
  'cluster',
  'namespace',
  'host',
  'instance',
  'resource',
  'pod',
  'env',
  'region',
  'team',
  'check',
] as const;
export const maxLabels = 6;
const maxLabelValue = 100;
const maxTitle = 200;
const maxDescription = 300;

const happenings: Record<WebhookEventType, string> = {
  a_new: 'New alert',
  a_update: 'Alert updated',
  a_merge: 'Alert joined an incident',
  a_close: 'Alert closed',
  i_new: 'New incident',
  i_ack: 'Acknowledged',
  i_unack: 'Unacknowledged',
  i_rslv: 'Resolved',
  i_close: 'Closed',
  i_reopen: 'Reopened',
  i_storm: 'Alert storm',
  i_m_flapping: 'Flapping',
  i_comm: 'New comment',
  i_repeat: 'Still unacknowledged',
};

const looks: Record<WebhookSeverity | 'Ok', { emoji: string; colour: string; tone: ChatSummary['tone'] }> = {
  Critical: { emoji: '🔴', colour: '#D92D20', tone: 'red' },
  Warning: { emoji: '🟠', colour: '#F79009', tone: 'orange' },
  Info: { emoji: '🔵', colour: '#2E90FA', tone: 'blue' },
  Ok: { emoji: '✅', colour: '#12B76A', tone: 'green' },
};

function pickLabels(labels: Record<string, string>): Array<[string, string]> {
  const picked: Array<[string, string]> = [];
  for (const name of labelPriority) {
    const value = labels[name];
    if (typeof value === 'string' && value !== '' && picked.length < maxLabels)
      picked.push([name, clip(value, maxLabelValue)]);
  }
  return picked;
}

const plural = (count: number, word: string): string => `${count} ${word}${count === 1 ? '' : 's'}`;

/** The chat summary of a webhook body (alert or incident event). */
export function summarise(body: WebhookBody): ChatSummary {
  const by = body.person ? ` by ${body.person.person_name}` : '';
  const base = { eventType: body.event_type, time: Math.floor(body.event_time / 1000) };
  if ('incident' in body) {
    const incident = body.incident;
    const recovered = body.event_type === 'i_rslv' || body.event_type === 'i_close' || incident.progress === 'Closed';
    const storm =
      body.event_type === 'i_storm' && incident.storm_alert_cnt ? `: ${incident.storm_alert_cnt} alerts` : '';
    return {
      ...base,
      what: happenings[body.event_type] + storm + by,
      severity: incident.incident_severity,
      recovered,
      ...looks[recovered ? 'Ok' : incident.incident_severity],
      title: clip(incident.title, maxTitle),
      channel: incident.channel_name || incident.channel_id || '—',
      count: `${plural(incident.alert_cnt, 'alert')} (${incident.active_alert_cnt} active)`,
      labels: pickLabels(incident.labels),
      ...(incident.description && { description: clip(incident.description, maxDescription) }),
      id: incident.incident_id,
      ...(incident.detail_url && { detailUrl: incident.detail_url }),
      ...(incident.source_url && { sourceUrl: incident.source_url }),
    };
  }
  const alert = body.alert;
  const recovered = alert.alert_status === 'Ok' || alert.progress === 'Closed';
  return {
    ...base,
    what: happenings[body.event_type] + by,
    severity: alert.alert_severity,
    recovered,
    ...looks[recovered ? 'Ok' : alert.alert_severity],
    title: clip(alert.title, maxTitle),
    channel: alert.channel_name || alert.channel_id || '—',
    count: plural(alert.event_cnt, 'event'),
    labels: pickLabels(alert.labels),
    ...(alert.description && { description: clip(alert.description, maxDescription) }),
    id: alert.alert_id,
  };
}

/** `🔴 Critical · New incident` (or `✅ Resolved` once recovered). */
export function headline(summary: ChatSummary): string {
  return summary.recovered
    ? `${summary.emoji} ${summary.what}`
    : `${summary.emoji} ${summary.severity} · ${summary.what}`;
}
