import type { WebhookBody } from '../webhook-body.js';
import { markdownParagraphs } from './markdown.js';
import { summarise, type ChatSummary } from './summary.js';
import { clipBytes } from './text.js';

/*
 * WeCom (企业微信) group robot, markdown message (https://developer.work.weixin.qq.com/document/path/91770):
 * `{msgtype: "markdown", markdown: {content}}`, content at most 4096 bytes of UTF-8. Colours are three names:
 * warning (orange-red), info (green), comment (grey). The robot's URL carries its key; there is no signature.
 */

export const wecomMaxContentBytes = 4096;

const colourNames: Record<ChatSummary['tone'], string> = {
  red: 'warning',
  orange: 'warning',
  blue: 'comment',
  green: 'info',
};

/** The markdown message of one change. */
export function wecomMessage(body: WebhookBody): Record<string, unknown> {
  const summary = summarise(body);
  const paragraphs = markdownParagraphs(
    summary,
    (words) => `<font color="${colourNames[summary.tone]}">${words}</font>`,
  );
  return {
    msgtype: 'markdown',
    markdown: { content: clipBytes(paragraphs.map((lines) => lines.join('\n')).join('\n\n'), wecomMaxContentBytes) },
  };
}
