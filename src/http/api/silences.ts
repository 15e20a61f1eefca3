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
  router.get('/channels/:id/silences', async (req, res) =>
    sendData(res, { items: await listChannelSilences(deps, param(req, 'id'), parseStateFilter(req.query.state)) }),
  );
  router.post('/channels/:id/silences', async (req, res) => {
    if (previewParam(req)) sendData(res, await previewNewSilence(deps, param(req, 'id'), req.body, actorParam(req)));
    else sendData(res, await createSilence(deps, param(req, 'id'), req.body, actorParam(req)), 201);
  });
  router.get('/channels/:id/silences/:sid', async (req, res) =>
    sendData(res, await getChannelSilence(deps, param(req, 'id'), param(req, 'sid'))),
  );
  router.put('/channels/:id/silences/:sid', async (req, res) =>
    sendData(res, await replaceSilence(deps, param(req, 'id'), param(req, 'sid'), req.body)),
  );
  router.post('/channels/:id/silences/:sid/expire', async (req, res) =>
    sendData(res, await expireChannelSilence(deps, param(req, 'id'), param(req, 'sid'))),
  );
  router.delete('/channels/:id/silences/:sid', async (req, res) =>
    sendData(res, await removeSilence(deps, param(req, 'id'), param(req, 'sid'))),
  );
  router.post('/alerts/:id/quick-silence', async (req, res) => {
    const options = quickSilenceOptions(req.body);
    if (previewParam(req)) options.dry_run = true;
    const result = await quickSilenceAlert(deps, param(req, 'id'), options);
    if ('preview' in result) sendData(res, result);
    else sendData(res, result.silence, result.created ? 201 : 200);
  });
}
