import type { Router } from 'express';
import { getAlert, listAlerts } from '../../store/read-models.js';
import { listParam, pageParams, stringParam, viewOptions } from '../request.js';
import { sendData, sendFound } from '../respond.js';
import type { ApiDeps } from './api-deps.js';

/** `/alerts` (list, one with its events). */
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
    sendData(res, await listAlerts(deps.store.db, filter, viewOptions(req)));
  });
  router.get('/alerts/:id', async (req, res) => {
    sendFound(res, await getAlert(deps.store.db, req.params.id, viewOptions(req)), 'alert', req.params.id);
  });
}
