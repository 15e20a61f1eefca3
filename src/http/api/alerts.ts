import type { Router } from 'express';
import { getAlert, getEvent, listAlerts } from '../../store/read-models.js';
import { listParam, pageParams, stringParam } from '../request.js';
import { sendData, sendFound } from '../respond.js';
import type { ApiDeps } from './api-deps.js';

/** `/alerts` (list, one) and `/events/{id}`. */
export function alertRoutes(router: Router, deps: Pick<ApiDeps, 'store'>): void {
  router.get('/alerts', async (req, res) => {
    const state = listParam(req, 'state', ['active', 'recovered', 'closed'])?.[0] as 'active' | undefined;
    const filter = {
      integrationIds: listParam(req, 'integration'),
      channelIds: listParam(req, 'channel'),
      incidentId: stringParam(req, 'incident'),
      state,
      ...pageParams(req),
    };
    sendData(res, await listAlerts(deps.store.db, filter));
  });
  router.get('/alerts/:id', async (req, res) => {
    sendFound(res, await getAlert(deps.store.db, req.params.id), 'alert', req.params.id);
  });
  router.get('/events/:id', async (req, res) => {
    sendFound(res, await getEvent(deps.store.db, req.params.id), 'event', req.params.id);
  });
}
