import { Router, type Request, type Response } from 'express';
import { AppError } from '../../errors.js';
import { acceptAdapterPush, adapterNamed, authenticate, type IngestDeps } from '../../ingest/accept.js';
import { adapterRequestOf, integrationKeyOf, readRawBody } from '../request.js';
import { sendPushResult } from '../respond.js';

async function pushAdapter(deps: IngestDeps, req: Request, res: Response): Promise<void> {
  res.locals.route = 'push_adapter';
  const adapter = adapterNamed(deps.registry, String(req.params.adapter));
  if (!(adapter.manifest.methods as string[]).includes(req.method)) {
    throw new AppError(
      'MethodNotAllowed',
      `${req.method} is not allowed for the ${adapter.name} adapter: use ${adapter.manifest.methods.join(' or ')}`,
    );
  }
  const integration = authenticate(deps, integrationKeyOf(req), adapter.name);
  res.locals.integrationId = integration.id;
  const readRequest = async () =>
    adapterRequestOf(
      req,
      req.method === 'GET' ? Buffer.alloc(0) : await readRawBody(req, res, deps.payloadLimitBytes()),
    );
  sendPushResult(
    res,
    await acceptAdapterPush(deps, integration, adapter, {
      requestId: res.locals.requestId as string,
      query: req.query,
      readRequest,
    }),
  );
}

/** `/event/push/alert/{adapter}` for every loaded adapter (contract §2, §4); mounted after the standard route. */
export function adapterPushRouter(deps: IngestDeps): Router {
  const router = Router();
  router.all('/event/push/alert/:adapter', (req, res) => pushAdapter(deps, req, res));
  return router;
}
