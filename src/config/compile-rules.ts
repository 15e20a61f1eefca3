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
import { validateStormThresholds } from '../rules/storm.js';
import type { EnrichRule } from '../rules/types.js';
import { parseCsv } from './csv.js';
import type { ChannelConfig, ChannelRules, Integration, IntegrationConfig } from './types.js';

/** Every problem of a channel's rules, as `path: message`. */
export function validateChannelRules(channel: ChannelConfig, path: string): string[] {
  return [
    ...(channel.grouping ? validateGrouping(channel.grouping, `${path}.grouping`) : []),
    ...validateStormThresholds(channel.storm_thresholds ?? [], `${path}.storm_thresholds`),
    ...(channel.drop ?? []).flatMap((rule, i) => validateDropRule(rule, `${path}.drop[${i}]`)),
    ...(channel.silences ?? []).flatMap((rule, i) => validateSilence(rule, `${path}.silences[${i}]`)),
    ...(channel.inhibitions ?? []).flatMap((rule, i) => validateInhibition(rule, `${path}.inhibitions[${i}]`)),
    ...(channel.auto_resolve && parseDuration(channel.auto_resolve.after) === undefined
      ? [`${path}.auto_resolve.after: not a duration such as 24h`]
      : []),
  ];
}

/** A channel's rules, compiled once (call after validateChannelRules found nothing). */
export function compileChannelRules(channel: ChannelConfig, path: string): ChannelRules {
  const grouping =
    channel.grouping && channel.grouping.method !== 'none'
      ? compileGrouping(channel.grouping, `${path}.grouping`)
      : undefined;
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
    drop: compileDropRules(channel.drop ?? [], `${path}.drop`),
    silences: compileSilences(channel.silences ?? [], `${path}.silences`),
    inhibitions: compileInhibitions(channel.inhibitions ?? [], `${path}.inhibitions`),
  };
}

/** Every problem of an integration's routing and rules, as `path: message`. */
export function validateIntegrationRules(
  integration: IntegrationConfig,
  path: string,
  channelIds: ReadonlySet<string>,
): string[] {
  const problems: string[] = [];
  if (integration.channel === undefined && integration.routes === undefined)
    problems.push(`${path}: needs channel (dedicated) or routes (shared)`);
  if (integration.channel !== undefined && integration.routes !== undefined)
    problems.push(`${path}: channel and routes exclude each other`);
  if (integration.channel !== undefined && !channelIds.has(integration.channel))
    problems.push(`${path}.channel: no channel with id ${JSON.stringify(integration.channel)}`);
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
): { rules: EnrichRule[]; problems: string[] } {
  const problems: string[] = [];
  const loaded = rules.map((rule, i) => {
    if (!rule.map?.file || rule.map.table !== undefined) return rule;
    const file = isAbsolute(rule.map.file) ? rule.map.file : join(baseDir, rule.map.file);
    try {
      return { ...rule, map: { ...rule.map, table: parseCsv(readFileSync(file, 'utf8')) } };
    } catch (error) {
      problems.push(`${path}[${i}].map.file: cannot read ${file} (${(error as Error).message})`);
      return rule;
    }
  });
  return { rules: loaded, problems };
}

/** The compiled routing and rules of an integration. */
export function compileIntegrationRules(
  integration: IntegrationConfig,
  path: string,
): Pick<Integration, 'routing' | 'enrich' | 'pipeline'> {
  return {
    ...(integration.routes && {
      routing: compileRouting({ routes: integration.routes, default_channels: integration.default_channels }, path),
    }),
    enrich: compileEnrichRules(integration.enrich ?? [], `${path}.enrich`),
    pipeline: compilePipeline(integration.pipeline ?? [], `${path}.pipeline`),
  };
}
