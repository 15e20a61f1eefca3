import type {
  AlertEventType,
  AlertWebhookBody,
  IncidentEventType,
  IncidentWebhookBody,
  WebhookBody,
} from '../../src/notify/webhook-body.js';

/** Every event type, for tests that go through all of them. */
export const incidentEventTypes: IncidentEventType[] = [
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
export const alertEventTypes: AlertEventType[] = ['a_new', 'a_update', 'a_merge', 'a_close'];

const closing = new Set<string>(['i_rslv', 'i_close']);
const byPerson = new Set<string>(['i_ack', 'i_unack', 'i_close', 'i_reopen', 'i_comm']);

/** An incident event as the notify stage builds it; `overrides` replace incident fields. */
export function incidentBody(
  eventType: IncidentEventType,
  overrides: Partial<IncidentWebhookBody['incident']> = {},
): IncidentWebhookBody {
  const closed = closing.has(eventType);
  return {
    event_id: `01KEVENT${eventType.toUpperCase()}`,
    event_type: eventType,
    event_time: 1_764_670_000_123,
    ...(byPerson.has(eventType) && {
      person: { person_id: 'u1', person_name: 'Alice Martin', email: 'alice@example.com' },
    }),
    incident: {
      incident_id: '01KINCIDENT0000000000000001',
      title: 'checkout / p99 latency high',
      description: 'p99 latency 1.4 s over 800 ms for 10 minutes',
      incident_severity: 'Critical',
      incident_status: closed ? 'Ok' : 'Critical',
      progress: closed ? 'Closed' : eventType === 'i_ack' ? 'Processing' : 'Triggered',
      created_at: 1_764_669_000,
      updated_at: 1_764_670_000,
      start_time: 1_764_669_000,
      last_time: 1_764_670_000,
      end_time: closed ? 1_764_670_000 : 0,
      ack_time: eventType === 'i_ack' ? 1_764_670_000 : 0,
      close_time: closed ? 1_764_670_000 : 0,
      labels: { service: 'checkout', cluster: 'eu-west-1', host: 'web-7', env: 'prod', severity: 'critical' },
      alert_cnt: 3,
      active_alert_cnt: closed ? 0 : 2,
      channel_id: 'ops',
      channel_name: 'Operations',
      detail_url: 'https://alertgate.example.com/incidents/01KINCIDENT0000000000000001',
      group_method: 'p',
      source_url: 'https://grafana.example.com/d/abc?orgId=1&var-host=web-7',
      ...(eventType === 'i_storm' && { storm_alert_cnt: 50 }),
      ...(eventType === 'i_m_flapping' && { flapping: true }),
      ...overrides,
    },
  };
}

/** An alert event as the notify stage builds it; `overrides` replace alert fields. */
export function alertBody(
  eventType: AlertEventType,
  overrides: Partial<AlertWebhookBody['alert']> = {},
): AlertWebhookBody {
  const closed = eventType === 'a_close';
  return {
    event_id: `01KEVENT${eventType.toUpperCase()}`,
    event_type: eventType,
    event_time: 1_764_670_000_456,
    alert: {
      alert_id: '01KALERT00000000000000001',
      data_source_id: 'prom',
      data_source_name: 'Prometheus',
      data_source_type: 'prometheus',
      channel_id: 'ops',
      channel_name: 'Operations',
      title: 'web-7 / disk /var 96% full',
      description: 'free space below 4%',
      alert_key: 'disk-web-7-var',
      alert_severity: 'Warning',
      alert_status: closed ? 'Ok' : 'Warning',
      progress: closed ? 'Closed' : 'Triggered',
      created_at: 1_764_669_000,
      updated_at: 1_764_670_000,
      start_time: 1_764_669_000,
      last_time: 1_764_670_000,
      labels: { host: 'web-7', mount: '/var', env: 'prod' },
      event_cnt: 4,
      ...(eventType !== 'a_new' && { incident: { incident_id: '01KINCIDENT0000000000000001', title: 'web-7 / disk' } }),
      ...overrides,
    },
  };
}

/** Every event type once, incident events first. */
export function everyBody(): WebhookBody[] {
  return [...incidentEventTypes.map((type) => incidentBody(type)), ...alertEventTypes.map((type) => alertBody(type))];
}

/** Text far past every vendor limit, with characters outside the BMP, CJK and markup characters of every format. */
export const hostileText =
  '😀 数据库连接池耗尽 <b>*bold*</b> & [link](http://x) `code` _it_ ~s~ ' + 'ß漢😀'.repeat(3000) + ' END';
