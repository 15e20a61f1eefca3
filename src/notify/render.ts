import type { WebhookBody } from './webhook-body.js';

/** Body formats a receiver may ask for; `alertgate` sends the webhook body as it is. */
export type OutboundFormatName =
  'alertgate' | 'slack' | 'teams' | 'feishu' | 'dingtalk' | 'wecom' | 'pagerduty' | 'opsgenie' | 'flashduty';

/** What a format needs to know about the receiver it renders for. */
export interface ReceiverTarget {
  id: string;
  url: string;
  format: OutboundFormatName;
  secret?: string;
  routing_key?: string;
  api_key?: string;
  headers?: Record<string, string>;
  template?: string;
}

/** One HTTP request, ready to send (the sender adds its own headers: signature, delivery id, user agent). */
export interface RenderedRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/**
 * The request a receiver gets for one webhook body; undefined when its format sends nothing for this event type.
 * Only the `alertgate` format is rendered here: its body is the webhook body as JSON.
 */
export async function renderRequest(
  target: ReceiverTarget,
  body: WebhookBody,
  _now: number,
): Promise<RenderedRequest | undefined> {
  if (target.format !== 'alertgate') throw new Error(`format ${target.format} is not available in this build`);
  return { url: target.url, headers: {}, body: JSON.stringify(body) };
}
