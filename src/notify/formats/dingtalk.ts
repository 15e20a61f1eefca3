import { createHmac } from 'node:crypto';
import type { WebhookBody } from '../webhook-body.js';
import { markdownParagraphs } from './markdown.js';
import { headline, summarise } from './summary.js';
import { clip } from './text.js';

/*
 * DingTalk custom robot, markdown message (https://open.dingtalk.com/document/orgapp/custom-robot-access,
 * https://open.dingtalk.com/document/orgapp/customize-robot-security-settings). Signed ("加签") robots take
 * `timestamp` (ms, within an hour of DingTalk's clock) and `sign` = urlencode(base64(HMAC-SHA256(key = secret,
 * message = "<timestamp>\n<secret>"))) as query parameters of the webhook URL. `title` is what the notification shows.
 */

const maxText = 4000;

/** The `sign` of a signed DingTalk request, before URL encoding. */
export function dingtalkSign(timestampMs: number, secret: string): string {
  return createHmac('sha256', secret).update(`${timestampMs}\n${secret}`).digest('base64');
}

/** The robot URL, with `timestamp` and `sign` added when `secret` is set. */
export function dingtalkUrl(url: string, secret: string | undefined, now: number): string {
  if (secret === undefined || secret === '') return url;
  const signed = new URL(url);
  signed.searchParams.set('timestamp', String(now));
  signed.searchParams.set('sign', dingtalkSign(now, secret));
  return signed.toString();
}

/** The markdown message of one change. */
export function dingtalkMessage(body: WebhookBody): Record<string, unknown> {
  const summary = summarise(body);
  const text = markdownParagraphs(summary, (words) => `<font color=${summary.colour}>${words}</font>`)
    .flat()
    .join('\n\n');
  return {
    msgtype: 'markdown',
    markdown: { title: clip(`${headline(summary)}: ${summary.title}`, 100), text: clip(text, maxText) },
  };
}
