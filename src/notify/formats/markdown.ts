import { headline, type ChatSummary } from './summary.js';
import { isoTime } from './text.js';

/*
 * The markdown message shared by DingTalk and WeCom: both render a small markdown subset (headings, bold, links,
 * `>` quotes, `<font color>`), and neither has a way to escape it, so values are shown as given.
 */

/** How a format colours a word: DingTalk takes `#rrggbb`, WeCom three names (warning, info, comment). */
export type Colourer = (text: string, summary: ChatSummary) => string;

/** The lines of the markdown message of one change. */
export function markdownLines(summary: ChatSummary, colour: Colourer): string[] {
  const lines = [
    `### ${colour(headline(summary), summary)}`,
    `**${summary.title}**`,
    '',
    `> Channel: ${summary.channel}`,
    `> Alerts: ${summary.count}`,
    ...summary.labels.map(([name, value]) => `> ${name}: ${value}`),
  ];
  if (summary.description) lines.push('', summary.description);
  const links = [
    summary.detailUrl && `[Open incident](${summary.detailUrl})`,
    summary.sourceUrl && `[Open source](${summary.sourceUrl})`,
  ].filter((link): link is string => typeof link === 'string');
  if (links.length > 0) lines.push('', links.join(' · '));
  lines.push('', `${summary.id} · ${isoTime(summary.time)}`);
  return lines;
}
