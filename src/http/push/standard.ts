import { Router, type Request, type Response } from 'express';
import { AppError } from '../../errors.js';
import { acceptStandard, authenticate, type IngestDeps } from '../../ingest/accept.js';
import { integrationKeyOf, readJsonBody, requireJson } from '../request.js';
import { sendPushResult } from '../respond.js';

async function pushStandard(deps: IngestDeps, req: Request, res: Response): Promise<void> {
  res.locals.route = 'push_standard';
  const integration = authenticate(deps, integrationKeyOf(req), 'standard');
  res.locals.integrationId = integration.id;
  const readBody = async (): Promise<unknown> => {
    requireJson(req);
    return readJsonBody(req, res, deps.payloadLimitBytes());
  };
  sendPushResult(
    res,
    await acceptStandard(deps, integration, { requestId: res.locals.requestId as string, query: req.query, readBody }),
  );
}

/** `POST /event/push/alert/standard` (contract §2). */
export function standardPushRouter(deps: IngestDeps): Router {
  const router = Router();
  router.post('/event/push/alert/standard', (req, res) => pushStandard(deps, req, res));
  router.all('/event/push/alert/standard', (req) => {
    throw new AppError('MethodNotAllowed', `${req.method} is not allowed here: push events with POST`);
  });
  return router;
}
