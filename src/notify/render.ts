import { dingtalkMessage, dingtalkUrl } from './formats/dingtalk.js';
import { feishuMessage } from './formats/feishu.js';
import { flashdutyEvent, flashdutyUrl } from './formats/flashduty.js';
import { opsgenieRequest } from './formats/opsgenie.js';
import { pagerDutyEvent, pagerDutyEventsUrl } from './formats/pagerduty.js';
import { slackMessage } from './formats/slack.js';
import { teamsMessage } from './formats/teams.js';
import { compileReceiverTemplate, evaluateTemplate } from './formats/template.js';
import { wecomMessage } from './formats/wecom.js';
import type { WebhookBody } from './webhook-body.js';

export { compileReceiverTemplate } from './formats/template.js';

/** Every outbound format: what a receiver's `format` may name. */
export const outboundFormatNames = [
  'alertgate',
  'slack',
  'teams',
  'feishu',
  'dingtalk',
  'wecom',
  'pagerduty',
  'opsgenie',
  'flashduty',
] as const;
export type OutboundFormatName = (typeof outboundFormatNames)[number];

/** What a format needs to know of a receiver. */
export interface ReceiverTarget {
  id: string;
  url: string;
  format: OutboundFormatName;
  /** alertgate: the signature key (the sender signs); feishu and dingtalk: the bot's signing secret. */
  secret?: string;
  /** pagerduty: the integration's routing key. */
  routing_key?: string;
  /** opsgenie: the API integration key; flashduty: the integration key when `url` has none. */
  api_key?: string;
  headers?: Record<string, string>;
  /** alertgate only: a JSONata expression over the body that produces the request body. */
  template?: string;
}

/** The HTTP request a format makes of one change; the sender adds its own headers (signature, delivery id). */
export interface RenderedRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

// JSON is UTF-8 by definition (RFC 8259): no charset parameter.
const json = { 'Content-Type': 'application/json' };

const request = (url: string, body: unknown, headers: Record<string, string> = {}): RenderedRequest => ({
  url,
  headers: { ...json, ...headers },
  body: JSON.stringify(body),
});

async function renderAlertgate(target: ReceiverTarget, body: WebhookBody): Promise<RenderedRequest | undefined> {
  if (target.template === undefined) return request(target.url, body);
  const template = compileReceiverTemplate(target.template, `webhooks[${target.id}].template`);
  const output = await evaluateTemplate(template, body, target.id);
  return output === undefined ? undefined : request(target.url, output);
}

function renderOpsgenie(target: ReceiverTarget, body: WebhookBody): RenderedRequest | undefined {
  const made = opsgenieRequest(body, target.url);
  return made && request(made.url, made.body, { Authorization: `GenieKey ${target.api_key ?? ''}` });
}

/**
 * The request `target` expects for one change, or undefined when its format sends nothing for this event type
 * (forwarding formats forward only the incident events that change an on-call tool's state). `now` (ms) is the
 * clock of the formats that sign with a timestamp (feishu, dingtalk): render each attempt again, vendors refuse
 * signatures older than an hour. Rejects with a MappingError when a template fails on this body.
 */
export async function renderRequest(
  target: ReceiverTarget,
  body: WebhookBody,
  now: number,
): Promise<RenderedRequest | undefined> {
  switch (target.format) {
    case 'alertgate':
      return renderAlertgate(target, body);
    case 'slack':
      return request(target.url, slackMessage(body));
    case 'teams':
      return request(target.url, teamsMessage(body));
    case 'feishu':
      return request(target.url, feishuMessage(body, target.secret, now));
    case 'dingtalk':
      return request(dingtalkUrl(target.url, target.secret, now), dingtalkMessage(body));
    case 'wecom':
      return request(target.url, wecomMessage(body));
    case 'pagerduty': {
      const event = pagerDutyEvent(body, target.routing_key ?? '');
      return event && request(target.url === '' ? pagerDutyEventsUrl : target.url, event);
    }
    case 'opsgenie':
      return renderOpsgenie(target, body);
    case 'flashduty': {
      const event = flashdutyEvent(body);
      return event && request(flashdutyUrl(target.url, target.api_key), event);
    }
  }
}

/** Formats whose receivers may leave `url` out: the vendor's public endpoint is used. */
const defaultUrlFormats: ReadonlySet<OutboundFormatName> = new Set(['pagerduty', 'opsgenie', 'flashduty']);

/**
 * What is wrong with a receiver for its format, each as `path.field: message` (for the config loader): a missing
 * credential, a template on a format that has its own body, a template that does not compile.
 */
export function receiverProblems(target: ReceiverTarget, path: string): string[] {
  const problems: string[] = [];
  if (target.url === '' && !defaultUrlFormats.has(target.format))
    problems.push(`${path}.url: the ${target.format} format needs the receiver's URL`);
  if (target.format === 'pagerduty' && !target.routing_key)
    problems.push(`${path}.routing_key: the pagerduty format needs the integration's routing key`);
  if (target.format === 'opsgenie' && !target.api_key)
    problems.push(`${path}.api_key: the opsgenie format needs an API integration key`);
  if (target.format === 'flashduty' && !target.api_key && !/[?&]integration_key=/.test(target.url))
    problems.push(`${path}.api_key: the flashduty format needs an integration key (api_key or in the URL)`);
  if (target.template !== undefined && target.format !== 'alertgate')
    problems.push(`${path}.template: only the alertgate format takes a template (${target.format} has its own body)`);
  else if (target.template !== undefined) {
    try {
      compileReceiverTemplate(target.template, `${path}.template`);
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  return problems;
}
