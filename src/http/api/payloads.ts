import type { Router } from 'express';
import { unavailable } from '../../errors.js';
import { replayOne, replayPending } from '../../ingest/replay.js';
import { listRejectedPayloads } from '../../store/rejected-payloads.js';
import { intParam } from '../request.js';
import { sendData } from '../respond.js';
import type { ApiDeps } from './api-deps.js';

/** `/integrations/{id}/rejected` (list, replay one or all pending) and `/integrations/{id}/payloads` (recent ones). */
export function payloadRoutes(router: Router, deps: Pick<ApiDeps, 'ingest' | 'clock'>): void {
  const { ingest } = deps;
  router.get('/integrations/:id/rejected', async (req, res) => {
    const integration = ingest.directory.integrationById(req.params.id);
    const cursor = typeof req.query.cursor === 'string' && req.query.cursor !== '' ? req.query.cursor : undefined;
    const pendingOnly = req.query.pending === 'true' || req.query.pending === '1';
    const limit = intParam(req, 'limit', 1, 500) ?? 50;
    sendData(
      res,
      await listRejectedPayloads(ingest.store, {
        integrationId: integration.id,
        pendingOnly,
        limit,
        ...(cursor && { before: cursor }),
      }),
    );
  });
  router.post('/integrations/:id/rejected/replay', async (req, res) => {
    sendData(res, await replayPending(ingest, ingest.directory.integrationById(req.params.id), deps.clock()));
  });
  router.post('/integrations/:id/rejected/:rid/replay', async (req, res) => {
    sendData(
      res,
      await replayOne(ingest, ingest.directory.integrationById(req.params.id), req.params.rid, deps.clock()),
    );
  });
  router.get('/integrations/:id/payloads', async (req, res) => {
    const integration = ingest.directory.integrationById(req.params.id);
    const items = await ingest.recent.list(integration.id).catch((error: Error) => {
      throw unavailable(`recent payloads are kept in Redis, which did not answer: ${error.message}`);
    });
    sendData(res, { items });
  });
}
