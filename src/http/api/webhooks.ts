import type { Router } from 'express';
import {
  getDeliveryLog,
  listReceiverDeliveries,
  listReceivers,
  redeliver,
  testReceiver,
} from '../../notify/delivery-service.js';
import { pageParams, stringParam } from '../request.js';
import { sendData } from '../respond.js';
import type { ApiDeps } from './api-deps.js';

/** `/webhooks` (receivers, their deliveries, a test send) and `/deliveries` (one delivery's log, redelivery). */
export function webhookRoutes(router: Router, deps: Pick<ApiDeps, 'deliveries'>): void {
  const service = deps.deliveries;
  router.get('/webhooks', async (_req, res) => sendData(res, { items: await listReceivers(service) }));
  router.get('/webhooks/:id/deliveries', async (req, res) => {
    const status = stringParam(req, 'status');
    const incidentId = stringParam(req, 'incident_id');
    const { cursor, limit } = pageParams(req);
    sendData(
      res,
      await listReceiverDeliveries(service, String(req.params.id), {
        ...(status !== undefined && { status }),
        ...(incidentId !== undefined && { incidentId }),
        ...(cursor !== undefined && { cursor }),
        limit,
      }),
    );
  });
  router.post('/webhooks/:id/test', async (req, res) =>
    sendData(res, await testReceiver(service, String(req.params.id))),
  );
  router.get('/deliveries/:id', async (req, res) =>
    sendData(res, await getDeliveryLog(service, String(req.params.id))),
  );
  router.post('/deliveries/:id/redeliver', async (req, res) =>
    sendData(res, await redeliver(service, String(req.params.id))),
  );
}
