import type { Router } from 'express';
import { pushPathOf } from '../../ingest/push-path.js';
import { channelView, integrationView, type ViewOptions } from '../../store/api-views.js';
import { integrationActivity } from '../../store/read-models.js';
import { notFound } from '../../errors.js';
import type { Integration } from '../../config/types.js';
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

/** The last four characters of a key, the rest masked: enough to tell keys apart, not to push. */
export function keyHint(key: string): string {
  return `…${key.slice(-4)}`;
}

/** The optional alerts/s and bytes/s budgets, as the configuration names them. */
function payloadBudgets(integration: Integration): Record<string, number> {
  const { alertsPerSecond, bytesPerSecond } = integration.rateLimit;
  return {
    ...(alertsPerSecond !== undefined && { alerts_per_second: alertsPerSecond }),
    ...(bytesPerSecond !== undefined && { bytes_per_second: bytesPerSecond }),
  };
}

/** `/integrations` (push URLs without keys, activity), `POST /integrations/{id}/key` (the key, logged) and `/channels`. */
export function integrationRoutes(
  router: Router,
  deps: Pick<ApiDeps, 'store' | 'publicUrl' | 'config' | 'ingest'>,
): void {
  const describe = async (options: ViewOptions) => {
    const activity = await integrationActivity(deps.store.db);
    const fallbacks = await fallbacksByIntegration(deps.ingest.metrics);
    const config = deps.config();
    return config.integrations.map((integration) => {
      const view = integrationView(
        integration,
        {
          activity: activity.get(integration.id),
          // An email integration takes mail at its address, not pushes. The key itself only through
          // POST /integrations/{id}/key, one request at a time, logged.
          pushUrl: integration.email ? null : `${deps.publicUrl}${pushPathOf(integration.adapter)}`,
          ...(integration.email &&
            config.smtp && { emailAddress: `${integration.email.prefix}@${config.smtp.domain}` }),
          schemaDrift: {
            default_severity: 0,
            missing_alert_key: 0,
            default_title: 0,
            ...fallbacks.get(integration.id),
          },
        },
        options,
      );
      return {
        ...view,
        key_hint: integration.key === '' ? null : keyHint(integration.key),
        rate_limit: { ...view.rate_limit, ...payloadBudgets(integration) },
      };
    });
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
  router.post('/integrations/:id/key', (req, res) => {
    const integration = deps.config().integrations.find((candidate) => candidate.id === req.params.id);
    if (!integration) throw notFound('integration', String(req.params.id));
    const actor = typeof req.query.actor === 'string' ? req.query.actor.slice(0, 128) : null;
    deps.ingest.logger.warn(
      {
        audit: 'integration_key_shown',
        integration: integration.id,
        actor,
        request_id: res.locals.requestId as string,
      },
      'integration key shown',
    );
    res.set('Cache-Control', 'no-store');
    sendData(res, {
      id: integration.id,
      key: integration.key,
      push_url: `${deps.publicUrl}${pushPathOf(integration.adapter)}?integration_key=${encodeURIComponent(integration.key)}`,
    });
  });
  router.get('/channels', (_req, res) => sendData(res, { items: deps.config().channels.map(channelView) }));
}
