import type { Router } from 'express';
import { changesForIncident } from '../../changes/incident-changes.js';
import { applyIncidentAction, type IncidentAction } from '../../incidents/actions.js';
import { getIncident, incidentView, listIncidents } from '../../store/read-models.js';
import { intParam, listParam, pageParams } from '../request.js';
import { sendData, sendFound } from '../respond.js';
import type { ApiDeps } from './api-deps.js';

/** `/incidents`: list, one, and the actions ack, unack, close, reopen. */
export function incidentRoutes(router: Router, deps: Pick<ApiDeps, 'store' | 'clock' | 'config'>): void {
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
    const found = await getIncident(deps.store.db, req.params.id);
    // The changes under way shortly before it started that share a label value with it, most relevant first.
    const changes =
      found &&
      (await changesForIncident(deps.store.db, found.incident, deps.config().changeCorrelationWindowMs ?? 7_200_000));
    sendFound(res, found && { ...found, changes }, 'incident', req.params.id);
  });
  for (const action of ['ack', 'unack', 'close', 'reopen'] as IncidentAction[]) {
    router.post(`/incidents/:id/${action}`, async (req, res) => {
      const body = (req.body ?? {}) as { actor?: unknown; reason?: unknown };
      const request = {
        ...(typeof body.actor === 'string' && { actor: body.actor }),
        ...(typeof body.reason === 'string' && { reason: body.reason }),
      };
      const incident = await applyIncidentAction(deps.store, req.params.id as string, action, request, deps.clock());
      sendData(res, incidentView(incident));
    });
  }
}
