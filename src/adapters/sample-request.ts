import { mappingHeaders, mappingQuery, type AdapterRequest } from './body-parsing.js';
import type { AdapterManifest } from './manifest.js';
import { isPlainObject } from '../plain-object.js';

/**
 * A request written down as JSON: the fixture input format (`<case>.input.json`), also taken by
 * `alertgate adapter try` and, with `payload` for `body`, by the preview API.
 */
export interface SampleRequest {
  /** The parsed body (JSON). */
  body?: unknown;
  /** The exact body text, for text/plain, form and multipart bodies; wins over `body`. */
  raw_body?: string;
  headers?: Record<string, string>;
  query?: Record<string, string>;
  /** null: the request has no Content-Type header. */
  content_type?: string | null;
  method?: string;
  /** ms since the epoch; fixtures default to 1767225600000. */
  received_at?: number;
}

const sampleKeys = new Set(['raw_body', 'headers', 'query', 'content_type', 'method', 'received_at']);

/**
 * True when `value` is a sample request whose body sits under `bodyKey` (`body` in fixtures, `payload` in the
 * preview API) rather than a bare payload: an object holding `bodyKey` (or `raw_body`) and no other keys.
 */
export function isSampleRequest(value: unknown, bodyKey: 'body' | 'payload'): boolean {
  if (!isPlainObject(value)) return false;
  const keys = Object.keys(value);
  return (
    (keys.includes(bodyKey) || keys.includes('raw_body')) && keys.every((key) => key === bodyKey || sampleKeys.has(key))
  );
}

function defaultContentType(manifest: AdapterManifest): string {
  return manifest.content_types.includes('application/json') ? 'application/json' : manifest.content_types[0];
}

/** The request a sample describes: the content type defaults to JSON (or the adapter's first type); `content_type: null` sends none. */
export function requestFromSample(sample: SampleRequest, manifest: AdapterManifest): AdapterRequest {
  const method = (sample.method ?? 'POST').toUpperCase();
  const headers = mappingHeaders(sample.headers ?? {});
  let contentType: string | undefined;
  if (sample.content_type === null) contentType = undefined;
  else if (method === 'GET') contentType = headers['content-type'];
  else contentType = sample.content_type ?? headers['content-type'] ?? defaultContentType(manifest);
  let rawBody: Buffer;
  if (sample.raw_body !== undefined) rawBody = Buffer.from(sample.raw_body, 'utf8');
  else if (method === 'GET' || sample.body === undefined) rawBody = Buffer.alloc(0);
  else rawBody = Buffer.from(JSON.stringify(sample.body), 'utf8');
  return {
    method,
    ...(contentType !== undefined && { contentType }),
    rawBody,
    headers,
    query: mappingQuery(sample.query ?? {}),
  };
}
