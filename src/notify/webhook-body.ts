/**
 * The body of an outbound webhook in Flashduty's shape (contract §7), the one input of every outbound format: the
 * `alertgate` format sends it as it is, chat and forwarding formats render it, and a receiver's `template` maps it.
 * Times inside `alert` and `incident` are Unix seconds, `event_time` is milliseconds, as Flashduty sends them.
 */

export type AlertEventType = 'a_new' | 'a_update' | 'a_merge' | 'a_close';
export type IncidentEventType =
  | 'i_new'
  | 'i_ack'
  | 'i_unack'
  | 'i_rslv'
  | 'i_close'
  | 'i_reopen'
  | 'i_storm'
  | 'i_m_flapping'
  | 'i_comm'
  | 'i_repeat';
export type WebhookEventType = AlertEventType | IncidentEventType;

export type WebhookSeverity = 'Critical' | 'Warning' | 'Info';
export type WebhookStatus = WebhookSeverity | 'Ok';

/** Who did it, for changes made by a person (ack, resolve, reopen, comment). */
export interface WebhookPerson {
  person_id: string;
  person_name: string;
  email?: string;
}

export interface WebhookAlert {
  alert_id: string;
  data_source_id: string;
  data_source_name: string;
  data_source_type: string;
  channel_id: string;
  channel_name: string;
  title: string;
  description?: string;
  alert_key: string;
  alert_severity: WebhookSeverity;
  alert_status: WebhookStatus;
  progress: 'Triggered' | 'Closed';
  created_at: number;
  updated_at: number;
  start_time: number;
  last_time: number;
  end_time?: number;
  close_time?: number;
  labels: Record<string, string>;
  event_cnt: number;
  images?: Array<{ src: string; alt?: string; href?: string }>;
  incident?: { incident_id: string; title: string };
}

export interface WebhookIncident {
  incident_id: string;
  title: string;
  description: string;
  incident_severity: WebhookSeverity;
  incident_status: WebhookStatus;
  progress: 'Triggered' | 'Processing' | 'Closed';
  created_at: number;
  updated_at: number;
  start_time: number;
  last_time: number;
  end_time: number;
  ack_time: number;
  close_time: number;
  labels: Record<string, string>;
  alert_cnt: number;
  active_alert_cnt: number;
  channel_id: string;
  channel_name: string;
  /** Link to the incident in the console (`PUBLIC_URL`), or to the API when the console is off. */
  detail_url: string;
  /** Flashduty's codes: n = none, p = by rules, i = by similarity. */
  group_method: 'n' | 'p' | 'i';
  /** Set while a storm notice is raised (the alert count that crossed a threshold). */
  storm_alert_cnt?: number;
  flapping?: boolean;
  /** Link to the source of its first alert, when the source gave one (label `link`/`url`/`detail_url`). */
  source_url?: string;
  closer?: WebhookPerson;
}

interface WebhookBodyBase {
  /** Stable per change and receiver-independent: retries and redeliveries of one change carry the same id. */
  event_id: string;
  event_time: number;
  person?: WebhookPerson;
}

export interface AlertWebhookBody extends WebhookBodyBase {
  event_type: AlertEventType;
  alert: WebhookAlert;
}

export interface IncidentWebhookBody extends WebhookBodyBase {
  event_type: IncidentEventType;
  incident: WebhookIncident;
}

export type WebhookBody = AlertWebhookBody | IncidentWebhookBody;
