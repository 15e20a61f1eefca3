import express, { Router, type Request, type Response } from 'express';
import type { Config } from '../config/types.js';
import { AppError } from '../errors.js';
import { mappingHeaders, mappingQuery, type AdapterRequest } from '../adapters/body-parsing.js';
import type { LoadedAdapter } from '../adapters/registry.js';
import { ingestAdapterPayload, type AcceptedPayload, type AdapterIngestDeps } from './adapter-ingest.js';
import { runParser } from './body.js';
import { integrationKeyOf, type IntegrationDirectory } from './integration-auth.js';
import { queryOverrides } from './push-routes.js';
import type { RateLimiter } from './rate-limit.js';

/** What the adapter push routes need besides the ingest pipeline. */
export interface AdapterRouteDeps extends AdapterIngestDeps {
  directory: IntegrationDirectory;
  rateLimiter: RateLimiter;
  clock: () => number;
  config: () => Config;
}

type Parser = Parameters<typeof runParser>[0];
const rawParsers = new Map<number, Parser>();

/** Reads the body once as bytes (whatever its type), within the payload limit; parsers are made once per limit. */
export async function readRawBody(req: Request, res: Response, limitBytes: number): Promise<Buffer> {
  let parser = rawParsers.get(limitBytes);
  if (!parser) {
    parser = express.raw({ limit: limitBytes, type: () => true }) as Parser;
    rawParsers.set(limitBytes, parser);
  }
  await runParser(parser, req, res);
  return Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
}

/** The request as adapters see it: credentials stripped from headers and query. */
export function adapterRequestOf(req: Request, rawBody: Buffer): AdapterRequest {
  const contentType = req.get('content-type');
  return { method: req.method, ...(contentType !== undefined && { contentType }), rawBody, headers: mappingHeaders(req.headers), query: mappingQuery(req.query as Record<string, unknown>) };
}

/** The adapter named in the path; RouteNotFound for an unknown one. */
export function adapterNamed(deps: { registry: AdapterRouteDeps['registry'] }, name: string): LoadedAdapter {
  const adapter = deps.registry.get(name);
  if (!adapter) throw new AppError('RouteNotFound', `no adapter named ${JSON.stringify(name)}; adapters: standard, ${deps.registry.names().join(', ')}`);
  return adapter;
}

/** The standard endpoint's answer: `alert_key` for a single event object, `alert_keys` for a list (even empty). */
export function sendPushResult(res: Response, accepted: AcceptedPayload): void {
  const keys = accepted.events.map((event) => event.alert_key);
  const data = accepted.asList || keys.length !== 1 ? { alert_keys: keys } : { alert_key: keys[0] };
  res.status(200).json({ request_id: res.locals.requestId as string, data });
}

async function pushAdapter(deps: AdapterRouteDeps, req: Request, res: Response): Promise<void> {
  res.locals.route = 'push_adapter';
  const adapter = adapterNamed(deps, String(req.params.adapter));
  if (!(adapter.manifest.methods as string[]).includes(req.method)) {
    throw new AppError('MethodNotAllowed', `${req.method} is not allowed for the ${adapter.name} adapter: use ${adapter.manifest.methods.join(' or ')}`);
  }
  const integration = deps.directory.authenticate(integrationKeyOf(req), adapter.name);
  res.locals.integrationId = integration.id;
  await deps.rateLimiter.check(integration);
  const overrides = queryOverrides(req);
  const rawBody = req.method === 'GET' ? Buffer.alloc(0) : await readRawBody(req, res, deps.config().payloadLimitBytes);
  const accepted = await ingestAdapterPayload(deps, {
    integration,
    adapter,
    request: adapterRequestOf(req, rawBody),
    requestId: res.locals.requestId as string,
    receivedAt: deps.clock(),
    ...overrides,
    verifySignature: true,
    storeRejected: true,
  });
  sendPushResult(res, accepted);
}

/** `/event/push/alert/{adapter}` for every loaded adapter (contract §2, §4); mounted after the standard route. */
export function adapterPushRouter(deps: AdapterRouteDeps): Router {
  const router = Router();
  router.all('/event/push/alert/:adapter', (req, res) => pushAdapter(deps, req, res));
  return router;
}
