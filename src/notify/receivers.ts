import { compileReceiverTemplate } from './render.js';
import type { Webhook, WebhookConfig } from '../config/types.js';
import { closestName } from '../did-you-mean.js';
import { parseDuration } from '../rules/duration.js';
import type { IncidentEventType, WebhookEventType } from './webhook-body.js';

/** Incident event types a receiver gets when it names none; alert events are opt-in. */
export const defaultWebhookEvents: readonly IncidentEventType[] = [
  'i_new',
  'i_ack',
  'i_unack',
  'i_rslv',
  'i_reopen',
  'i_storm',
  'i_m_flapping',
  'i_repeat',
];

/** Attempts of a delivery before it is dead: with the backoff of `retryDelayCeilingMs`, about 24 hours on average. */
export const defaultMaxAttempts = 30;
export const defaultTimeoutMs = 5_000;
export const defaultConcurrency = 4;

/** What the schema cannot check: unique ids, known channels, a URL that parses. */
export function validateWebhooks(webhooks: readonly WebhookConfig[], channelIds: ReadonlySet<string>): string[] {
  const problems: string[] = [];
  const ids = new Set<string>();
  webhooks.forEach((webhook, i) => {
    const path = `webhooks[${i}]`;
    if (ids.has(webhook.id)) problems.push(`${path}.id: duplicate webhook id ${JSON.stringify(webhook.id)}`);
    ids.add(webhook.id);
    try {
      new URL(webhook.url);
    } catch {
      problems.push(`${path}.url: not a URL: ${JSON.stringify(webhook.url)}`);
    }
    (webhook.channels ?? []).forEach((channel, j) => {
      if (channelIds.has(channel)) return;
      const meant = closestName(channel, [...channelIds]);
      problems.push(
        `${path}.channels[${j}]: unknown channel ${JSON.stringify(channel)}${meant ? `; did you mean ${JSON.stringify(meant)}?` : ''}`,
      );
    });
    if (webhook.format === 'pagerduty' && webhook.routing_key === undefined)
      problems.push(`${path}.routing_key: required with format pagerduty`);
    if (webhook.format === 'opsgenie' && webhook.api_key === undefined)
      problems.push(`${path}.api_key: required with format opsgenie`);
    if (webhook.template !== undefined && (webhook.format ?? 'alertgate') !== 'alertgate')
      problems.push(
        `${path}.template: only the alertgate format takes a template (${webhook.format} has its own body)`,
      );
    else if (webhook.template !== undefined) {
      try {
        compileReceiverTemplate(webhook.template, `${path}.template`);
      } catch (error) {
        problems.push((error as Error).message);
      }
    }
  });
  return problems;
}

/** A receiver with its defaults applied (the configuration is valid: validateWebhooks found nothing). */
export function compileWebhook(webhook: WebhookConfig): Webhook {
  const events: WebhookEventType[] = webhook.events ? [...webhook.events] : [...defaultWebhookEvents];
  return {
    id: webhook.id,
    url: webhook.url,
    format: webhook.format ?? 'alertgate',
    ...(webhook.secret !== undefined && { secret: webhook.secret }),
    events,
    channels: webhook.channels ? [...webhook.channels] : null,
    ...(webhook.template !== undefined && { template: webhook.template }),
    headers: { ...webhook.headers },
    timeoutMs: webhook.timeout !== undefined ? (parseDuration(webhook.timeout) ?? defaultTimeoutMs) : defaultTimeoutMs,
    maxAttempts: webhook.max_attempts ?? defaultMaxAttempts,
    concurrency: webhook.concurrency ?? defaultConcurrency,
    ...(webhook.routing_key !== undefined && { routingKey: webhook.routing_key }),
    ...(webhook.api_key !== undefined && { apiKey: webhook.api_key }),
    allowPrivateNetwork: webhook.allow_private_network ?? false,
  };
}

/** Whether a receiver takes changes of this type from this channel. */
export function receives(webhook: Webhook, eventType: WebhookEventType, channelId: string): boolean {
  return webhook.events.includes(eventType) && (webhook.channels === null || webhook.channels.includes(channelId));
}
