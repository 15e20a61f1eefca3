import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { compileDropRules, validateDropRule } from '../rules/drop.js';
import { parseDuration } from '../rules/duration.js';
import { compileEnrichRules, validateEnrichRule } from '../rules/enrich.js';
import { flappingDefaults } from '../rules/flapping.js';
import { compileGrouping, validateGrouping } from '../rules/grouping.js';
import { compileInhibitions, validateInhibition } from '../rules/inhibition.js';
import { compilePipeline, validatePipelineRule } from '../rules/pipeline.js';
import { compileRouting, validateRouting } from '../rules/routing.js';
import { compileSilences, validateSilence } from '../rules/silence.js';
import { defaultSimilarityKeys, defaultSimilarityThreshold } from '../rules/similarity.js';
import type { EnrichRule } from '../rules/types.js';
import { closestName } from '../did-you-mean.js';
import { problemAt, type ProblemList } from '../problems.js';
import { parseCsv } from './csv.js';
import type { ChannelConfig, ChannelRules, Integration, IntegrationConfig } from './types.js';

/*
 * A channel's and an integration's rules: checked for what the schema cannot see, once the schema has passed, then
 * compiled without checking again.
 */

/** The problems of a channel's rules the schema cannot see: filter values, silences' instants and time zones. */
export function validateChannelRules(channel: ChannelConfig, path: string): ProblemList {
  return [
    ...(channel.grouping ? validateGrouping(channel.grouping, `${path}.grouping`) : []),
    ...(channel.drop ?? []).flatMap((rule, i) => validateDropRule(rule, `${path}.drop[${i}]`)),
    ...(channel.silences ?? []).flatMap((rule, i) => validateSilence(rule, `${path}.silences[${i}]`)),
    ...(channel.inhibitions ?? []).flatMap((rule, i) => validateInhibition(rule, `${path}.inhibitions[${i}]`)),
  ];
}

/** A channel's rules, compiled once (after validateChannelRules found nothing). */
export function compileChannelRules(channel: ChannelConfig): ChannelRules {
  const grouping =
    channel.grouping && channel.grouping.method !== 'none' ? compileGrouping(channel.grouping) : undefined;
  const afterMs = channel.auto_resolve ? parseDuration(channel.auto_resolve.after) : undefined;
  return {
    ...(grouping && { grouping }),
    similarity: {
      keys: channel.grouping?.similarity?.keys ?? [...defaultSimilarityKeys],
      threshold: channel.grouping?.similarity?.threshold ?? defaultSimilarityThreshold,
    },
    stormThresholds: [...(channel.storm_thresholds ?? [])].sort((a, b) => a - b),
    flapping: { ...flappingDefaults, mode: 'off', ...channel.flapping },
    ...(afterMs !== undefined &&
      afterMs > 0 && { autoResolve: { afterMs, from: channel.auto_resolve?.from ?? 'trigger' } }),
    drop: compileDropRules(channel.drop ?? []),
    silences: compileSilences(channel.silences ?? []),
    inhibitions: compileInhibitions(channel.inhibitions ?? []),
  };
}

/**
 * The problems of an integration's routing and rules the schema cannot see: its channel and the channels of its
 * routes exist, filter values, regexes, mapping tables.
 */
export function validateIntegrationRules(
  integration: IntegrationConfig,
  path: string,
  channelIds: ReadonlySet<string>,
): ProblemList {
  const problems: ProblemList = [];
  if (integration.channel !== undefined && !channelIds.has(integration.channel))
    problems.push(
      problemAt(
        `${path}.channel`,
        `no channel with id ${JSON.stringify(integration.channel)}`,
        closestName(integration.channel, [...channelIds]),
      ),
    );
  if (integration.routes)
    problems.push(
      ...validateRouting(
        { routes: integration.routes, default_channels: integration.default_channels },
        path,
        channelIds,
      ),
    );
  (integration.enrich ?? []).forEach((rule, i) => problems.push(...validateEnrichRule(rule, `${path}.enrich[${i}]`)));
  (integration.pipeline ?? []).forEach((rule, i) =>
    problems.push(...validatePipelineRule(rule, `${path}.pipeline[${i}]`)),
  );
  return problems;
}

/** Reads mapping tables given as CSV files (relative to the configuration file) into the rules. */
export function loadMappingTables(
  rules: EnrichRule[],
  baseDir: string,
  path: string,
): { rules: EnrichRule[]; problems: ProblemList } {
  const problems: ProblemList = [];
  const loaded = rules.map((rule, i) => {
    if (!rule.map?.file || rule.map.table !== undefined) return rule;
    const file = isAbsolute(rule.map.file) ? rule.map.file : join(baseDir, rule.map.file);
    try {
      return { ...rule, map: { ...rule.map, table: parseCsv(readFileSync(file, 'utf8')) } };
    } catch (error) {
      problems.push(problemAt(`${path}[${i}].map.file`, `cannot read ${file} (${(error as Error).message})`));
      return rule;
    }
  });
  return { rules: loaded, problems };
}

/** The compiled routing and rules of an integration (after validateIntegrationRules found nothing). */
export function compileIntegrationRules(
  integration: IntegrationConfig,
): Pick<Integration, 'routing' | 'enrich' | 'pipeline'> {
  return {
    ...(integration.routes && {
      routing: compileRouting({ routes: integration.routes, default_channels: integration.default_channels }),
    }),
    enrich: compileEnrichRules(integration.enrich ?? []),
    pipeline: compilePipeline(integration.pipeline ?? []),
  };
}
