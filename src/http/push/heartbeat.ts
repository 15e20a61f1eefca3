import { Router, type Request, type Response } from 'express';
import { AppError } from '../../errors.js';
import { acceptPing, type PingDeps } from '../../heartbeats/ping.js';
import { integrationKeyOf } from '../request.js';
import { sendData } from '../respond.js';

async function ping(deps: PingDeps, req: Request, res: Response): Promise<void> {
  res.locals.route = 'heartbeat_ping';
  sendData(res, await acceptPing(deps, String(req.params.id), integrationKeyOf(req)));
}

/** `POST|GET /heartbeat/{id}?integration_key=`: a heartbeat's ping (a body, if any, is ignored). */
export function heartbeatPingRouter(deps: PingDeps): Router {
  const router = Router();
  router.post('/heartbeat/:id', (req, res) => ping(deps, req, res));
  router.get('/heartbeat/:id', (req, res) => ping(deps, req, res));
  router.all('/heartbeat/:id', (req) => {
    throw new AppError('MethodNotAllowed', `${req.method} is not allowed here: ping with POST or GET`);
  });
  return router;
}
