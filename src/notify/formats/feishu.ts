import { createHmac } from 'node:crypto';
import type { WebhookBody } from '../webhook-body.js';
import { headline, summarise, type ChatSummary } from './summary.js';
import { clip, isoTime } from './text.js';

/*
 * Feishu (Lark) custom bot, interactive card (https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot).
 * Signature, when the bot has "signature verification" on: `timestamp` (Unix seconds, within an hour of Feishu's
 * clock) and `sign` = base64(HMAC-SHA256(key = "<timestamp>\n<secret>", message = empty)), both in the body. The
 * request body may not exceed 20 KB: every text here is bounded.
 */

/** Feishu's markdown (`lark_md`) takes HTML entities for the characters it would otherwise interpret. */
function escapeMarkdown(text: string): string {
  const entities: Record<string, string> = {
    '&': '&amp;',
    '<': '&lt;',
    '>': '&gt;',
    '*': '&#42;',
    _: '&#95;',
    '~': '&#126;',
    '`': '&#96;',
    '[': '&#91;',
    ']': '&#93;',
  };
  return text.replace(/[&<>*_~`[\]]/g, (char) => entities[char]);
}

/** The `sign` of a signed Feishu request. */
export function feishuSign(timestampSeconds: number, secret: string): string {
  return createHmac('sha256', `${timestampSeconds}\n${secret}`).update('').digest('base64');
}

const field = (name: string, value: string) => ({
  is_short: true,
  text: { tag: 'lark_md', content: `**${escapeMarkdown(name)}**\n${escapeMarkdown(value)}` },
});

function buttons(summary: ChatSummary): unknown[] {
  const targets: Array<[string, string | undefined, string]> = [
    ['Open incident', summary.detailUrl, 'primary'],
    ['Open source', summary.sourceUrl, 'default'],
  ];
  return targets
    .filter((target): target is [string, string, string] => target[1] !== undefined)
    .map(([content, url, type]) => ({ tag: 'button', text: { tag: 'plain_text', content }, url, type }));
}

/** The interactive card message of one change, signed when `secret` is set. */
export function feishuMessage(body: WebhookBody, secret: string | undefined, now: number): Record<string, unknown> {
  const summary = summarise(body);
  const elements: unknown[] = [
    { tag: 'div', text: { tag: 'lark_md', content: `**${escapeMarkdown(summary.title)}**` } },
    {
      tag: 'div',
      fields: [
        field('Channel', clip(summary.channel, 200)),
        field('Alerts', summary.count),
        ...summary.labels.map(([name, value]) => field(name, value)),
      ],
    },
  ];
  if (summary.description) elements.push({ tag: 'div', text: { tag: 'plain_text', content: summary.description } });
  const actions = buttons(summary);
  if (actions.length > 0) elements.push({ tag: 'action', actions });
  elements.push({
    tag: 'note',
    elements: [{ tag: 'plain_text', content: `${summary.id} · ${isoTime(summary.time)}` }],
  });
  const card = {
    config: { wide_screen_mode: true },
    header: { title: { tag: 'plain_text', content: clip(headline(summary), 100) }, template: summary.tone },
    elements,
  };
  if (secret === undefined || secret === '') return { msg_type: 'interactive', card };
  const timestamp = Math.floor(now / 1000);
  return { timestamp: String(timestamp), sign: feishuSign(timestamp, secret), msg_type: 'interactive', card };
}
