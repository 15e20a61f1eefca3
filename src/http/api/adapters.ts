import type { Request, Response, Router } from 'express';
import { mappingHeaders, type AdapterRequest } from '../../adapters/body-parsing.js';
import { previewRequest } from '../../adapters/map-request.js';
import type { LoadedAdapter } from '../../adapters/registry.js';
import { isSampleRequest, requestFromSample, type SampleRequest } from '../../adapters/sample-request.js';
import { adapterNamed } from '../../ingest/accept.js';
import { adapterRequestOf, readRawBody } from '../request.js';
import { sendData } from '../respond.js';
import type { ApiDeps } from './api-deps.js';

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
async function previewInput(
  req: Request,
  res: Response,
  adapter: LoadedAdapter,
  limitBytes: number,
): Promise<{ request: AdapterRequest; receivedAt?: number }> {
  if (req.body === undefined)
    return { request: adapterRequestOf(req, await readRawBody(req, res, limitBytes), 'POST') };
  if (!isSampleRequest(req.body, 'payload'))
    return { request: requestFromSample({ body: req.body, headers: mappingHeaders(req.headers) }, adapter.manifest) };
  const { payload, ...rest } = req.body as SampleRequest & { payload?: unknown };
  // A string payload is the body text itself (form, multipart, text/plain); anything else is JSON.
  const sample: SampleRequest =
    typeof payload === 'string' ? { ...rest, raw_body: payload } : { ...rest, body: payload };
  return {
    request: requestFromSample(sample, adapter.manifest),
    ...(typeof rest.received_at === 'number' && { receivedAt: rest.received_at }),
  };
}

/** `/adapters` (the loaded and the broken ones) and `/adapters/{name}/preview`. */
export function adapterRoutes(router: Router, deps: Pick<ApiDeps, 'ingest' | 'publicUrl' | 'clock'>): void {
  const { ingest } = deps;
  router.get('/adapters', (_req, res) => {
    sendData(res, {
      items: ingest.registry.list().map((adapter) => describeAdapter(adapter, deps.publicUrl)),
      broken: ingest.registry.broken,
    });
  });
  router.post('/adapters/:name/preview', async (req, res) => {
    const adapter = adapterNamed(ingest.registry, req.params.name);
    const asIntegration =
      typeof req.query.integration === 'string'
        ? ingest.directory.integrationById(req.query.integration)
        : { id: 'preview', name: 'Preview' };
    const { request, receivedAt } = await previewInput(req, res, adapter, ingest.payloadLimitBytes());
    const context = {
      integrationId: asIntegration.id,
      integrationName: asIntegration.name,
      receivedAt: receivedAt ?? deps.clock(),
    };
    sendData(res, await previewRequest(adapter, request, context));
  });
}
