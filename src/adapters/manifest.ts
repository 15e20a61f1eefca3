import { describeSchemaErrors, validateAdapterManifest } from '../schemas.js';
import { lineColumnOf } from './source-position.js';

/** Body types an adapter may accept (schemas/adapter.schema.json). */
export type AdapterContentType =
  'application/json' | 'text/plain' | 'application/x-www-form-urlencoded' | 'multipart/form-data';

/** HTTP methods an adapter may accept. */
export type AdapterMethod = 'POST' | 'PUT' | 'GET';

/** HMAC-SHA256 over the raw body, keyed with the integration's `secret`. */
export interface HmacSignatureSpec {
  type: 'hmac-sha256';
  header: string;
  encoding: 'hex' | 'base64';
  prefix?: string;
}

/** Amazon SNS message signature (certificate from an SNS host). */
export interface SnsSignatureSpec {
  type: 'aws-sns';
}

/** An adapter's manifest.json, validated. */
export interface AdapterManifest {
  name: string;
  title: string;
  vendor_docs: string;
  content_types: AdapterContentType[];
  methods: AdapterMethod[];
  alert_key: string;
  multipart_field?: string;
  signature?: HmacSignatureSpec | SnsSignatureSpec;
  /** Over budget: 429 (default) or 503 for senders that retry only on 5xx. */
  throttle_status?: 429 | 503;
  /** Query parameters that are the sender's payload fields, not the push URL's overrides. */
  payload_query_params?: Array<'severity' | 'title_rule'>;
  /** Sources with no recovery signal: alerts idle this long recover unless the integration says otherwise. */
  auto_resolve?: { after: string; reason: string };
}

/** JSON.parse's "at position N" turned into line:column of the text. */
function jsonSyntaxProblem(text: string, error: Error): string {
  const message = error.message.replace(/\s+/g, ' ');
  const match = /position (\d+)/.exec(message);
  if (!match) return message;
  const { line, column } = lineColumnOf(text, Number(match[1]));
  return `${line}:${column}: ${message}`;
}

/**
 * Parses and validates the text of `adapters/<folder>/manifest.json`. Returns the manifest or the problems, each
 * prefixed with a line:column (syntax) or a field path (schema); `name` must equal the folder name.
 */
export function parseManifest(text: string, folder: string): { manifest: AdapterManifest } | { problems: string[] } {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    return { problems: [jsonSyntaxProblem(text, error as Error)] };
  }
  if (!validateAdapterManifest(document))
    return { problems: describeSchemaErrors(validateAdapterManifest.errors, 'manifest') };
  if (document.name !== folder)
    return {
      problems: [`name: must equal the folder name ${JSON.stringify(folder)}, got ${JSON.stringify(document.name)}`],
    };
  return { manifest: document };
}
