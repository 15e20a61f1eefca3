import type { Router } from 'express';
import { notFound } from '../../errors.js';
import { getAlert, getEvent, listAlerts } from '../../store/read-models.js';
import { intParam, listParam, stringParam } from '../request.js';
import { sendData } from '../respond.js';
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
      cursor: stringParam(req, 'cursor'),
      limit: intParam(req, 'limit', 1, 500) ?? 50,
    };
    sendData(res, await listAlerts(deps.store.db, filter));
  });
  router.get('/alerts/:id', async (req, res) => {
    const found = await getAlert(deps.store.db, req.params.id);
    if (!found) throw notFound('alert', req.params.id);
    sendData(res, found);
  });
  router.get('/events/:id', async (req, res) => {
    const found = await getEvent(deps.store.db, req.params.id);
    if (!found) throw notFound('event', req.params.id);
    sendData(res, found);
  });
}
