import type { WebhookBody } from '../webhook-body.js';
import { headline, summarise, type ChatSummary } from './summary.js';
import { clip } from './text.js';

/*
 * Slack incoming webhook with Block Kit (https://api.slack.com/messaging/webhooks,
 * https://api.slack.com/reference/block-kit/blocks): `text` is the notification and fallback, `blocks` the message.
 * Limits honoured: header text 150 characters, section text 3000, section fields 10 of 2000 each, context 10
 * elements, button text 75 and url 3000, at most 50 blocks (this message uses at most 5).
 */

/** Slack's mrkdwn needs only these three escaped (https://api.slack.com/reference/surfaces/formatting#escaping). */
function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const plain = (text: string, limit: number) => ({ type: 'plain_text', text: clip(text, limit), emoji: true });
const mrkdwn = (text: string) => ({ type: 'mrkdwn', text });

function linkButtons(summary: ChatSummary): unknown[] {
  const links: Array<[string, string | undefined]> = [
    ['Open incident', summary.detailUrl],
    ['Open source', summary.sourceUrl],
  ];
  return links
    .filter((link): link is [string, string] => link[1] !== undefined && link[1].length <= 3000)
    .map(([text, url], i) => ({ type: 'button', text: plain(text, 75), url, action_id: `link-${i}` }));
}

/** The Slack message of one change. */
export function slackMessage(body: WebhookBody): Record<string, unknown> {
  const summary = summarise(body);
  const fields = [
    mrkdwn(`*Channel*\n${escape(clip(summary.channel, 500))}`),
    mrkdwn(`*Alerts*\n${escape(summary.count)}`),
    ...summary.labels.map(([name, value]) => mrkdwn(`*${escape(name)}*\n${escape(value)}`)),
  ].slice(0, 10);
  const blocks: unknown[] = [
    { type: 'header', text: plain(headline(summary), 150) },
    { type: 'section', text: mrkdwn(clip(`*${escape(summary.title)}*`, 3000)), fields },
  ];
  if (summary.description) blocks.push({ type: 'section', text: mrkdwn(clip(escape(summary.description), 3000)) });
  const buttons = linkButtons(summary);
  if (buttons.length > 0) blocks.push({ type: 'actions', elements: buttons });
  blocks.push({
    type: 'context',
    elements: [
      mrkdwn(
        `${escape(summary.id)} · <!date^${summary.time}^{date_short_pretty} {time}|${new Date(summary.time * 1000).toISOString()}>`,
      ),
    ],
  });
  return { text: clip(escape(`${headline(summary)}: ${summary.title}`), 3000), blocks };
}
