import type { Router } from 'express';
import { previewRequest } from '../../adapters/map-request.js';
import { requestFromSample, type SampleRequest } from '../../adapters/sample-request.js';
import { withEditedMapping } from '../../console/edited-mapping.js';
import { invalidParameter, notFound } from '../../errors.js';
import { newId } from '../../events/ids.js';
import { quickSilenceAlert } from '../../silences/quick-silence.js';
import { adapterNamed } from '../../ingest/accept.js';
import { currentAdapterOf, replayOne } from '../../ingest/replay.js';
import { isPlainObject } from '../../plain-object.js';
import { sendData } from '../respond.js';
import type { ApiDeps } from './api-deps.js';

/** The body of a playground request: the edited mapping and a sample request in the preview's shape. */
function sampleOf(body: unknown): SampleRequest {
  if (!isPlainObject(body)) throw invalidParameter('body: must be {"mapping": "...", "payload": ...}');
  const { payload, headers, query, content_type, method } = body as Record<string, unknown>;
  if (payload === undefined) throw invalidParameter('payload (body): the payload to map is required');
  const sample: Record<string, unknown> = typeof payload === 'string' ? { raw_body: payload } : { body: payload };
  if (isPlainObject(headers)) sample.headers = headers;
  if (isPlainObject(query)) sample.query = query;
  if (typeof content_type === 'string') sample.content_type = content_type;
  if (typeof method === 'string') sample.method = method;
  return sample as SampleRequest;
}

/**
 * The adapter playground's routes: `GET /adapters/{name}/mapping` (the loaded source),
 * `POST /adapters/{name}/preview-mapping` maps a payload with an edited mapping
 * (compiled for this request only, bounded like a loaded one, nothing stored), and
 * `POST /integrations/{id}/rejected/{rid}/replay-with-mapping` replays a rejected payload through an edited mapping.
 */
export function playgroundRoutes(router: Router, deps: Pick<ApiDeps, 'ingest' | 'clock'>): void {
  const { ingest } = deps;
  router.post('/adapters/:name/preview-mapping', async (req, res) => {
    const adapter = adapterNamed(ingest.registry, req.params.name as string);
    const edited = withEditedMapping(adapter, (req.body as { mapping?: unknown } | undefined)?.mapping);
    if ('problem' in edited) return sendData(res, { events: [], errors: [edited.problem] });
    const request = requestFromSample(sampleOf(req.body), adapter.manifest);
    const receivedAt = (req.body as { received_at?: unknown }).received_at;
    const context = {
      integrationId: 'preview',
      integrationName: 'Preview',
      receivedAt: typeof receivedAt === 'number' && Number.isSafeInteger(receivedAt) ? receivedAt : deps.clock(),
    };
    sendData(res, await previewRequest(edited.adapter, request, context));
  });
  router.get('/adapters/:name/mapping', (req, res) => {
    const adapter = adapterNamed(ingest.registry, req.params.name as string);
    sendData(res, { name: adapter.name, file: adapter.mapping.file, source: adapter.mapping.source });
  });
  router.post('/integrations/:id/rejected/:rid/replay-with-mapping', async (req, res) => {
    const integration = ingest.directory.integrationById(req.params.id as string);
    const edited = withEditedMapping(
      currentAdapterOf(ingest, integration),
      (req.body as { mapping?: unknown } | undefined)?.mapping,
    );
    if ('problem' in edited) throw invalidParameter(`mapping (body): ${edited.problem.message}`);
    sendData(res, await replayOne(ingest, integration, req.params.rid as string, deps.clock(), edited.adapter));
  });
}

/**
 * `GET /alerts/{id}/quick-silence-draft?duration=1d`: the silence a quick silence of this alert would create, not
 * saved, for the console to show editable before it posts the (possibly edited) rule to `/channels/{id}/silences`.
 */
export function quickSilenceDraftRoute(router: Router, deps: Pick<ApiDeps, 'store' | 'clock' | 'config'>): void {
  router.get('/alerts/:id/quick-silence-draft', async (req, res) => {
    const duration = typeof req.query.duration === 'string' ? req.query.duration : '1d';
    // The quick silence's own preview: the same rule (integration and identifying labels), nothing saved.
    const preview = await quickSilenceAlert({ ...deps, newId }, req.params.id as string, { duration, dry_run: true });
    if (!('preview' in preview)) throw new Error('a dry-run quick silence saved a silence');
    sendData(res, { channel_id: preview.silence.channel_id, rule: preview.silence.rule });
  });
}
