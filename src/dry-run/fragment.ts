import { buildConfig, ConfigError } from '../config/load-config.js';
import { joinPath } from '../config/schema-problems.js';
import type { Channel, Config, Integration } from '../config/types.js';
import { invalidParameter, problemsParameter } from '../errors.js';

/** How a fragment is read: environment for `${VAR}` and the adapters its integrations may name. */
export interface FragmentOptions {
  /** `${VAR}` substitution; default none, so a fragment sent to the API cannot read the server's environment. */
  env?: NodeJS.ProcessEnv;
  knownAdapters?: ReadonlySet<string>;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Problems a fragment has before validation proper: fields other than channels and integrations, and mapping
 * tables read from files (a fragment may come through the API: it never makes the server read its files).
 */
function fragmentShapeProblems(fragment: Record<string, unknown>): string[] {
  const problems = Object.keys(fragment)
    .filter((key) => key !== 'channels' && key !== 'integrations')
    .map((key) => `config.${key}: a dry run takes channels and integrations only`);
  if (!Array.isArray(fragment.integrations)) return problems;
  fragment.integrations.forEach((integration: unknown, i) => {
    const enrich = isObject(integration) && Array.isArray(integration.enrich) ? (integration.enrich as unknown[]) : [];
    enrich.forEach((rule, j) => {
      if (isObject(rule) && isObject(rule.map) && rule.map.file !== undefined)
        problems.push(`config.integrations[${i}].enrich[${j}].map.file: give the mapping table inline (map.table)`);
    });
  });
  return problems;
}

function replaceById<T extends { id: string }>(base: readonly T[], replacements: readonly T[]): T[] {
  const byId = new Map(replacements.map((item) => [item.id, item]));
  const kept = base.map((item) => byId.get(item.id) ?? item);
  const added = replacements.filter((item) => !base.some((existing) => existing.id === item.id));
  return [...kept, ...added];
}

/**
 * Applies a configuration fragment (channels and/or integrations, as in alertgate.yaml) over a configuration:
 * a channel or integration with a known id replaces it, a new one is added. The fragment is validated like
 * alertgate.yaml, with the configuration's channels in scope; problems are InvalidParameter naming `config.<path>`.
 */
export function applyConfigFragment(base: Config, fragment: unknown, options: FragmentOptions = {}): Config {
  if (!isObject(fragment)) throw invalidParameter('config: must be an object with channels and/or integrations');
  const shapeProblems = fragmentShapeProblems(fragment);
  if (shapeProblems.length > 0) throw invalidParameter(shapeProblems.join('; '));
  const channels = Array.isArray(fragment.channels) ? (fragment.channels as unknown[]) : [];
  const ownIds = new Set(channels.map((channel) => (isObject(channel) ? channel.id : undefined)));
  // Channels of the configuration the fragment leaves alone are in scope for its integrations; they come after the
  // fragment's own, so problem paths still point into the fragment.
  const inScope = base.channels.filter((channel) => !ownIds.has(channel.id)).map((channel) => ({ id: channel.id }));
  // Email integrations of the fragment take the running smtp section (a fragment has none of its own).
  const smtp = base.smtp && { listen: base.smtp.port, domain: base.smtp.domain };
  const document = { ...fragment, channels: [...channels, ...inScope], ...(smtp && { smtp }) };
  let built: Config;
  try {
    built = buildConfig(document, 'dry-run config', options.env ?? {}, options.knownAdapters);
  } catch (error) {
    if (error instanceof ConfigError)
      throw problemsParameter(
        error.list.map((problem) => ({ ...problem, path: joinPath('config', problem.path) })),
        'config',
      );
    throw error;
  }
  const fragmentChannels: Channel[] = built.channels.filter((channel) => ownIds.has(channel.id));
  const fragmentIntegrations: Integration[] = built.integrations;
  return {
    ...base,
    source: `${base.source} + dry-run config`,
    channels: replaceById(base.channels, fragmentChannels),
    integrations: replaceById(base.integrations, fragmentIntegrations),
  };
}
