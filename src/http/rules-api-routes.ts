import type { Request, Response, Router } from 'express';
import type { Config } from '../config/types.js';
import { invalidParameter } from '../errors.js';
import { runDryRun } from '../dry-run/run.js';
import { createSilence, getChannelSilence, listChannelSilences, quickSilenceAlert, removeSilence, replaceSilence, type QuickSilenceOptions } from '../silences/service.js';
import type { StoreDatabase } from '../store/database.js';
import { adminRouter } from './api-routes.js';

/** What the silence and dry-run part of the management API needs. */
export interface RulesApiDeps {
  store: StoreDatabase;
  adminToken: string;
  clock: () => number;
  config: () => Config;
  /** Adapters an integration of a dry-run fragment may name; absent: not checked. */
  knownAdapters?: () => ReadonlySet<string>;
}

const send = (res: Response, data: unknown, status = 200): void => {
  res.status(status).json({ request_id: res.locals.requestId as string, data });
};

const param = (req: Request, name: string): string => String(req.params[name]);

function actorParam(req: Request): string | undefined {
  const actor = req.query.actor;
  if (actor === undefined) return undefined;
  if (typeof actor !== 'string' || actor === '' || actor.length > 128) throw invalidParameter('actor (query): must be given once, 1 to 128 characters');
  return actor;
}

/** The quick-silence body: every field optional, each checked. */
function quickSilenceOptions(body: unknown): QuickSilenceOptions {
  if (body === undefined) return {};
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalidParameter('body: must be an object such as {"duration": "1d", "mode": "mark"}');
  const fields = body as Record<string, unknown>;
  const unknown = Object.keys(fields).find((key) => !['duration', 'mode', 'name', 'actor'].includes(key));
  if (unknown !== undefined) throw invalidParameter(`${unknown}: unknown field (duration, mode, name, actor)`);
  const text = (name: string, max: number): string | undefined => {
    const value = fields[name];
    if (value === undefined) return undefined;
    if (typeof value !== 'string' || value === '' || value.length > max) throw invalidParameter(`${name}: must be text of 1 to ${max} characters`);
    return value;
  };
  const mode = fields.mode;
  if (mode !== undefined && mode !== 'mark' && mode !== 'drop') throw invalidParameter('mode: must be one of mark, drop');
  const options = { duration: text('duration', 32), name: text('name', 100), actor: text('actor', 128), mode: mode as QuickSilenceOptions['mode'] };
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as QuickSilenceOptions;
}

function silenceRoutes(router: Router, deps: RulesApiDeps): void {
  router.get('/channels/:id/silences', async (req, res) => send(res, { items: await listChannelSilences(deps, param(req, 'id')) }));
  router.post('/channels/:id/silences', async (req, res) => send(res, await createSilence(deps, param(req, 'id'), req.body, actorParam(req)), 201));
  router.get('/channels/:id/silences/:sid', async (req, res) => send(res, await getChannelSilence(deps, param(req, 'id'), param(req, 'sid'))));
  router.put('/channels/:id/silences/:sid', async (req, res) => send(res, await replaceSilence(deps, param(req, 'id'), param(req, 'sid'), req.body)));
  router.delete('/channels/:id/silences/:sid', async (req, res) => send(res, await removeSilence(deps, param(req, 'id'), param(req, 'sid'))));
  router.post('/alerts/:id/quick-silence', async (req, res) => {
    const { silence, created } = await quickSilenceAlert(deps, param(req, 'id'), quickSilenceOptions(req.body));
    send(res, silence, created ? 201 : 200);
  });
}

function dryRunRoutes(router: Router, deps: RulesApiDeps): void {
  router.post('/rules/dry-run', async (req, res) => {
    // No environment for `${VAR}`: a fragment sent over HTTP must not read the server's variables.
    const fragment = { env: {}, ...(deps.knownAdapters && { knownAdapters: deps.knownAdapters() }) };
    send(res, await runDryRun({ store: deps.store, config: deps.config(), clock: deps.clock, fragment }, req.body));
  });
}

/** Silences (CRUD, quick silence from an alert) and the rules dry run: mounted at /api/v1 behind the admin token. */
export function rulesApiRouter(deps: RulesApiDeps): Router {
  const router = adminRouter(deps.adminToken, { json: true });
  silenceRoutes(router, deps);
  dryRunRoutes(router, deps);
  return router;
}
