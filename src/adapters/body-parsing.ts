import { AppError, invalidParameter } from '../errors.js';
import { assertJsonDepth } from '../json-depth.js';
import type { AdapterContentType, AdapterManifest } from './manifest.js';

/**
 * A push as an adapter sees it before parsing: what the gateway received, what a rejected payload keeps, what a
 * fixture describes. Headers are lower-cased and carry no credentials; the query has no integration_key.
 */
export interface AdapterRequest {
  method: string;
  /** The Content-Type header as sent (parameters included); undefined when absent. */
  contentType?: string;
  rawBody: Buffer;
  headers: Record<string, string>;
  query: Record<string, string>;
}

/** What a mapping evaluates: `{body, headers, query}` (adapters/README.md). */
export interface MappingInput {
  body: unknown;
  headers: Record<string, string>;
  query: Record<string, string>;
}

/** Size of a request's payload in bytes (body, plus query values for GET sources): scales the mapping's time budget. */
export function requestBytes(request: AdapterRequest): number {
  let bytes = request.rawBody.length;
  for (const value of Object.values(request.query)) bytes += value.length;
  return bytes;
}

/** Headers that authenticate the push: never handed to mappings nor kept with stored payloads. */
const credentialHeaders = new Set(['authorization', 'proxy-authorization', 'cookie', 'x-integration-key']);

/** Lower-cased headers without credentials; repeated headers are joined with `, ` as HTTP defines. */
export function mappingHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const clean: Array<[string, string]> = [];
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (value === undefined || credentialHeaders.has(lower)) continue;
    clean.push([lower, Array.isArray(value) ? value.join(', ') : value]);
  }
  // fromEntries defines each key: a header or parameter named __proto__ is kept as one.
  return Object.fromEntries(clean);
}

/** Query parameters as strings (a repeated one keeps its last value), without the integration_key. */
export function mappingQuery(query: Record<string, unknown>): Record<string, string> {
  const clean: Array<[string, string]> = [];
  for (const [name, value] of Object.entries(query)) {
    if (name === 'integration_key') continue;
    const last: unknown = Array.isArray(value) ? value[value.length - 1] : value;
    if (typeof last === 'string') clean.push([name, last]);
  }
  return Object.fromEntries(clean);
}

/** The media type of a Content-Type value, lower-cased; `application/x+json` counts as JSON. */
export function mediaTypeOf(contentType: string | undefined): string | undefined {
  const type = contentType?.split(';')[0].trim().toLowerCase();
  if (!type) return undefined;
  return /^application\/[\w.+-]+\+json$/.test(type) ? 'application/json' : type;
}

function charsetOf(contentType: string | undefined): string {
  const match = /;\s*charset="?([\w.:-]+)"?/i.exec(contentType ?? '');
  return match ? match[1] : 'utf-8';
}

function decodeText(raw: Buffer, contentType: string | undefined): string {
  const charset = charsetOf(contentType);
  try {
    return new TextDecoder(charset).decode(raw);
  } catch {
    throw new AppError('InvalidContentType', `unsupported charset ${JSON.stringify(charset)}`);
  }
}

function parseJsonText(text: string, what: string): unknown {
  assertJsonDepth(text, what);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw invalidParameter(`${what} is not valid JSON: ${(error as Error).message}`);
  }
}

async function parseMultipart(request: AdapterRequest, field: string): Promise<unknown> {
  let form: FormData;
  try {
    // The platform's own multipart parser (undici), over the already size-limited body.
    form = await new Response(request.rawBody, { headers: { 'content-type': request.contentType ?? '' } }).formData();
  } catch {
    throw invalidParameter('request body is not valid multipart/form-data (check the boundary)');
  }
  const value = form.get(field);
  if (value === null)
    throw invalidParameter(
      `multipart/form-data body has no field ${JSON.stringify(field)}; fields: ${[...new Set(form.keys())].join(', ') || 'none'}`,
    );
  return parseJsonText(
    typeof value === 'string' ? value : await value.text(),
    `multipart field ${JSON.stringify(field)}`,
  );
}

/**
 * Throws InvalidContentType unless the adapter accepts the request's declared body type. A body sent without a
 * Content-Type (Icinga Notifications' webhook, Go's http.Client) is read as JSON when the adapter takes JSON.
 */
export function checkContentType(manifest: AdapterManifest, request: AdapterRequest): AdapterContentType | undefined {
  if (request.method === 'GET') return undefined;
  if (request.contentType === undefined && (manifest.content_types as string[]).includes('application/json'))
    return 'application/json';
  const type = mediaTypeOf(request.contentType);
  if (type === undefined || !(manifest.content_types as string[]).includes(type)) {
    const got = request.contentType ? JSON.stringify(request.contentType) : 'none';
    throw new AppError(
      'InvalidContentType',
      `Content-Type must be ${manifest.content_types.join(' or ')} for the ${manifest.name} adapter, got ${got}`,
    );
  }
  return type as AdapterContentType;
}

/**
 * The mapping's `body`: parsed JSON (also from text/plain, as Amazon SNS sends it, and from a body without a
 * Content-Type when the adapter takes JSON), form fields as strings, the manifest's multipart field parsed as JSON,
 * or `{}` for GET and for an empty body.
 * Throws InvalidContentType for a type the manifest does not list, InvalidParameter for a body that does not parse.
 */
export async function parseAdapterBody(manifest: AdapterManifest, request: AdapterRequest): Promise<unknown> {
  const type = checkContentType(manifest, request);
  if (type === undefined || request.rawBody.length === 0) return {};
  switch (type) {
    case 'application/json':
      return parseJsonText(decodeText(request.rawBody, request.contentType), 'request body');
    case 'text/plain':
      return parseJsonText(
        decodeText(request.rawBody, request.contentType),
        'the text/plain request body (JSON expected)',
      );
    case 'application/x-www-form-urlencoded':
      return Object.fromEntries(new URLSearchParams(decodeText(request.rawBody, request.contentType)));
    case 'multipart/form-data':
      return parseMultipart(request, manifest.multipart_field ?? 'payload');
  }
}
