import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { dirname } from 'node:path';
import { packageRoot } from '../paths.js';
import {
  compileChannelRules,
  compileIntegrationRules,
  loadMappingTables,
  validateChannelRules,
  validateIntegrationRules,
} from './compile-rules.js';
import type { Config, ConfigFile, EventTimeConfig, RateLimitConfig } from './types.js';
import { defaultEventTimeBounds, type EventTimeBounds } from '../events/event-time.js';
import { parseDuration } from '../rules/duration.js';
import { retentionSettings } from './retention.js';
import type { Environment } from './settings.js';
import { compileWebhook, validateWebhooks } from '../notify/receivers.js';
import { validateConfigFile } from '../schemas.js';
import { jiraStatusMap } from '../changes/jira.js';
import { isChangeAdapter } from '../changes/types.js';
import { compileHeartbeats, validateHeartbeats } from '../heartbeats/config.js';
import { compileEmailSettings, compileSmtpSettings, emailProblems } from '../email/settings.js';
import { problemAt, ProblemError, type ProblemList } from '../problems.js';
import { schemaProblems } from './schema-problems.js';
import { locateProblem } from './yaml-positions.js';

/** The example configuration used when no alertgate.yaml exists; it has a demo integration. */
export const exampleConfigPath = join(packageRoot, 'config', 'alertgate.example.yaml');

/** A configuration refused: every problem of it, printed `file:line:col: path: message` where that is known. */
export class ConfigError extends ProblemError {
  constructor(source: string, problems: ProblemList) {
    super(`invalid configuration ${source}`, problems);
    this.name = 'ConfigError';
  }
}

/** Replaces `${ENV_VAR}` in every string; a variable that is not set is a problem, not an empty secret. */
function substituteEnv(value: unknown, env: Environment, path: string, problems: ProblemList): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_match, name: string) => {
      const found = env[name];
      if (found === undefined) problems.push(problemAt(path, `environment variable ${name} is not set`));
      return found ?? '';
    });
  }
  if (Array.isArray(value)) return value.map((item, i) => substituteEnv(item, env, `${path}[${i}]`, problems));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [
        key,
        substituteEnv(item, env, path ? `${path}.${key}` : key, problems),
      ]),
    );
  }
  return value;
}

/** A size as configured (`1mb`, `512kb`, bytes); undefined: 1 MB. */
export function parseSize(value: number | string | undefined): number {
  if (value === undefined) return 1024 * 1024;
  if (typeof value === 'number') return value;
  const match = /^(\d+)(b|kb|mb)?$/.exec(value);
  const units: Record<string, number> = { b: 1, kb: 1024, mb: 1024 * 1024 };
  return match ? Number(match[1]) * units[match[2] ?? 'b'] : NaN;
}

/** The optional alerts/s and bytes/s budgets of an integration (its own, else the defaults'). */
function payloadBudgets(rate: RateLimitConfig): { alertsPerSecond?: number; bytesPerSecond?: number } {
  return {
    ...(rate.alerts_per_second !== undefined && { alertsPerSecond: rate.alerts_per_second }),
    ...(rate.bytes_per_second !== undefined && { bytesPerSecond: parseSize(rate.bytes_per_second) }),
  };
}

/** `path: message` lines of a check that words its problems so, as problems. */
const fromLines = (lines: readonly string[]): ProblemList =>
  lines.map((line) => {
    const separator = line.indexOf(': ');
    return separator < 0 ? problemAt('', line) : problemAt(line.slice(0, separator), line.slice(separator + 2));
  });

/**
 * What the schema cannot check of a configuration whose shape it has passed: unique ids and keys, references
 * between sections (channels, integrations, adapters), and each rule's own checks (filter values, regexes, time
 * zones, instants, templates).
 */
function semanticProblems(file: ConfigFile, knownAdapters: ReadonlySet<string> | undefined): ProblemList {
  const problems: ProblemList = [];
  const channelIds = new Set<string>();
  (file.channels ?? []).forEach((channel, i) => {
    if (channelIds.has(channel.id))
      problems.push(problemAt(`channels[${i}].id`, `duplicate channel id ${JSON.stringify(channel.id)}`));
    channelIds.add(channel.id);
    problems.push(...validateChannelRules(channel, `channels[${i}]`));
  });
  const ids = new Set<string>();
  const keys = new Set<string>();
  (file.integrations ?? []).forEach((integration, i) => {
    const path = `integrations[${i}]`;
    if (ids.has(integration.id))
      problems.push(problemAt(`${path}.id`, `duplicate integration id ${JSON.stringify(integration.id)}`));
    if (integration.key !== undefined && keys.has(integration.key))
      problems.push(problemAt(`${path}.key`, 'the same key is used by another integration'));
    ids.add(integration.id);
    if (integration.key !== undefined) keys.add(integration.key);
    problems.push(...validateIntegrationRules(integration, path, channelIds));
    const builtIn =
      integration.adapter === 'standard' || integration.adapter === 'email' || isChangeAdapter(integration.adapter);
    if (knownAdapters && !builtIn && !knownAdapters.has(integration.adapter)) {
      problems.push(
        problemAt(
          `${path}.adapter`,
          `unknown adapter ${JSON.stringify(integration.adapter)} (standard or one of: ${[...knownAdapters].sort().join(', ')}; a folder added to the adapters folder is loaded by the next reload, no restart needed)`,
        ),
      );
    }
  });
  problems.push(...validateHeartbeats(file));
  problems.push(...emailProblems(file.integrations ?? [], file.smtp));
  problems.push(...fromLines(validateWebhooks(file.webhooks ?? [], channelIds)));
  return problems;
}

/** `defaults.event_time` with its defaults applied (the schema has checked both are durations). */
function eventTimeBounds(settings: EventTimeConfig | undefined): EventTimeBounds {
  return {
    maxAgeMs: parseDuration(settings?.max_age ?? '') ?? defaultEventTimeBounds.maxAgeMs,
    maxSkewMs: parseDuration(settings?.max_skew ?? '') ?? defaultEventTimeBounds.maxSkewMs,
  };
}

/**
 * Validates a parsed configuration document and applies defaults. Throws ConfigError listing every problem: those of
 * its shape (the schema), else those only code can see; the rules are compiled without checking again.
 */
export function buildConfig(
  document: unknown,
  source: string,
  env: Environment,
  knownAdapters?: ReadonlySet<string>,
  baseDir = '.',
): Config {
  const problems: ProblemList = [];
  const substituted = substituteEnv(document ?? {}, env, '', problems);
  // A field whose variable is missing has one problem, not also the empty value's schema errors.
  const missingPaths = new Set(problems.map((problem) => problem.path));
  if (!validateConfigFile(substituted))
    problems.push(...schemaProblems(validateConfigFile.errors).filter((problem) => !missingPaths.has(problem.path)));
  if (problems.length > 0) throw new ConfigError(source, problems);
  const file = substituted as ConfigFile;
  for (const [i, integration] of (file.integrations ?? []).entries()) {
    if (!integration.enrich) continue;
    const tables = loadMappingTables(integration.enrich, baseDir, `integrations[${i}].enrich`);
    integration.enrich = tables.rules;
    problems.push(...tables.problems);
  }
  problems.push(...semanticProblems(file, knownAdapters));
  if (problems.length > 0) throw new ConfigError(source, problems);
  const defaultRate = file.defaults?.rate_limit ?? {};
  return {
    source,
    payloadLimitBytes: parseSize(file.defaults?.payload_limit),
    eventTime: eventTimeBounds(file.defaults?.event_time),
    retention: retentionSettings(file.retention, parseSize),
    console: file.console ?? true,
    channels: (file.channels ?? []).map((channel, i) => ({
      id: channel.id,
      name: channel.name ?? channel.id,
      description: channel.description ?? '',
      autoClose: channel.auto_close ?? true,
      rules: compileChannelRules(channel),
      ...(channel.notify?.repeat_interval !== undefined && {
        repeatIntervalMs: parseDuration(channel.notify.repeat_interval),
      }),
      settings: channel,
    })),
    webhooks: (file.webhooks ?? []).map(compileWebhook),
    integrations: (file.integrations ?? []).map((integration, i) => ({
      id: integration.id,
      name: integration.name ?? integration.id,
      adapter: integration.adapter,
      // An email integration needs no key: its mail is authenticated by address; '' is no push key.
      key: integration.key ?? '',
      channelId: integration.channel ?? null,
      ...compileIntegrationRules(integration),
      enabled: integration.enabled ?? true,
      ...(integration.secret !== undefined && { secret: integration.secret }),
      rateLimit: {
        perSecond: integration.rate_limit?.per_second ?? defaultRate.per_second ?? 100,
        perMinute: integration.rate_limit?.per_minute ?? defaultRate.per_minute ?? 1000,
        ...payloadBudgets({ ...defaultRate, ...integration.rate_limit }),
      },
      ...(integration.auto_resolve !== undefined && {
        autoResolveIdleMs:
          integration.auto_resolve === false ? false : (parseDuration(integration.auto_resolve.after) ?? false),
      }),
      ...(integration.adapter === 'change-jira' && { changeStatusMap: jiraStatusMap(integration.jira?.status_map) }),
      ...(integration.email && { email: compileEmailSettings(integration.email) }),
    })),
    heartbeats: compileHeartbeats(file),
    changeCorrelationWindowMs: parseDuration(file.changes?.correlation_window ?? '2h') ?? 7_200_000,
    ...(file.smtp && { smtp: compileSmtpSettings(file.smtp, parseSize) }),
  };
}

/** Reads a configuration file's text; an unreadable file is a ConfigError. */
export function readConfigText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(path, [problemAt('(file)', (error as Error).message.split('\n')[0])]);
  }
}

/** Validates the YAML text of the configuration file at `path` (mapping tables are read next to it). */
export function parseConfigText(
  text: string,
  path: string,
  env: Environment,
  knownAdapters?: ReadonlySet<string>,
): Config {
  const lines = new LineCounter();
  const document = parseDocument(text, { lineCounter: lines });
  if (document.errors.length > 0) {
    throw new ConfigError(
      path,
      document.errors.map((error) => {
        const at = error.linePos?.[0];
        const message = error.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
        return { ...problemAt('(file)', message), location: { file: path, ...(at && { line: at.line, col: at.col }) } };
      }),
    );
  }
  try {
    return buildConfig(document.toJS(), path, env, knownAdapters, dirname(path));
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    // Every problem named where it is written: file:line:col, as editors and CI annotations read it.
    throw new ConfigError(
      path,
      error.list.map((problem) => locateProblem(problem, path, document, lines)),
    );
  }
}

/** Reads and validates a YAML configuration file. */
export function loadConfigFile(path: string, env: Environment, knownAdapters?: ReadonlySet<string>): Config {
  return parseConfigText(readConfigText(path), path, env, knownAdapters);
}

/** A configuration read and validated, with the text it came from. */
export interface LoadedConfig {
  config: Config;
  text: string;
  /** Whether it is the bundled example (no ALERTGATE_CONFIG, no ./alertgate.yaml). */
  isExample: boolean;
}

/**
 * Reads the configuration the way every role does (ALERTGATE_CONFIG, ./alertgate.yaml, or the example); given
 * `text`, validates that text as the file's content instead of reading the file.
 */
export function readConfig(
  configFile: string | undefined,
  env: Environment,
  knownAdapters: ReadonlySet<string>,
  text?: string,
): LoadedConfig {
  const { path, isExample } = resolveConfigPath(configFile);
  const source = text ?? readConfigText(path);
  return { config: parseConfigText(source, path, env, knownAdapters), text: source, isExample };
}

/** The configuration file asked for (ALERTGATE_CONFIG), else ./alertgate.yaml, else the bundled example. */
export function resolveConfigPath(configFile: string | undefined): { path: string; isExample: boolean } {
  const wanted = configFile ?? 'alertgate.yaml';
  if (existsSync(wanted)) return { path: wanted, isExample: false };
  if (configFile !== undefined) throw new ConfigError(wanted, [problemAt('(file)', 'not found')]);
  return { path: exampleConfigPath, isExample: true };
}
