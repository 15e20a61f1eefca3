import { headline, type ChatSummary } from './summary.js';
import { isoTime } from './text.js';

/*
 * The markdown message shared by DingTalk and WeCom: both render a small markdown subset (headings, bold, links,
 * `>` quotes, `<font color>`), and neither has a way to escape it, so values are shown as given.
 */

/** How a format colours a word: DingTalk takes `#rrggbb`, WeCom three names (warning, info, comment). */
export type Colourer = (text: string, summary: ChatSummary) => string;

/**
 * The paragraphs of the markdown message of one change, each a list of lines: DingTalk needs a blank line to break a
 * line, WeCom breaks on each newline, so each format joins them its way.
 */
export function markdownParagraphs(summary: ChatSummary, colour: Colourer): string[][] {
  const paragraphs = [
    [`### ${colour(headline(summary), summary)}`],
    [`**${summary.title}**`],
    [
      `> Channel: ${summary.channel}`,
      `> Alerts: ${summary.count}`,
      ...summary.labels.map(([name, value]) => `> ${name}: ${value}`),
    ],
  ];
  if (summary.description) paragraphs.push([summary.description]);
  const links = [
    summary.detailUrl && `[Open incident](${summary.detailUrl})`,
    summary.sourceUrl && `[Open source](${summary.sourceUrl})`,
  ].filter((link): link is string => typeof link === 'string');
  if (links.length > 0) paragraphs.push([links.join(' · ')]);
  paragraphs.push([`${summary.id} · ${isoTime(summary.time)}`]);
  return paragraphs;
}
