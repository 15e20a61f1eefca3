import type { Router } from 'express';
import { integrationActivity } from '../../store/read-models.js';
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
  const describe = async () => {
    const activity = await integrationActivity(deps.store.db);
    const fallbacks = await fallbacksByIntegration(deps.ingest.metrics);
    return deps.config().integrations.map((integration) => {
      const seen = activity.get(integration.id);
      return {
        id: integration.id,
        name: integration.name,
        adapter: integration.adapter,
        channel_id: integration.channelId,
        enabled: integration.enabled,
        push_url: `${deps.publicUrl}/event/push/alert/${integration.adapter}?integration_key=${encodeURIComponent(integration.key)}`,
        rate_limit: { per_second: integration.rateLimit.perSecond, per_minute: integration.rateLimit.perMinute },
        latest_event_at: seen?.latest_event_at ?? null,
        counts: seen?.counts ?? {},
        schema_drift: { default_severity: 0, missing_alert_key: 0, ...fallbacks.get(integration.id) },
      };
    });
  };
  router.get('/integrations', async (_req, res) => sendData(res, { items: await describe() }));
  router.get('/integrations/:id', async (req, res) => {
    sendFound(
      res,
      (await describe()).find((integration) => integration.id === req.params.id),
      'integration',
      req.params.id,
    );
  });
  router.get('/channels', (_req, res) =>
    sendData(res, {
      items: deps.config().channels.map((channel) => ({
        id: channel.id,
        name: channel.name,
        description: channel.description,
        auto_close: channel.autoClose,
      })),
    }),
  );
}
