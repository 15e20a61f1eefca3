import type { Router } from 'express';
import { integrationActivity } from '../../store/read-models.js';
import { notFound } from '../../errors.js';
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

/** `/integrations` (push URLs without keys, activity), `POST /integrations/{id}/key` (the key, logged) and `/channels`. */
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
        // The key itself only through POST /integrations/{id}/key, one request at a time, logged.
        push_url: `${deps.publicUrl}/event/push/alert/${integration.adapter}`,
        key_hint: keyHint(integration.key),
        rate_limit: {
          per_second: integration.rateLimit.perSecond,
          per_minute: integration.rateLimit.perMinute,
          ...(integration.rateLimit.alertsPerSecond !== undefined && {
            alerts_per_second: integration.rateLimit.alertsPerSecond,
          }),
          ...(integration.rateLimit.bytesPerSecond !== undefined && {
            bytes_per_second: integration.rateLimit.bytesPerSecond,
          }),
        },
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
      push_url: `${deps.publicUrl}/event/push/alert/${integration.adapter}?integration_key=${encodeURIComponent(integration.key)}`,
    });
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
