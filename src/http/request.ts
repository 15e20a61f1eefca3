import express, { type Request, type Response } from 'express';
import { mappingHeaders, mappingQuery, mediaTypeOf, type AdapterRequest } from '../adapters/body-parsing.js';
import { AppError, invalidParameter } from '../errors.js';
import { assertJsonDepth } from '../json-depth.js';
import { bodyParserError } from './errors.js';

/* Reading requests: body parsers, the integration key, the request as adapters see it. Parsing only, no decisions. */

type Parser = (req: Request, res: Response, next: (error?: unknown) => void) => void;

/** Runs a body-parser middleware as a promise, mapping its failures to the contract's errors. */
export function runParser(parser: Parser, req: Request, res: Response): Promise<void> {
  return new Promise((resolve, reject) => {
    parser(req, res, (error?: unknown) => {
      if (error) reject(bodyParserError(error) ?? error);
      else resolve();
    });
  });
}

/** For express.json's `verify`: refuses a body nested too deep before it is parsed (an AppError passes through). */
export function verifyJsonDepth(_req: unknown, _res: unknown, raw: Buffer): void {
  assertJsonDepth(raw, 'request body');
}

// Body parsers are built once per kind and size limit: building one per request costs more than parsing a small body.
const parsers = new Map<string, Parser>();

function parserFor(kind: 'json' | 'raw', limitBytes: number): Parser {
  const key = `${kind}:${limitBytes}`;
  let parser = parsers.get(key);
  if (!parser) {
    parser = (
      kind === 'json'
        ? express.json({ limit: limitBytes, type: () => true, strict: false, verify: verifyJsonDepth })
        : express.raw({ limit: limitBytes, type: () => true })
    ) as Parser;
    parsers.set(key, parser);
  }
  return parser;
}

/** Parses the body as JSON within the payload limit, whatever the declared type (the caller checks the type first). */
export async function readJsonBody(req: Request, res: Response, limitBytes: number): Promise<unknown> {
  await runParser(parserFor('json', limitBytes), req, res);
  return req.body as unknown;
}

/** Reads the body once as bytes (whatever its type), within the payload limit. */
export async function readRawBody(req: Request, res: Response, limitBytes: number): Promise<Buffer> {
  await runParser(parserFor('raw', limitBytes), req, res);
  return Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
}

/** Throws InvalidContentType unless the request declares JSON (`application/json` or `application/…+json`). */
export function requireJson(req: Request): void {
  const type = req.get('content-type');
  if (mediaTypeOf(type) !== 'application/json') {
    throw new AppError(
      'InvalidContentType',
      `Content-Type must be application/json, got ${type ? JSON.stringify(type) : 'none'}`,
    );
  }
}

/** The integration_key of a push: query `integration_key`, header `X-Integration-Key`, or `Authorization: Bearer K`. */
export function integrationKeyOf(req: Request): string | undefined {
  const fromQuery = req.query.integration_key;
  if (typeof fromQuery === 'string' && fromQuery !== '') return fromQuery;
  const fromHeader = req.get('x-integration-key');
  if (fromHeader) return fromHeader.trim();
  const authorization = req.get('authorization');
  const bearer = authorization && /^Bearer\s+(.+)$/i.exec(authorization.trim());
  return bearer ? bearer[1] : undefined;
}

/** The request as adapters see it: credentials stripped from headers and query; `method` defaults to the request's. */
export function adapterRequestOf(req: Request, rawBody: Buffer, method = req.method): AdapterRequest {
  const contentType = req.get('content-type');
  return {
    method,
    ...(contentType !== undefined && { contentType }),
    rawBody,
    headers: mappingHeaders(req.headers),
    query: mappingQuery(req.query as Record<string, unknown>),
  };
}

/** A query parameter given once as text; undefined when absent. */
export function stringParam(req: Request, name: string): string | undefined {
  const value = req.query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw invalidParameter(`${name}: must be given once`);
  return value;
}

/** An integer query parameter within [min, max]; undefined when absent. */
export function intParam(req: Request, name: string, min: number, max: number): number | undefined {
  const value = req.query[name];
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number < min || number > max)
    throw invalidParameter(`${name}: must be an integer from ${min} to ${max}`);
  return number;
}

/** A comma-separated (or repeated) list query parameter, each item one of `allowed` when given; undefined when absent. */
export function listParam(req: Request, name: string, allowed?: readonly string[]): string[] | undefined {
  const value = req.query[name];
  if (value === undefined) return undefined;
  const items = (Array.isArray(value) ? value : [value])
    .flatMap((item) => String(item).split(','))
    .filter((item) => item !== '');
  for (const item of items)
    if (allowed && !allowed.includes(item))
      throw invalidParameter(`${name}: must be one of ${allowed.join(', ')}, got ${JSON.stringify(item)}`);
  return items;
}

/** The page of a list: `cursor` (from the previous page's next_cursor) and `limit` (1 to 500, default 50). */
export function pageParams(req: Request): { cursor: string | undefined; limit: number } {
  return { cursor: stringParam(req, 'cursor'), limit: intParam(req, 'limit', 1, 500) ?? 50 };
}

// ISO 8601 as the API accepts it: a date, optionally a time with seconds and fraction, and a zone (Z or ±hh:mm).
const isoTime = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

/** Epoch ms of an ISO 8601 time; a time without a zone is UTC (JavaScript would read it in the server's zone). */
function parseIsoTime(text: string): number {
  const match = isoTime.exec(text);
  if (!match) return Number.NaN;
  const [, year, month, day, hour, minute = '0', second = '0', zone] = match;
  // Date.parse rolls 2026-02-30 over into March; a day the month does not have is refused instead.
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  if (date.getUTCMonth() !== Number(month) - 1 || Number(hour ?? 0) > 23 || Number(minute) > 59 || Number(second) > 59)
    return Number.NaN;
  return Date.parse(hour !== undefined && zone === undefined ? `${text}Z` : text);
}

/** A time query parameter as epoch ms: given as epoch milliseconds or as ISO 8601; undefined when absent. */
export function timeParam(req: Request, name: string): number | undefined {
  const value = stringParam(req, name);
  if (value === undefined) return undefined;
  const ms = /^\d{1,16}$/.test(value) ? Number(value) : parseIsoTime(value);
  if (!Number.isSafeInteger(ms) || ms < 0)
    throw invalidParameter(
      `${name}: must be epoch milliseconds or an ISO 8601 time (2026-01-31T08:00:00Z), got ${JSON.stringify(value)}`,
    );
  return ms;
}

/** `time_format=iso` adds an ISO 8601 twin (`<name>_iso`) to every epoch-ms time of the answer; `ms` (default) does not. */
export function viewOptions(req: Request): { iso: boolean } {
  const format = stringParam(req, 'time_format');
  if (format !== undefined && format !== 'ms' && format !== 'iso')
    throw invalidParameter(`time_format: must be one of ms, iso, got ${JSON.stringify(format)}`);
  return { iso: format === 'iso' };
}

/** Repeated `label=key=value` pairs (not comma-split: values may hold commas); undefined when absent. */
export function labelParams(req: Request, name: string): Array<[string, string]> | undefined {
  const value = req.query[name];
  if (value === undefined) return undefined;
  return (Array.isArray(value) ? value : [value]).map((item) => {
    const pair = typeof item === 'string' ? item : '';
    const split = pair.indexOf('=');
    if (split <= 0) throw invalidParameter(`${name}: must be key=value, got ${JSON.stringify(item)}`);
    return [pair.slice(0, split), pair.slice(split + 1)];
  });
}

/** A free-text query parameter, 1 to `max` characters once trimmed; undefined when absent or blank. */
export function textParam(req: Request, name: string, max = 200): string | undefined {
  const value = stringParam(req, name)?.trim();
  if (value === undefined || value === '') return undefined;
  if (value.length > max) throw invalidParameter(`${name}: must be at most ${max} characters`);
  return value;
}
