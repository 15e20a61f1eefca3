import type { StandardAlertInput } from '../generated/standard-alert.js';
import type { SameType } from '../same-type.js';

/** Event statuses of the standard event; `Ok` recovers the alert. */
export const eventStatuses = ['Critical', 'Warning', 'Info', 'Ok'] as const;
export type EventStatus = (typeof eventStatuses)[number];
true satisfies SameType<EventStatus, StandardAlertInput['event_status']>;

/** Severities an alert or incident can have (every status but Ok). */
export const severities = ['Critical', 'Warning', 'Info'] as const;
export type Severity = (typeof severities)[number];

export const severityRank: Record<Severity, number> = { Info: 1, Warning: 2, Critical: 3 };

/** A standard event as a sender may push it (schemas/standard-alert.schema.json). */
export type { StandardAlertInput };

export type AlertImage = NonNullable<StandardAlertInput['images']>[number];

/** A standard event after validation, truncation and title rendering: what adapters' fixtures describe. */
export interface NormalisedEvent {
  title: string;
  title_rule: string;
  event_status: EventStatus;
  alert_key: string;
  /** True when alertgate derived the key because the sender gave none. */
  alert_key_derived: boolean;
  description?: string;
  labels: Record<string, string>;
  images?: AlertImage[];
  /** Milliseconds since the epoch. */
  event_time: number;
}

/** A normalised event stamped by the gateway: this is what travels through the queue to the worker. */
export interface QueuedEvent extends NormalisedEvent {
  /** Unique and time-ordered; also the per-alert ordering key. */
  event_id: string;
  request_id: string;
  integration_id: string;
  integration_type: string;
  /** Milliseconds since the epoch. */
  received_at: number;
  /** Per gateway process, strictly increasing. */
  seq: number;
}
