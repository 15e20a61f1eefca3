import type { WebhookBody } from '../webhook-body.js';
import { headline, summarise, type ChatSummary } from './summary.js';
import { clip, isoTime } from './text.js';

/*
 * Microsoft Teams through a Workflows webhook ("Post to a channel when a webhook request is received"), which takes
 * a message with Adaptive Card attachments (https://learn.microsoft.com/en-us/connectors/teams/#microsoft-teams-webhook,
 * https://adaptivecards.io/explorer/). Card version 1.4, the highest Teams renders everywhere; `msteams.width: Full`
 * uses the whole column. A Teams message must stay under 28 KB: every text here is bounded.
 */

const colours: Record<ChatSummary['tone'], string> = {
  red: 'Attention',
  orange: 'Warning',
  blue: 'Accent',
  green: 'Good',
};

function links(summary: ChatSummary): unknown[] {
  const targets: Array<[string, string | undefined]> = [
    ['Open incident', summary.detailUrl],
    ['Open source', summary.sourceUrl],
  ];
  return targets
    .filter((target): target is [string, string] => target[1] !== undefined)
    .map(([title, url]) => ({ type: 'Action.OpenUrl', title, url }));
}

/** The Adaptive Card of one change. */
export function adaptiveCard(body: WebhookBody): Record<string, unknown> {
  const summary = summarise(body);
  const facts = [
    { title: 'Channel', value: clip(summary.channel, 200) },
    { title: 'Alerts', value: summary.count },
    ...summary.labels.map(([title, value]) => ({ title, value })),
    { title: 'Time', value: isoTime(summary.time) },
  ];
  const cardBody: unknown[] = [
    { type: 'TextBlock', text: headline(summary), weight: 'Bolder', color: colours[summary.tone], wrap: true },
    { type: 'TextBlock', text: summary.title, size: 'Large', weight: 'Bolder', wrap: true },
    { type: 'FactSet', facts },
  ];
  if (summary.description) cardBody.push({ type: 'TextBlock', text: summary.description, wrap: true, isSubtle: true });
  const actions = links(summary);
  return {
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: '1.4',
    body: cardBody,
    ...(actions.length > 0 && { actions }),
    msteams: { width: 'Full' },
  };
}

/** The Workflows webhook message: one Adaptive Card attachment. */
export function teamsMessage(body: WebhookBody): Record<string, unknown> {
  return {
    type: 'message',
    attachments: [
      { contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content: adaptiveCard(body) },
    ],
  };
}
