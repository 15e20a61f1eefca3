import type { Request, Response, Router } from 'express';
import type { Config, Integration } from '../config/types.js';
import { AppError, invalidParameter } from '../errors.js';
import { mappingHeaders, mappingQuery, type AdapterRequest } from '../adapters/body-parsing.js';
import { previewRequest } from '../adapters/map-request.js';
import type { LoadedAdapter } from '../adapters/registry.js';
import { isSampleRequest, requestFromSample, type SampleRequest } from '../adapters/sample-request.js';
import { listRejectedPayloads } from '../store/rejected-payloads.js';
import type { AdapterIngestDeps } from './adapter-ingest.js';
import { adapterNamed, readRawBody } from './adapter-routes.js';
import { adminRouter } from './api-routes.js';
import { replayOne, replayPending } from './replay.js';

/** What the adapter part of the management API needs. */
export interface AdapterApiDeps extends AdapterIngestDeps {
  adminToken: string;
  publicUrl: string;
  clock: () => number;
  config: () => Config;
}

const send = (res: Response, data: unknown): void => {
  res.json({ request_id: res.locals.requestId as string, data });
};

function integrationOf(deps: AdapterApiDeps, id: string): Integration {
  const integration = deps.config().integrations.find((candidate) => candidate.id === id);
  if (!integration) throw new AppError('ResourceNotFound', `no integration with id ${id}`);
  return integration;
}

function limitParam(req: Request, fallback: number, max: number): number {
  const value = req.query.limit;
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1 || number > max) throw invalidParameter(`limit: must be an integer from 1 to ${max}`);
  return number;
}

function payloadRoutes(router: Router, deps: AdapterApiDeps): void {
  router.get('/integrations/:id/rejected', async (req, res) => {
    const integration = integrationOf(deps, req.params.id);
    const cursor = typeof req.query.cursor === 'string' && req.query.cursor !== '' ? req.query.cursor : undefined;
    const pendingOnly = req.query.pending === 'true' || req.query.pending === '1';
    send(res, await listRejectedPayloads(deps.store, { integrationId: integration.id, pendingOnly, limit: limitParam(req, 50, 500), ...(cursor && { before: cursor }) }));
  });
  router.post('/integrations/:id/rejected/replay', async (req, res) => {
    send(res, await replayPending(deps, integrationOf(deps, req.params.id), deps.clock()));
  });
  router.post('/integrations/:id/rejected/:rid/replay', async (req, res) => {
    send(res, await replayOne(deps, integrationOf(deps, req.params.id), req.params.rid, deps.clock()));
  });
  router.get('/integrations/:id/payloads', async (req, res) => {
    const integration = integrationOf(deps, req.params.id);
    const items = await deps.recent.list(integration.id).catch((error: Error) => {
      throw new AppError('ServiceUnavailable', `recent payloads are kept in Redis, which did not answer: ${error.message}`);
    });
    send(res, { items });
  });
}

function describeAdapter(adapter: LoadedAdapter, publicUrl: string) {
  const { manifest } = adapter;
  return {
    name: adapter.name,
    title: manifest.title,
    vendor_docs: manifest.vendor_docs,
    content_types: manifest.content_types,
    methods: manifest.methods,
    alert_key: manifest.alert_key,
    signature: manifest.signature?.type ?? null,
    push_url: `${publicUrl}/event/push/alert/${adapter.name}`,
  };
}

/** The preview's request: `{payload, headers?, query?, content_type?, method?, received_at?}` or the bare payload. */
async function previewInput(req: Request, res: Response, adapter: LoadedAdapter, limitBytes: number): Promise<{ request: AdapterRequest; receivedAt?: number }> {
  if (req.body === undefined) {
    const rawBody = await readRawBody(req, res, limitBytes);
    const contentType = req.get('content-type');
    return { request: { method: 'POST', ...(contentType !== undefined && { contentType }), rawBody, headers: mappingHeaders(req.headers), query: mappingQuery(req.query as Record<string, unknown>) } };
  }
  if (!isSampleRequest(req.body, 'payload')) return { request: requestFromSample({ body: req.body, headers: mappingHeaders(req.headers) }, adapter.manifest) };
  const { payload, ...rest } = req.body as SampleRequest & { payload?: unknown };
  // A string payload is the body text itself (form, multipart, text/plain); anything else is JSON.
  const sample: SampleRequest = typeof payload === 'string' ? { ...rest, raw_body: payload } : { ...rest, body: payload };
  return { request: requestFromSample(sample, adapter.manifest), ...(typeof rest.received_at === 'number' && { receivedAt: rest.received_at }) };
}

function adapterRoutes(router: Router, deps: AdapterApiDeps): void {
  router.get('/adapters', (_req, res) => {
    send(res, { items: deps.registry.list().map((adapter) => describeAdapter(adapter, deps.publicUrl)), broken: deps.registry.broken });
  });
  router.post('/adapters/:name/preview', async (req, res) => {
    const adapter = adapterNamed(deps, req.params.name);
    const asIntegration = typeof req.query.integration === 'string' ? integrationOf(deps, req.query.integration) : { id: 'preview', name: 'Preview' };
    const { request, receivedAt } = await previewInput(req, res, adapter, deps.config().payloadLimitBytes);
    const context = { integrationId: asIntegration.id, integrationName: asIntegration.name, receivedAt: receivedAt ?? deps.clock() };
    send(res, await previewRequest(adapter, request, context));
  });
}

/** Adapters, recent and rejected payloads, replay and preview: mounted at /api/v1 behind the admin token. */
export function adapterApiRouter(deps: AdapterApiDeps): Router {
  const router = adminRouter(deps.adminToken, { json: false });
  payloadRoutes(router, deps);
  adapterRoutes(router, deps);
  return router;
}
