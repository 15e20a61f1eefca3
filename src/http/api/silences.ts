import type { Request, Router } from 'express';
import { invalidParameter } from '../../errors.js';
import {
  createSilence,
  getChannelSilence,
  listChannelSilences,
  quickSilenceAlert,
  removeSilence,
  replaceSilence,
  type QuickSilenceOptions,
} from '../../silences/service.js';
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

/** The quick-silence body (schemas/api.schema.json): every field optional. */
function quickSilenceOptions(body: unknown): QuickSilenceOptions {
  if (body === undefined) return {};
  if (!validateQuickSilence(body))
    throw invalidParameter(describeSchemaErrors(validateQuickSilence.errors, 'api', { root: 'body' }).join('; '));
  return body;
}

/** `/channels/{id}/silences` (CRUD) and `/alerts/{id}/quick-silence`. */
export function silenceRoutes(router: Router, deps: Pick<ApiDeps, 'store' | 'clock' | 'config'>): void {
  router.get('/channels/:id/silences', async (req, res) => {
    const options = viewOptions(req);
    const silences = await listChannelSilences(deps, param(req, 'id'));
    sendData(res, { items: silences.map((silence) => silenceView(silence, options)) });
  });
  router.post('/channels/:id/silences', async (req, res) => {
    const options = viewOptions(req);
    sendData(res, silenceView(await createSilence(deps, param(req, 'id'), req.body, actorParam(req)), options), 201);
  });
  router.get('/channels/:id/silences/:sid', async (req, res) => {
    const options = viewOptions(req);
    sendData(res, silenceView(await getChannelSilence(deps, param(req, 'id'), param(req, 'sid')), options));
  });
  router.put('/channels/:id/silences/:sid', async (req, res) => {
    const options = viewOptions(req);
    sendData(res, silenceView(await replaceSilence(deps, param(req, 'id'), param(req, 'sid'), req.body), options));
  });
  router.delete('/channels/:id/silences/:sid', async (req, res) =>
    sendData(res, await removeSilence(deps, param(req, 'id'), param(req, 'sid'))),
  );
  router.post('/alerts/:id/quick-silence', async (req, res) => {
    const options = viewOptions(req);
    const { silence, created } = await quickSilenceAlert(deps, param(req, 'id'), quickSilenceOptions(req.body));
    sendData(res, silenceView(silence, options), created ? 201 : 200);
  });
}
