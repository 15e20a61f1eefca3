import { timingSafeEqual, createHash } from 'node:crypto';
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import type { Queue } from 'bullmq';
import type { Config } from '../config/types.js';
import { AppError, invalidParameter } from '../errors.js';
import { applyIncidentAction, type IncidentAction } from '../incidents/actions.js';
import type { IngestJobData } from '../queue/ingest-queue.js';
import type { StoreDatabase } from '../store/database.js';
import { getAlert, getEvent, getIncident, incidentView, integrationActivity, listAlerts, listIncidents } from '../store/read-models.js';
import { verifyJsonDepth } from './body.js';

export interface ApiDeps {
  store: StoreDatabase;
  queue: Queue<IngestJobData>;
  adminToken: string;
  publicUrl: string;
  clock: () => number;
  config: () => Config;
}

const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

/** Middleware: 401 unless `Authorization: Bearer <ADMIN_TOKEN>`. */
export function requireAdmin(token: string) {
  const expected = digest(token);
  return (req: Request, _res: Response, next: NextFunction) => {
    const header = req.get('authorization') ?? '';
    const match = /^Bearer\s+(.+)$/i.exec(header.trim());
    if (!match) throw new AppError('Unauthorized', 'management API needs Authorization: Bearer <ADMIN_TOKEN>');
    if (!timingSafeEqual(digest(match[1]), expected)) throw new AppError('Unauthorized', 'the bearer token is not the ADMIN_TOKEN');
    next();
  };
}

const send = (res: Response, data: unknown): void => {
  res.json({ request_id: res.locals.requestId as string, data });
};

function listParam(req: Request, name: string, allowed?: readonly string[]): string[] | undefined {
  const value = req.query[name];
  if (value === undefined) return undefined;
  const items = (Array.isArray(value) ? value : [value]).flatMap((item) => String(item).split(',')).filter((item) => item !== '');
  for (const item of items) if (allowed && !allowed.includes(item)) throw invalidParameter(`${name}: must be one of ${allowed.join(', ')}, got ${JSON.stringify(item)}`);
  return items;
}

function intParam(req: Request, name: string, min: number, max: number): number | undefined {
  const value = req.query[name];
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number < min || number > max) throw invalidParameter(`${name}: must be an integer from ${min} to ${max}`);
  return number;
}

function stringParam(req: Request, name: string): string | undefined {
  const value = req.query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw invalidParameter(`${name}: must be given once`);
  return value;
}

const notFound = (what: string, id: string): AppError => new AppError('ResourceNotFound', `no ${what} with id ${id}`);

function integrationRoutes(router: Router, deps: ApiDeps): void {
  const describe = async () => {
    const activity = await integrationActivity(deps.store.db);
    return deps.config().integrations.map((integration) => {
      const seen = activity.get(integration.id);
      return {
        id: integration.id,
        name: integration.name,
        adapter: integration.adapter,
        channel_id: integration.channelId,
        enabled: integration.enabled,
        push_url: `${deps.publicUrl}/event/push/alert/${integration.adapter}?integration_key=${encodeURIComponent(integration.key)}`,
        rate_limit: { per_second: integration.rateLimit.perSecond, per_minute: integration.rateLimit.perMinute },
        latest_event_at: seen?.latest_event_at ?? null,
        counts: seen?.counts ?? {},
      };
    });
  };
  router.get('/integrations', async (_req, res) => send(res, { items: await describe() }));
  router.get('/integrations/:id', async (req, res) => {
    const found = (await describe()).find((integration) => integration.id === req.params.id);
    if (!found) throw notFound('integration', req.params.id);
    send(res, found);
  });
  router.get('/channels', (_req, res) => send(res, { items: deps.config().channels.map((channel) => ({ id: channel.id, name: channel.name, description: channel.description, auto_close: channel.autoClose })) }));
}

function incidentRoutes(router: Router, deps: ApiDeps): void {
  router.get('/incidents', async (req, res) => {
    const filter = {
      progress: listParam(req, 'progress', ['Triggered', 'Processing', 'Closed']),
      channelIds: listParam(req, 'channel'),
      since: intParam(req, 'since', 0, Number.MAX_SAFE_INTEGER),
      until: intParam(req, 'until', 0, Number.MAX_SAFE_INTEGER),
      cursor: stringParam(req, 'cursor'),
      limit: intParam(req, 'limit', 1, 500) ?? 50,
    };
    send(res, await listIncidents(deps.store.db, filter));
  });
  router.get('/incidents/:id', async (req, res) => {
    const found = await getIncident(deps.store.db, req.params.id);
    if (!found) throw notFound('incident', req.params.id);
    send(res, found);
  });
  for (const action of ['ack', 'unack', 'close', 'reopen'] as IncidentAction[]) {
    router.post(`/incidents/:id/${action}`, async (req, res) => {
      const body = (req.body ?? {}) as { actor?: unknown; reason?: unknown };
      const request = { ...(typeof body.actor === 'string' && { actor: body.actor }), ...(typeof body.reason === 'string' && { reason: body.reason }) };
      const incident = await applyIncidentAction(deps.store, req.params.id as string, action, request, deps.clock());
      send(res, incidentView(incident));
    });
  }
}

function alertRoutes(router: Router, deps: ApiDeps): void {
  router.get('/alerts', async (req, res) => {
    const state = listParam(req, 'state', ['active', 'recovered', 'closed'])?.[0] as 'active' | undefined;
    const filter = {
      integrationIds: listParam(req, 'integration'),
      channelIds: listParam(req, 'channel'),
      incidentId: stringParam(req, 'incident'),
      state,
      cursor: stringParam(req, 'cursor'),
      limit: intParam(req, 'limit', 1, 500) ?? 50,
    };
    send(res, await listAlerts(deps.store.db, filter));
  });
  router.get('/alerts/:id', async (req, res) => {
    const found = await getAlert(deps.store.db, req.params.id);
    if (!found) throw notFound('alert', req.params.id);
    send(res, found);
  });
  router.get('/events/:id', async (req, res) => {
    const found = await getEvent(deps.store.db, req.params.id);
    if (!found) throw notFound('event', req.params.id);
    send(res, found);
  });
}

function failedJobRoutes(router: Router, deps: ApiDeps): void {
  router.get('/failed-jobs', async (req, res) => {
    const limit = intParam(req, 'limit', 1, 500) ?? 50;
    const jobs = await deps.queue.getFailed(0, limit - 1);
    send(res, {
      items: jobs.map((job) => ({
        id: job.id,
        failed_reason: job.failedReason,
        attempts: job.attemptsMade,
        created_at: job.timestamp,
        finished_at: job.finishedOn ?? null,
        event_ids: Array.isArray(job.data?.events) ? job.data.events.map((event) => event.event_id) : [],
      })),
    });
  });
  router.post('/failed-jobs/:id/retry', async (req, res) => {
    const job = await deps.queue.getJob(req.params.id);
    if (!job || !(await job.isFailed())) throw notFound('failed job', req.params.id);
    await job.retry('failed');
    send(res, { id: job.id, retried: true });
  });
}

/**
 * A router for part of the management API: requests are labelled `api` in metrics and logs, need the admin bearer
 * token, and (with `json`) have their JSON bodies parsed.
 */
export function adminRouter(adminToken: string, options: { json: boolean }): Router {
  const router = Router();
  router.use((_req, res, next) => {
    res.locals.route = 'api';
    next();
  });
  router.use(requireAdmin(adminToken));
  if (options.json) router.use(express.json({ limit: '1mb', verify: verifyJsonDepth }));
  return router;
}

/** The management API (contract §6) under /api/v1, behind the admin bearer token. */
export function apiRouter(deps: ApiDeps): Router {
  const router = adminRouter(deps.adminToken, { json: true });
  integrationRoutes(router, deps);
  incidentRoutes(router, deps);
  alertRoutes(router, deps);
  failedJobRoutes(router, deps);
  return router;
}
