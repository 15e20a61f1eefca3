import { Router, type Request, type Response } from 'express';
import type { Config } from '../config/types.js';
import { AppError, invalidParameter } from '../errors.js';
import { normaliseStandardEvent, parseSeverityOverride } from '../events/normalise.js';
import type { IngestProducer } from '../queue/ingest-queue.js';
import type { Metrics } from '../observability/metrics.js';
import { queueAndRespond, stampEvents } from './accept-events.js';
import { jsonParser, requireJson, runParser } from './body.js';
import { integrationKeyOf, type IntegrationDirectory } from './integration-auth.js';
import type { RateLimiter } from './rate-limit.js';

export interface PushDeps {
  directory: IntegrationDirectory;
  producer: IngestProducer;
  rateLimiter: RateLimiter;
  metrics: Metrics;
  clock: () => number;
  config: () => Config;
}

/** Most events one standard push may carry as a JSON array (Flashduty's batch limit). */
export const maxEventsPerPush = 100;

/** Query overrides of every push endpoint. */
export function queryOverrides(req: Request): { severityOverride?: ReturnType<typeof parseSeverityOverride>; titleRuleOverride?: string } {
  const severity = parseSeverityOverride(req.query.severity);
  const titleRule = req.query.title_rule;
  if (titleRule !== undefined && typeof titleRule !== 'string') throw invalidParameter('title_rule (query): must be given once, as text');
  return { ...(severity && { severityOverride: severity }), ...(titleRule && { titleRuleOverride: titleRule }) };
}

async function pushStandard(deps: PushDeps, req: Request, res: Response): Promise<void> {
  res.locals.route = 'push_standard';
  const integration = deps.directory.authenticate(integrationKeyOf(req), 'standard');
  res.locals.integrationId = integration.id;
  // The budget check (a Redis round trip) runs while the body is read and checked; both must pass.
  const withinBudget = deps.rateLimiter.check(integration);
  withinBudget.catch(() => undefined);
  requireJson(req);
  await runParser(jsonParser(deps.config().payloadLimitBytes), req, res);
  const receivedAt = deps.clock();
  const body: unknown = req.body;
  const asList = Array.isArray(body);
  const items = asList ? body : [body];
  if (asList && (items.length === 0 || items.length > maxEventsPerPush)) {
    throw invalidParameter(`body: a list must hold 1 to ${maxEventsPerPush} events, got ${items.length}`);
  }
  const context = { integrationId: integration.id, integrationName: integration.name, integrationType: 'standard', receivedAt, ...queryOverrides(req) };
  const normalised = items.map((item, index) => {
    try {
      return normaliseStandardEvent(item, context);
    } catch (error) {
      if (asList && error instanceof AppError) throw invalidParameter(`[${index}].${error.message}`);
      throw error;
    }
  });
  await withinBudget;
  await queueAndRespond(res, deps.producer, deps.metrics, integration, stampEvents(normalised, integration, res.locals.requestId as string, receivedAt), asList);
}

/** The push endpoints (contract §2). */
export function pushRouter(deps: PushDeps): Router {
  const router = Router();
  router.post('/event/push/alert/standard', (req, res) => pushStandard(deps, req, res));
  router.all('/event/push/alert/standard', (req) => {
    throw new AppError('MethodNotAllowed', `${req.method} is not allowed here: push events with POST`);
  });
  return router;
}
