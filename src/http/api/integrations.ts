import type { Router } from 'express';
import { pushPathOf } from '../../ingest/push-path.js';
import { channelView, integrationView, type ViewOptions } from '../../store/api-views.js';
import { integrationActivity } from '../../store/read-models.js';
import { viewOptions } from '../request.js';
import { sendData, sendFound } from '../respond.js';
import type { ApiDeps } from './api-deps.js';
import type { Metrics } from '../../observability/metrics.js';

/** Events this gateway mapped with defaults since it started, per integration and kind (`/metrics` has them too). */
async function fallbacksByIntegration(metrics: Metrics): Promise<Map<string, Record<string, number>>> {
  const byIntegration = new Map<string, Record<string, number>>();
  for (const { labels, value } of (await metrics.adapterFallbacks.get()).values) {
    const integration = String(labels.integration);
    const counts = byIntegration.get(integration) ?? {};
    counts[String(labels.kind)] = (counts[String(labels.kind)] ?? 0) + value;
    byIntegration.set(integration, counts);
  }
  return byIntegration;
}

/** `/integrations` (with push URLs and activity) and `/channels`. */
export function integrationRoutes(
  router: Router,
  deps: Pick<ApiDeps, 'store' | 'publicUrl' | 'config' | 'ingest'>,
): void {
  const describe = async (options: ViewOptions) => {
    const activity = await integrationActivity(deps.store.db);
    const fallbacks = await fallbacksByIntegration(deps.ingest.metrics);
    const config = deps.config();
    return config.integrations.map((integration) =>
      integrationView(
        integration,
        {
          activity: activity.get(integration.id),
          // An email integration takes mail at its address, not pushes.
          pushUrl: integration.email
            ? null
            : `${deps.publicUrl}${pushPathOf(integration.adapter)}?integration_key=${encodeURIComponent(integration.key)}`,
          ...(integration.email &&
            config.smtp && { emailAddress: `${integration.email.prefix}@${config.smtp.domain}` }),
          schemaDrift: { default_severity: 0, missing_alert_key: 0, ...fallbacks.get(integration.id) },
        },
        options,
      ),
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
