/* The API's objects as the console reads them (schemas/openapi.json describes them in full). */

export type Severity = 'Critical' | 'Warning' | 'Info';
export const severities: Severity[] = ['Critical', 'Warning', 'Info'];

export interface Incident {
  incident_id: string;
  channel_id: string;
  title: string;
  description: string | null;
  incident_severity: Severity;
  incident_status: string;
  progress: 'Triggered' | 'Processing' | 'Closed';
  labels: Record<string, string>;
  alert_cnt: number;
  active_alert_cnt: number;
  group_method: string;
  storm?: { raised: boolean; thresholds?: number[] };
  flapping?: { state: string } | number;
  storm_raised?: string | null;
  start_time: number;
  last_time: number;
  end_time: number | null;
  ack_time: number | null;
  close_time: number | null;
}

export interface Alert {
  alert_id: string;
  alert_key: string;
  integration_id: string;
  channel_id: string;
  incident_id: string | null;
  title: string;
  alert_status: string;
  alert_severity: Severity;
  progress: string;
  labels: Record<string, string>;
  event_cnt: number;
  start_time: number;
  last_time: number;
  end_time: number | null;
  muted?: { reason: string; rule?: string } | string | null;
}

export interface StoredEvent {
  event_id: string;
  request_id: string;
  integration_id: string;
  channel_id: string | null;
  alert_key: string;
  alert_id: string | null;
  incident_id: string | null;
  event_status: string;
  title: string;
  labels: Record<string, string>;
  event_time: number;
  received_at: number;
  outcome: string;
  trace: Array<{ step: string; result: string } & Record<string, unknown>>;
}

export interface TimelineEntry {
  id: number;
  type: string;
  at: number;
  actor: string | null;
  alert_id: string | null;
  detail: unknown;
}

export interface Integration {
  id: string;
  name: string;
  adapter: string;
  channel_id: string | null;
  enabled: boolean;
  push_url: string;
  latest_event_at: number | null;
  counts: Record<string, number>;
}

export interface Channel {
  id: string;
  name: string;
  description: string;
}

export interface PayloadRecord {
  id?: string;
  request_id: string;
  adapter: string;
  received_at: number;
  method: string;
  content_type: string | null;
  headers: Record<string, string>;
  query: Record<string, string>;
  body: string;
  events?: number;
  error?: { code: string; message: string };
  replayed_at?: number | null;
}

export interface AdapterInfo {
  name: string;
  title: string;
  alert_key: string;
  push_url: string;
}

export interface PreviewResult {
  events: Array<Record<string, unknown>>;
  errors: Array<{
    code: string;
    message: string;
    index?: number;
    jsonata?: { code: string; message: string; position?: number; line?: number; column?: number };
  }>;
}

export { eventOutcomes as outcomes } from '../../src/worker/trace';

/** Storm raised, across the API's old and new spelling. */
export const isStorm = (incident: Incident): boolean =>
  incident.storm ? incident.storm.raised : Boolean(incident.storm_raised && incident.storm_raised !== '[]');

/** Flapping, across the API's old and new spelling. */
export const isFlapping = (incident: Incident): boolean =>
  typeof incident.flapping === 'object' ? incident.flapping.state !== 'none' : incident.flapping === 1;
