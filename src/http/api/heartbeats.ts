import type { Router } from 'express';
import { heartbeatView } from '../../heartbeats/view.js';
import { heartbeatStates } from '../../store/heartbeats-repo.js';
import { sendData, sendFound } from '../respond.js';
import type { ApiDeps } from './api-deps.js';

/** `/heartbeats` and `/heartbeats/{id}`: each configured heartbeat with its ping URL and state. */
export function heartbeatRoutes(router: Router, deps: Pick<ApiDeps, 'store' | 'publicUrl' | 'config' | 'clock'>): void {
  const describe = async () => {
    const states = await heartbeatStates(deps.store.db);
    const now = deps.clock();
    return (deps.config().heartbeats ?? []).map((heartbeat) =>
      heartbeatView(heartbeat, states.get(heartbeat.id), deps.publicUrl, now),
    );
  };
  router.get('/heartbeats', async (_req, res) => sendData(res, { items: await describe() }));
  router.get('/heartbeats/:id', async (req, res) => {
    sendFound(
      res,
      (await describe()).find((heartbeat) => heartbeat.id === req.params.id),
      'heartbeat',
      req.params.id,
    );
  });
}
