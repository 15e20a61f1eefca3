import type { Router } from 'express';
import { applyIncidentAction, type IncidentAction } from '../../incidents/actions.js';
import { enqueueDeliveries } from '../../notify/notifier.js';
import type { DeliveryRef } from '../../store/deliveries-repo.js';
import { getIncident, incidentView, listIncidents } from '../../store/read-models.js';
import { intParam, listParam, pageParams } from '../request.js';
import { sendData, sendFound } from '../respond.js';
import type { ApiDeps } from './api-deps.js';

/** `/incidents`: list, one, and the actions ack, unack, close, reopen. */
export function incidentRoutes(router: Router, deps: Pick<ApiDeps, 'store' | 'clock' | 'deliveries'>): void {
  router.get('/incidents', async (req, res) => {
    const filter = {
      progress: listParam(req, 'progress', ['Triggered', 'Processing', 'Closed']),
      channelIds: listParam(req, 'channel'),
      since: intParam(req, 'since', 0, Number.MAX_SAFE_INTEGER),
      until: intParam(req, 'until', 0, Number.MAX_SAFE_INTEGER),
      ...pageParams(req),
    };
    sendData(res, await listIncidents(deps.store.db, filter));
  });
  router.get('/incidents/:id', async (req, res) => {
    sendFound(res, await getIncident(deps.store.db, req.params.id), 'incident', req.params.id);
  });
  for (const action of ['ack', 'unack', 'close', 'reopen'] as IncidentAction[]) {
    router.post(`/incidents/:id/${action}`, async (req, res) => {
      const body = (req.body ?? {}) as { actor?: unknown; reason?: unknown };
      const request = {
        ...(typeof body.actor === 'string' && { actor: body.actor }),
        ...(typeof body.reason === 'string' && { reason: body.reason }),
      };
      const notify = { outbox: deps.deliveries.outbox(), deliveries: [] as DeliveryRef[] };
      const incident = await applyIncidentAction(
        deps.store,
        req.params.id as string,
        action,
        request,
        deps.clock(),
        notify,
      );
      // Committed with the change: a Redis hiccup here leaves them to the worker's sweep, the action stands.
      await enqueueDeliveries(deps.store, deps.deliveries.queues, deps.deliveries.webhooks(), notify.deliveries).catch(
        () => undefined,
      );
      sendData(res, incidentView(incident));
    });
  }
}
