import type { Router } from 'express';
import { channelView, integrationView, type ViewOptions } from '../../store/api-views.js';
import { integrationActivity } from '../../store/read-models.js';
import { viewOptions } from '../request.js';
import { sendData, sendFound } from '../respond.js';
import type { ApiDeps } from './api-deps.js';

/** `/integrations` (with push URLs and activity) and `/channels`. */
export function integrationRoutes(router: Router, deps: Pick<ApiDeps, 'store' | 'publicUrl' | 'config'>): void {
  const describe = async (options: ViewOptions) => {
    const activity = await integrationActivity(deps.store.db);
    return deps
      .config()
      .integrations.map((integration) =>
        integrationView(integration, activity.get(integration.id), deps.publicUrl, options),
      );
  };
  router.get('/integrations', async (req, res) => sendData(res, { items: await describe(viewOptions(req)) }));
  router.get('/integrations/:id', async (req, res) => {
    sendFound(
      res,
      (await describe(viewOptions(req))).find((integration) => integration.id === req.params.id),
      'integration',
      req.params.id,
    );
  });
  router.get('/channels', (_req, res) => sendData(res, { items: deps.config().channels.map(channelView) }));
}
