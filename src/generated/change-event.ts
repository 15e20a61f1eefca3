// Generated from schemas/change-event.schema.json by scripts/schema-types.mjs (npm run build). Edit the schema, not this file.

/** One change event as pushed to POST /event/push/change/standard (Flashduty's Standard Change Event). Checked after empty strings and nulls have been removed. Over-long title, description and label values are truncated, not rejected. */
export interface ChangeEventInput {
  /** What changed; truncated to 512 code points. */
  title: string;
  /** Truncated to 2048 code points. */
  description?: string;
  /** Which change: a later event with the same key updates it. */
  change_key: string;
  change_status: 'Planned' | 'Ready' | 'Processing' | 'Canceled' | 'Done';
  labels?: Record<string, string>;
  /** Where the change is described (a deploy, a pull request, a ticket). */
  link?: string;
  /** Unix time in seconds or milliseconds, detected by magnitude; default: time received. */
  event_time?: number;
}
