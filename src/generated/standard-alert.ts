// Generated from schemas/standard-alert.schema.json by scripts/schema-types.mjs (npm run build). Edit the schema, not this file.

/** One alert event as pushed to POST /event/push/alert/standard (Flashduty's Standard Alert Integration). Checked after empty strings and nulls have been removed and `title` has been folded into `title_rule`. Over-long title_rule, description, label values, image alt and href are truncated, not rejected; an image src over 256 code points is dropped. */
export interface StandardAlertInput {
  /** Title or title rule; rendered, then truncated to 512 code points. */
  title_rule: string;
  /** Alias of title_rule; title_rule wins when both are given. */
  title?: string;
  event_status: 'Critical' | 'Warning' | 'Info' | 'Ok';
  alert_key?: string;
  description?: string;
  labels?: Record<string, string>;
  images?: {
    alt?: string;
    src: string;
    href?: string;
  }[];
  /** Unix time in seconds or milliseconds (also µs and ns), detected by magnitude. */
  event_time?: number;
}
