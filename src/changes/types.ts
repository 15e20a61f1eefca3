import type { ChangeStatus } from '../config/types.js';
import type { ChangeAdapter as SchemaChangeAdapter } from '../generated/config.js';
import type { SameType } from '../same-type.js';

export type { ChangeStatus } from '../config/types.js';

/** Flashduty's change statuses, in the order a change usually goes through them. */
export const changeStatuses = ['Planned', 'Ready', 'Processing', 'Canceled', 'Done'] as const;
true satisfies SameType<(typeof changeStatuses)[number], ChangeStatus>;

/** The adapters of change integrations: they take change events, not alerts, and route nowhere. */
export const changeAdapters = ['change-standard', 'change-jira'] as const;
export type ChangeAdapter = (typeof changeAdapters)[number];
true satisfies SameType<ChangeAdapter, SchemaChangeAdapter>;

export function isChangeAdapter(adapter: string): adapter is ChangeAdapter {
  return (changeAdapters as readonly string[]).includes(adapter);
}

/** A change event after validation and truncation (schemas/change-event.schema.json). */
export interface NormalisedChange {
  title: string;
  description?: string;
  /** Which change: a later event with the same key updates it. */
  change_key: string;
  change_status: ChangeStatus;
  labels: Record<string, string>;
  link?: string;
  /** Milliseconds since the epoch. */
  event_time: number;
}

/** A change stamped by the gateway: what travels through the `changes` queue to the worker. */
export interface QueuedChange extends NormalisedChange {
  /** Unique and time-ordered: a later event of a change key wins. */
  event_id: string;
  request_id: string;
  integration_id: string;
  integration_type: string;
  received_at: number;
}
