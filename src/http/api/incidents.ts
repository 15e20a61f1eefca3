import type { Router } from 'express';
import { changesForIncident } from '../../changes/incident-changes.js';
import { invalidParameter } from '../../errors.js';
import { applyIncidentAction, type IncidentAction } from '../../incidents/actions.js';
import { relayOutbox, writtenBodiesOnly } from '../../notify/notifier.js';
import { DeliveriesRepo } from '../../store/deliveries-repo.js';
import type { OutboxEntry } from '../../notify/outbox.js';
import { incidentView } from '../../store/api-views.js';
import { getIncident, listIncidents } from '../../store/read-models.js';
import { labelParams, listParam, pageParams, stringParam, textParam, timeParam, viewOptions } from '../request.js';
import { sendData, sendFound } from '../respond.js';
import type { ApiDeps } from './api-deps.js';

const severities = ['Critical', 'Warning', 'Info'];

/** `counts=1` (or `true`) asks for the counts by severity; `0`, `false` or absent does not. */
function countsParam(value: string | undefined): boolean {
  if (value === undefined || value === '0' || value === 'false') return false;
  if (value === '1' || value === 'true') return true;
  throw invalidParameter(`counts: must be 1 or 0, got ${JSON.stringify(value)}`);
}

/** `/incidents`: list, one, and the actions ack, unack, close, reopen. */
export function incidentRoutes(router: Router, deps: Pick<ApiDeps, 'store' | 'clock' | 'config' | 'deliveries'>): void {
  router.get('/incidents', async (req, res) => {
    const filter = {
      progress: listParam(req, 'progress', ['Triggered', 'Processing', 'Closed']),
      channelIds: listParam(req, 'channel'),
      severities: listParam(req, 'severity', severities),
      statuses: listParam(req, 'status', [...severities, 'Ok']),
      labels: labelParams(req, 'label'),
      text: textParam(req, 'q'),
      since: timeParam(req, 'since'),
      until: timeParam(req, 'until'),
      counts: countsParam(stringParam(req, 'counts')),
      ...pageParams(req),
    };
    sendData(res, await listIncidents(deps.store.db, deps.store.dialect, filter, viewOptions(req)));
  });
  router.get('/incidents/:id', async (req, res) => {
    const found = await getIncident(deps.store.db, req.params.id, viewOptions(req));
    // The changes under way shortly before it started that share a label value with it, most relevant first.
    const changes =
      found &&
      (await changesForIncident(deps.store.db, found.incident, deps.config().changeCorrelationWindowMs ?? 7_200_000));
    // What was sent about it to the outbound receivers, and how each delivery went.
    const notifications =
      found && (await new DeliveriesRepo(deps.store.db, deps.store.dialect).notificationsOf(req.params.id));
    sendFound(res, found && { ...found, changes, notifications }, 'incident', req.params.id);
  });
  for (const action of ['ack', 'unack', 'close', 'reopen'] as IncidentAction[]) {
    router.post(`/incidents/:id/${action}`, async (req, res) => {
      const options = viewOptions(req);
      const body = (req.body ?? {}) as { actor?: unknown; reason?: unknown };
      const request = {
        ...(typeof body.actor === 'string' && { actor: body.actor }),
        ...(typeof body.reason === 'string' && { reason: body.reason }),
      };
      const notify = { outbox: deps.deliveries.outbox(), deliveries: [] as OutboxEntry[] };
      const incident = await applyIncidentAction(
        deps.store,
        req.params.id as string,
        action,
        request,
        deps.clock(),
        notify,
      );
      // Committed with the change: relayed here at once; a Redis hiccup leaves them to the workers' notifiers.
      if (notify.deliveries.length > 0)
        await relayOutbox(deps.store, deps.deliveries.queues, deps.deliveries.webhooks(), writtenBodiesOnly).catch(
          () => undefined,
        );
      sendData(res, incidentView(incident, options));
    });
  }
}
