import { createHash } from 'node:crypto';
import type { EventStatus, QueuedEvent, Severity } from '../events/types.js';
import { highestSeverity } from './severity.js';

/** The parts of an open alert the merge rules read. */
export interface OpenAlert {
  alert_id: string;
  title: string;
  title_rule: string;
  description: string | null;
  /** JSON text, as stored. */
  images: string | null;
  alert_status: EventStatus;
  alert_severity: Severity;
  labels: Record<string, string>;
  last_event_hash: string;
  last_event_core_hash: string;
  event_cnt: number;
  /** When it started (its first event's time); absent: not known to the rules. */
  start_time?: number;
}

/** The fields a merge writes to an alert. */
export interface AlertChanges {
  title: string;
  title_rule: string;
  description: string | null;
  alert_status: EventStatus;
  alert_severity: Severity;
  labels: Record<string, string>;
  last_event_hash: string;
  last_event_core_hash: string;
  event_cnt: number;
  last_time: number;
  end_time: number | null;
  close_time: number | null;
  images: string | null;
}

/** What one event does to the alert of its key (contract §5, de-duplication rules). */
export type MergeDecision =
  | { kind: 'open'; alert: AlertChanges }
  | { kind: 'duplicate' }
  | { kind: 'labels_updated'; labels: Record<string, string>; last_event_hash: string }
  | { kind: 'merged'; changes: AlertChanges }
  | { kind: 'recovered'; changes: AlertChanges }
  | { kind: 'ignored_ok' };

function digest(parts: string[]): string {
  const hash = createHash('sha1');
  for (const part of parts) hash.update(part).update('\0');
  return hash.digest('hex');
}

function sortedLabels(labels: Record<string, string>): string {
  return JSON.stringify(
    Object.keys(labels)
      .sort()
      .map((key) => [key, labels[key]]),
  );
}

/** Content hash of an event: did it change anything (status, title, description, labels)? */
export function eventContentHash(
  event: Pick<QueuedEvent, 'event_status' | 'title' | 'description' | 'labels'>,
): string {
  return digest([event.event_status, event.title, event.description ?? '', sortedLabels(event.labels)]);
}

/** Hash of status, title and description: an event equal on these only updates the alert's labels. */
export function eventCoreHash(event: Pick<QueuedEvent, 'event_status' | 'title' | 'description'>): string {
  return digest([event.event_status, event.title, event.description ?? '']);
}

function changesFrom(
  event: QueuedEvent,
  previous: OpenAlert | undefined,
  labels: Record<string, string>,
  at: number,
): AlertChanges {
  const recovered = event.event_status === 'Ok';
  const startedAt = previous?.start_time ?? at;
  // A recovery closes the alert without renaming it ("Resolved", "Closed", a shorter title): what it said stays on
  // the event. A later event without a description or images keeps the alert's.
  const kept = recovered && previous !== undefined;
  return {
    title: kept ? previous.title : event.title,
    title_rule: kept ? previous.title_rule : event.title_rule,
    description: kept ? previous.description : (event.description ?? previous?.description ?? null),
    alert_status: event.event_status,
    // An alert's severity is the highest of its events (a recovery keeps it).
    alert_severity: recovered
      ? (previous?.alert_severity ?? 'Info')
      : highestSeverity([event.event_status as Severity, ...(previous ? [previous.alert_severity] : [])]),
    labels,
    last_event_hash: eventContentHash(event),
    last_event_core_hash: eventCoreHash(event),
    event_cnt: (previous?.event_cnt ?? 0) + 1,
    // Last heard of: alertgate's clock (a sender may repeat an alert with its start time), never before its start.
    last_time: Math.max(event.received_at, startedAt),
    // Ended when the source says it recovered, never before it started; closed when alertgate closed it.
    end_time: recovered ? Math.max(at, startedAt) : null,
    close_time: recovered ? event.received_at : null,
    images: kept ? previous.images : event.images ? JSON.stringify(event.images) : (previous?.images ?? null),
  };
}

/**
 * Decides what an event does to the open alert of its key, if any (`at`: when the event happened, its end time
 * when it is a recovery):
 * Ok with no open alert → ignored; no open alert → a new alert; identical to the alert's last event → duplicate;
 * same status, title and description → only the labels are taken; otherwise merged (Ok: recovered, keeping the
 * alert's title, description, images and labels, adding missing labels).
 */
export function mergeEventIntoAlert(
  alert: OpenAlert | undefined,
  event: QueuedEvent,
  at: number = event.received_at,
): MergeDecision {
  if (!alert) {
    if (event.event_status === 'Ok') return { kind: 'ignored_ok' };
    return { kind: 'open', alert: changesFrom(event, undefined, event.labels, at) };
  }
  const contentHash = eventContentHash(event);
  if (contentHash === alert.last_event_hash) return { kind: 'duplicate' };
  if (eventCoreHash(event) === alert.last_event_core_hash) {
    return { kind: 'labels_updated', labels: event.labels, last_event_hash: contentHash };
  }
  if (event.event_status === 'Ok') {
    return { kind: 'recovered', changes: changesFrom(event, alert, { ...event.labels, ...alert.labels }, at) };
  }
  return { kind: 'merged', changes: changesFrom(event, alert, event.labels, at) };
}
