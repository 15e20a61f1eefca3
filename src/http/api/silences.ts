import type { Request, Router } from 'express';
import { invalidParameter } from '../../errors.js';
import { newId } from '../../events/ids.js';
import {
  createSilence,
  expireChannelSilence,
  getChannelSilence,
  listChannelSilences,
  parseStateFilter,
  removeSilence,
  replaceSilence,
  type SilenceDeps,
} from '../../silences/service.js';
import { previewNewSilence, quickSilenceAlert, type QuickSilenceOptions } from '../../silences/quick-silence.js';
import { describeSchemaErrors, validateQuickSilence } from '../../schemas.js';
import { silenceView } from '../../store/api-views.js';
import { viewOptions } from '../request.js';
import { sendData } from '../respond.js';
import type { ApiDeps } from './api-deps.js';

const param = (req: Request, name: string): string => String(req.params[name]);

function actorParam(req: Request): string | undefined {
  const actor = req.query.actor;
  if (actor === undefined) return undefined;
  if (typeof actor !== 'string' || actor === '' || actor.length > 128)
    throw invalidParameter('actor (query): must be given once, 1 to 128 characters');
  return actor;
}

/** `?preview=1` (or `true`): answer what would be made, save nothing. */
function previewParam(req: Request): boolean {
  const preview = req.query.preview;
  if (preview === undefined) return false;
  if (preview === '1' || preview === 'true') return true;
  if (preview === '0' || preview === 'false') return false;
  throw invalidParameter('preview (query): must be 1, true, 0 or false');
}

/** The quick-silence body (schemas/api.schema.json): every field optional. */
function quickSilenceOptions(body: unknown): QuickSilenceOptions {
  if (body === undefined) return {};
  if (!validateQuickSilence(body))
    throw invalidParameter(describeSchemaErrors(validateQuickSilence.errors, 'api', { root: 'body' }).join('; '));
  return body;
}

/** `/channels/{id}/silences` (CRUD, expire, preview) and `/alerts/{id}/quick-silence`. */
export function silenceRoutes(router: Router, apiDeps: Pick<ApiDeps, 'store' | 'clock' | 'config'>): void {
  const deps: SilenceDeps = { ...apiDeps, newId };
  router.get('/channels/:id/silences', async (req, res) => {
    const options = viewOptions(req);
    const silences = await listChannelSilences(deps, param(req, 'id'), parseStateFilter(req.query.state));
    sendData(res, { items: silences.map((silence) => silenceView(silence, options)) });
  });
  router.post('/channels/:id/silences', async (req, res) => {
    const options = viewOptions(req);
    if (previewParam(req)) {
      const preview = await previewNewSilence(deps, param(req, 'id'), req.body, actorParam(req));
      sendData(res, { ...preview, silence: silenceView(preview.silence, options) });
    } else {
      sendData(res, silenceView(await createSilence(deps, param(req, 'id'), req.body, actorParam(req)), options), 201);
    }
  });
  router.get('/channels/:id/silences/:sid', async (req, res) => {
    const options = viewOptions(req);
    sendData(res, silenceView(await getChannelSilence(deps, param(req, 'id'), param(req, 'sid')), options));
  });
  router.put('/channels/:id/silences/:sid', async (req, res) => {
    const options = viewOptions(req);
    sendData(res, silenceView(await replaceSilence(deps, param(req, 'id'), param(req, 'sid'), req.body), options));
  });
  router.post('/channels/:id/silences/:sid/expire', async (req, res) => {
    const options = viewOptions(req);
    sendData(res, silenceView(await expireChannelSilence(deps, param(req, 'id'), param(req, 'sid')), options));
  });
  router.delete('/channels/:id/silences/:sid', async (req, res) =>
    sendData(res, await removeSilence(deps, param(req, 'id'), param(req, 'sid'))),
  );
  router.post('/alerts/:id/quick-silence', async (req, res) => {
    const view = viewOptions(req);
    const options = quickSilenceOptions(req.body);
    if (previewParam(req)) options.dry_run = true;
    const result = await quickSilenceAlert(deps, param(req, 'id'), options);
    if ('preview' in result) sendData(res, { ...result, silence: silenceView(result.silence, view) });
    else sendData(res, silenceView(result.silence, view), result.created ? 201 : 200);
  });
}
