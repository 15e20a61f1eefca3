import { Router, type Request, type Response } from 'express';
import { acceptChangePush, type ChangeIngestDeps } from '../../changes/accept.js';
import type { ChangeAdapter } from '../../changes/types.js';
import { AppError } from '../../errors.js';
import { authenticate, type IngestDeps } from '../../ingest/accept.js';
import { integrationKeyOf, readJsonBody, requireJson } from '../request.js';
import { sendData } from '../respond.js';

async function pushChange(
  deps: { ingest: IngestDeps; changes: ChangeIngestDeps },
  adapter: ChangeAdapter,
  req: Request,
  res: Response,
): Promise<void> {
  res.locals.route = adapter === 'change-jira' ? 'push_change_jira' : 'push_change_standard';
  const integration = authenticate(deps.ingest, integrationKeyOf(req), adapter);
  res.locals.integrationId = integration.id;
  const readBody = async (): Promise<unknown> => {
    requireJson(req);
    return readJsonBody(req, res, deps.ingest.payloadLimitBytes());
  };
  const accepted = await acceptChangePush(deps.changes, integration, adapter, {
    requestId: res.locals.requestId as string,
    readBody,
  });
  const keys = accepted.changes.map((change) => change.change_key);
  sendData(res, accepted.asList ? { change_keys: keys } : { change_key: keys[0] });
}

/** `POST /event/push/change/standard` (Flashduty's Standard Change Event) and `POST /event/push/change/jira`. */
export function changePushRouter(deps: { ingest: IngestDeps; changes: ChangeIngestDeps }): Router {
  const router = Router();
  const paths: Array<[string, ChangeAdapter]> = [
    ['/event/push/change/standard', 'change-standard'],
    ['/event/push/change/jira', 'change-jira'],
  ];
  for (const [path, adapter] of paths) {
    router.post(path, (req, res) => pushChange(deps, adapter, req, res));
    router.all(path, (req) => {
      throw new AppError('MethodNotAllowed', `${req.method} is not allowed here: push change events with POST`);
    });
  }
  return router;
}
