import { compileFilter, validateFilter, type CompiledFilter, type FilterSubject } from './filter.js';
import type { RouteCase, RoutingTable } from './types.js';
import { closestName } from '../did-you-mean.js';
import { problemAt, type ProblemList } from '../problems.js';

/** A shared integration's routing compiled once. */
export interface CompiledRouting {
  cases: Array<{ route: RouteCase; matches: CompiledFilter }>;
  defaultChannels: string[];
}

/** Where an event goes: its channels and the indexes of the cases that matched, or why it goes nowhere. */
export type RoutingDecision =
  { channels: string[]; matched: number[]; usedDefault: boolean } | { rejected: string; matched: number[] };

/**
 * Checks what the schema cannot of a routing table: its filters' values, and that each fixed channel is one of
 * `known` (a label names its channel per event: that one is looked up when routing).
 */
export function validateRouting(table: RoutingTable, path: string, known: ReadonlySet<string>): ProblemList {
  const problems: ProblemList = [];
  const checkChannels = (channels: readonly string[] | undefined, at: string): void => {
    (channels ?? []).forEach((channel, index) => {
      if (!known.has(channel))
        problems.push(
          problemAt(`${at}[${index}]`, `unknown channel ${JSON.stringify(channel)}`, closestName(channel, [...known])),
        );
    });
  };
  table.routes.forEach((route, index) => {
    const at = `${path}.routes[${index}]`;
    problems.push(...validateFilter(route.if, `${at}.if`));
    checkChannels(route.channels, `${at}.channels`);
  });
  checkChannels(table.default_channels, `${path}.default_channels`);
  return problems;
}

/** Compiles a checked routing table once. */
export function compileRouting(table: RoutingTable): CompiledRouting {
  return {
    cases: table.routes.map((route) => ({ route, matches: compileFilter(route.if) })),
    defaultChannels: table.default_channels ?? [],
  };
}

/** The channels one matching case sends to: its fixed channels, plus the channel its label names if that exists. */
function caseChannels(route: RouteCase, subject: FilterSubject, known: ReadonlySet<string>): string[] {
  const channels = (route.channels ?? []).filter((channel) => known.has(channel));
  const label = route.channel_label;
  const named = label !== undefined && Object.hasOwn(subject.labels, label) ? subject.labels[label] : undefined;
  if (named !== undefined && known.has(named)) channels.push(named);
  return channels;
}

/**
 * Routes an event of a shared integration: cases in order; each match adds its channels and stops unless it says
 * `continue`. The default channels apply only when no case yields a channel: none matched, or the matched ones name
 * channels that do not exist (a label naming no channel falls back to the default). No channel at all → rejected.
 */
export function routeEvent(
  routing: CompiledRouting,
  subject: FilterSubject,
  known: ReadonlySet<string>,
): RoutingDecision {
  const channels: string[] = [];
  const matched: number[] = [];
  for (const [index, { route, matches }] of routing.cases.entries()) {
    if (!matches(subject)) continue;
    matched.push(index);
    for (const channel of caseChannels(route, subject, known)) if (!channels.includes(channel)) channels.push(channel);
    if (!route.continue) break;
  }
  if (channels.length > 0) return { channels, matched, usedDefault: false };
  const fallback = routing.defaultChannels.filter((channel) => known.has(channel));
  if (fallback.length > 0) return { channels: fallback, matched, usedDefault: true };
  const reason =
    matched.length === 0
      ? 'no route matched and no default route'
      : `routes ${matched.join(', ')} matched but named no existing channel, and no default route`;
  return { rejected: reason, matched };
}
