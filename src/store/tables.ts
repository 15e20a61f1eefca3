import type { Generated } from 'kysely';
import type { EventStatus, Severity } from '../events/types.js';

/** An incident's progress: triggered, acknowledged (Processing) or closed. */
export type IncidentProgress = 'Triggered' | 'Processing' | 'Closed';

/** How an incident was grouped, in Flashduty's stored codes (`group_method`). */
export const GroupMethod = {
  /** One incident per alert: grouping off, or no grouping dimension has values. */
  none: 'n',
  /** By the values of the channel's grouping dimensions (the grouping key). */
  rule: 'p',
  /** By similarity to an open incident's title, description and labels. */
  similarity: 'i',
} as const;

export type GroupMethodCode = (typeof GroupMethod)[keyof typeof GroupMethod];

/** Row types of the database. Times are milliseconds since the epoch; JSON columns are text. */

export interface EventsTable {
  event_id: string;
  request_id: string;
  integration_id: string;
  integration_type: string;
  channel_id: string | null;
  alert_key: string;
  alert_id: string | null;
  incident_id: string | null;
  event_status: EventStatus;
  title: string;
  title_rule: string;
  description: string | null;
  labels: string;
  images: string | null;
  event_time: number;
  received_at: number;
  seq: number;
  processed_at: number;
  outcome: string;
  trace: string;
}

/** Per (integration, channel, alert_key): the last event applied, so a late event never overtakes it. */
export interface AlertKeysTable {
  integration_id: string;
  channel_id: string;
  alert_key: string;
  last_event_id: string;
  /** JSON list of the times (ms) the alert's status changed, for flapping detection. */
  status_changes: string | null;
  /** alert-then-silence: new alerts of this key stay muted until then (ms). */
  muted_until: number | null;
  last_status: string | null;
}

export interface AlertsTable {
  alert_id: string;
  integration_id: string;
  integration_type: string;
  channel_id: string;
  alert_key: string;
  incident_id: string | null;
  title: string;
  title_rule: string;
  description: string | null;
  alert_status: EventStatus;
  alert_severity: Severity;
  labels: string;
  images: string | null;
  /** Hash of the last event's status, title, description and labels: did an event change anything? */
  last_event_hash: string;
  /** Hash of the last event's status, title and description (de-duplication rule 2). */
  last_event_core_hash: string;
  event_cnt: number;
  start_time: number;
  last_time: number;
  end_time: number | null;
  close_time: number | null;
  /** 1 while the alert takes events; NULL once closed (keeps the partial unique index portable). */
  is_open: number | null;
  /** Why the alert never triggered an incident: `silenced:<rule>`, `inhibited:<rule>:<source alert>`, `flapping`. */
  muted: string | null;
  flapping: number;
  created_at: number;
  updated_at: number;
}

export interface IncidentsTable {
  incident_id: string;
  channel_id: string;
  title: string;
  description: string | null;
  incident_severity: Severity;
  incident_status: EventStatus;
  progress: IncidentProgress;
  labels: string;
  first_alert_id: string | null;
  alert_cnt: number;
  active_alert_cnt: number;
  group_method: GroupMethodCode;
  grouping_key: string | null;
  /** The grouping key while the incident takes alerts; NULL once closed or out of its window (unique per channel). */
  open_grouping_key: string | null;
  /** JSON list of storm thresholds already raised. */
  storm_raised: string | null;
  flapping: number;
  start_time: number;
  last_time: number;
  end_time: number | null;
  ack_time: number | null;
  close_time: number | null;
  created_at: number;
  updated_at: number;
}

export interface IncidentTimelineTable {
  id: Generated<number>;
  incident_id: string;
  type: string;
  at: number;
  actor: string | null;
  alert_id: string | null;
  detail: string | null;
}

export interface IntegrationStatsTable {
  integration_id: string;
  latest_event_at: number | null;
  latest_event_id: string | null;
}

export interface IntegrationCountsTable {
  integration_id: string;
  outcome: string;
  count: number;
}

/** A silence made through the API; `rule` is a SilenceRule as JSON. */
export interface SilencesTable {
  channel_id: string;
  id: string;
  rule: string;
  created_at: number;
  created_by: string | null;
  /** When the silence ends or was expired (ms); null for a weekly schedule without end. Expired rows stay as history. */
  expires_at: number | null;
  /** Why it was made (free text). */
  comment: string | null;
  /** When it starts (ms): the start of its one-off window, or its creation for a weekly schedule. */
  starts_at: number | null;
}

/** A change (deploy, ticket…): one row per integration and change_key, updated by its later events. */
export interface ChangesTable {
  /** The event_id of its first event. */
  change_id: string;
  integration_id: string;
  change_key: string;
  title: string;
  description: string | null;
  change_status: string;
  labels: string;
  link: string | null;
  /** JSON list of `{status, at, event_id}`, one per status the change went through, oldest first. */
  statuses: string;
  /** event_time of its first and latest events. */
  start_time: number;
  last_time: number;
  /** The latest event applied: an older one (a retry, a late delivery) changes nothing. */
  last_event_id: string;
  created_at: number;
  updated_at: number;
}

/** A change's labels, one row each, so changes are found by label value. */
export interface ChangeLabelsTable {
  change_id: string;
  name: string;
  value: string;
}

/** A heartbeat's state; its settings stay in alertgate.yaml. */
export interface HeartbeatsTable {
  heartbeat_id: string;
  /** When checks began (first seen by a worker): the start of the first period when it never pinged. */
  since: number;
  last_ping_at: number | null;
  /** The deadline of the latest missed period that raised its alert. */
  last_missed_at: number | null;
  missed_cnt: number;
}

/** Where a delivery stands: waiting to be sent (or retried), sent, given up after its last attempt, or not sent because its format sends nothing for its event type. */
export type DeliveryStatus = 'pending' | 'delivered' | 'dead' | 'skipped';

/** A change worth a message, until the notifier has made it one delivery per receiver (then the row goes). */
export interface OutboxTable {
  /** The order changes were committed in, which their deliveries keep. */
  seq: Generated<number>;
  change_id: string;
  event_type: string;
  channel_id: string;
  incident_id: string | null;
  alert_id: string | null;
  order_key: string;
  /** Ids of the receivers that take the change as configured when it was recorded, as a JSON array. */
  receivers: string;
  /**
   * The webhook body (JSON) as it was when the change was recorded, which relaying keeps in `change_bodies`; empty when
   * the body was handed to the notifier in memory instead (the pipeline's rows).
   */
  body: string;
  created_at: number;
}

/** The body of a change, kept once for all its deliveries; retention removes it with the last of them. */
export interface ChangeBodiesTable {
  change_id: string;
  /** The webhook body (JSON) as it was when the change was recorded. */
  body: string;
  created_at: number;
}

/** One outbound webhook message: a change of an incident or alert for one receiver. */

export interface DeliveriesTable {
  /** Orders the deliveries of one receiver and `order_key`. */
  seq: Generated<number>;
  /** Deterministic from (receiver, change): writing the same change twice writes one delivery. */
  delivery_id: string;
  receiver_id: string;
  /** The change's `event_id` in the body, the same for every receiver. */
  change_id: string;
  event_type: string;
  channel_id: string;
  incident_id: string | null;
  alert_id: string | null;
  /** What deliveries are ordered by: the incident, or the alert when it has none. */
  order_key: string;
  status: DeliveryStatus;
  /** 1 once a job was added to the delivery queue; the sweep enqueues rows left at 0 (a crash after commit). */
  queued: number;
  /** The job that sends it while pending: a relay job of several deliveries, or null for its own (id = delivery_id). */
  job_id: string | null;
  attempts: number;
  created_at: number;
  updated_at: number;
  next_attempt_at: number | null;
  delivered_at: number | null;
  last_status_code: number | null;
  last_error: string | null;
}

/** One attempt to send a delivery. */
export interface DeliveryAttemptsTable {
  id: Generated<number>;
  delivery_id: string;
  attempt: number;
  at: number;
  status_code: number | null;
  latency_ms: number;
  error: string | null;
  /** The first 1 KiB of the response body. */
  response: string | null;
}

export interface Database {
  events: EventsTable;
  alert_keys: AlertKeysTable;
  alerts: AlertsTable;
  incidents: IncidentsTable;
  incident_timeline: IncidentTimelineTable;
  integration_stats: IntegrationStatsTable;
  integration_counts: IntegrationCountsTable;
  silences: SilencesTable;
  changes: ChangesTable;
  change_labels: ChangeLabelsTable;
  heartbeats: HeartbeatsTable;
  outbox: OutboxTable;
  change_bodies: ChangeBodiesTable;
  deliveries: DeliveriesTable;
  delivery_attempts: DeliveryAttemptsTable;
}
