// Generated from schemas/adapter.schema.json by scripts/schema-types.mjs (npm run build). Edit the schema, not this file.
import type { Duration } from './rules.js';

export interface AdapterManifest {
  /** The adapter's one spelling: folder name, URL segment (/event/push/alert/<name>) and integration_type of its events. */
  name: string;
  /** Human name of the source, e.g. Prometheus Alertmanager. */
  title: string;
  /** Link to the source's webhook documentation. */
  vendor_docs: string;
  /** Request body types the source sends. */
  content_types: ('application/json' | 'text/plain' | 'application/x-www-form-urlencoded' | 'multipart/form-data')[];
  /** HTTP methods the source uses; GET only where it sends its data as query parameters. */
  methods: ('POST' | 'PUT' | 'GET')[];
  /** Which source field(s) form alert_key, in words. */
  alert_key: string;
  /** Status answered when the integration is over its budget: 429 (default, with Retry-After) or 503 for senders that retry only on 5xx and would drop a notification answered 429. */
  throttle_status?: 429 | 503;
  /** For sources that never send a recovery: an alert with no event for `after` recovers, unless the integration sets its own auto_resolve (or false). `reason` says why the source needs it. */
  auto_resolve?: {
    after: Duration;
    reason: string;
  };
  /** Query parameters that are the sender's own payload fields (a GET or form callback), not the push URL's overrides: `severity` or `title_rule` listed here reach the mapping and are not read as overrides. */
  payload_query_params?: ('severity' | 'title_rule')[];
  /** For multipart/form-data: the form field holding the JSON payload. */
  multipart_field?: string;
  /** Request signature verification. */
  signature?:
    | {
        type: 'hmac-sha256';
        /** Header carrying the digest (any case). */
        header: string;
        encoding: 'hex' | 'base64';
        /** Literal text before the digest, e.g. sha256=. */
        prefix?: string;
      }
    | {
        type: 'aws-sns';
      };
}
