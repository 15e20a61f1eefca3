import { randomBytes } from 'node:crypto';
import { delimiter } from 'node:path';
import { defaultMaxJsonDepth, readMaxJsonDepth } from '../json-depth.js';
import { adaptersDir } from '../paths.js';

/** The process environment as alertgate reads it: names to values, nothing else. */
export type Environment = Readonly<Record<string, string | undefined>>;

/**
 * Process settings from the environment (contract §1), with their defaults. The one place that reads the
 * environment: everything else is handed these values. Plain data, so a worker thread receives it as workerData.
 */
export interface Settings {
  port: number;
  /** HOST; unset, the gateway binds to 127.0.0.1 with the bundled example config and to 0.0.0.0 otherwise. */
  host: string | undefined;
  /** REDIS_URL; unset, alertgate uses Redis at `localRedis` (or starts a private one there, see `alertgate start`). */
  redisUrl: string | undefined;
  /** Where alertgate looks for Redis when REDIS_URL is not set (ALERTGATE_LOCAL_REDIS, default 127.0.0.1:6379). */
  localRedis: { host: string; port: number };
  redisPrefix: string;
  databaseUrl: string;
  /** PostgreSQL schema to use (search_path); default the server's. */
  databaseSchema: string | undefined;
  adminToken: string;
  adminTokenGenerated: boolean;
  publicUrl: string;
  workerConcurrency: number;
  workerLockMs: number;
  metricsPort: number | undefined;
  /** JSON_MAX_DEPTH, checked at start (the parsers read it themselves, in every thread). */
  jsonMaxDepth: number;
  /** LOG_LEVEL, default info. */
  logLevel: string;
  /** ALERTGATE_CONFIG; unset, ./alertgate.yaml, else the bundled example. */
  configFile: string | undefined;
  /** Threads that evaluate adapter mappings (MAPPING_THREADS; 0 = inline). */
  mappingThreads: number;
  /** ALERTGATE_SINGLE_THREAD=1: `start` runs the worker on the main thread too. */
  singleThread: boolean;
  /** `--skip-broken` or ALERTGATE_SKIP_BROKEN_ADAPTERS=1: a broken adapter is disabled instead of stopping start-up. */
  skipBrokenAdapters: boolean;
  /** ALERTGATE_ADAPTERS_DIR: the adapters folder (default: the package's adapters/). */
  adaptersDir: string;
  /** The folders of PATH, where `alertgate start` looks for a redis-server to run privately. */
  executablePath: string[];
  /** What `${NAME}` in the configuration file and the HTTP_* server limits are read from: the environment itself. */
  environment: Environment;
}

/** Settings a command line option may override. */
export type SettingsOverrides = Partial<Pick<Settings, 'skipBrokenAdapters'>>;

function integer(env: Environment, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0)
    throw new Error(`${name} must be a non-negative integer, got ${JSON.stringify(raw)}`);
  return value;
}

/**
 * MAPPING_THREADS, floored, at least 0. Default: one per core when there are several, since the main thread needs
 * little CPU per alert and JSONata needs much.
 */
function mappingThreads(env: Environment, cores: number): number {
  if (env.MAPPING_THREADS !== undefined && env.MAPPING_THREADS !== '')
    return Math.max(0, Math.floor(Number(env.MAPPING_THREADS)) || 0);
  return cores > 1 ? cores : 0;
}

function localRedis(env: Environment): { host: string; port: number } {
  const raw = env.ALERTGATE_LOCAL_REDIS || '127.0.0.1:6379';
  const match = /^([^:]+):(\d{1,5})$/.exec(raw);
  if (!match || Number(match[2]) > 65535)
    throw new Error(`ALERTGATE_LOCAL_REDIS must be host:port, got ${JSON.stringify(raw)}`);
  return { host: match[1], port: Number(match[2]) };
}

/** The settings of a running alertgate; throws naming the variable when one is not usable. */
export function readSettings(env: Environment, cores: number, overrides: SettingsOverrides = {}): Settings {
  const port = integer(env, 'PORT', 8080);
  const adminToken =
    env.ADMIN_TOKEN && env.ADMIN_TOKEN !== '' ? env.ADMIN_TOKEN : randomBytes(18).toString('base64url');
  const metricsPort = env.METRICS_PORT ? integer(env, 'METRICS_PORT', 0) : undefined;
  return {
    port,
    host: env.HOST || undefined,
    redisUrl: env.REDIS_URL || undefined,
    localRedis: localRedis(env),
    redisPrefix: env.REDIS_PREFIX ?? 'alertgate',
    databaseUrl: env.DATABASE_URL ?? 'sqlite:./data/alertgate.db',
    databaseSchema: env.DATABASE_SCHEMA || undefined,
    adminToken,
    adminTokenGenerated: !env.ADMIN_TOKEN,
    publicUrl: (env.PUBLIC_URL ?? `http://localhost:${port}`).replace(/\/$/, ''),
    workerConcurrency: integer(env, 'WORKER_CONCURRENCY', 64),
    workerLockMs: integer(env, 'WORKER_LOCK_MS', 30_000),
    metricsPort,
    jsonMaxDepth: readMaxJsonDepth(env),
    logLevel: env.LOG_LEVEL || 'info',
    configFile: env.ALERTGATE_CONFIG,
    mappingThreads: mappingThreads(env, cores),
    singleThread: env.ALERTGATE_SINGLE_THREAD === '1',
    skipBrokenAdapters: overrides.skipBrokenAdapters ?? env.ALERTGATE_SKIP_BROKEN_ADAPTERS === '1',
    adaptersDir: env.ALERTGATE_ADAPTERS_DIR || adaptersDir,
    executablePath: (env.PATH ?? '').split(delimiter).filter((folder) => folder !== ''),
    environment: { ...env },
  };
}

/** The settings the offline tools (config check, rules test, adapter test) read: no ports, tokens or connections. */
export interface ToolSettings {
  configFile: string | undefined;
  environment: Environment;
  skipBrokenAdapters: boolean;
  /** UPDATE_FIXTURES=1: `adapter test` rewrites expected files. */
  updateFixtures: boolean;
  /** Where `adapter test --http` queues what its gateway accepts: REDIS_URL, else the local Redis address. */
  redisUrl: string;
  /** JSON_MAX_DEPTH for the payloads the tools parse; an invalid value is the servers' to refuse, here the default. */
  jsonMaxDepth: number;
}

export function readToolSettings(env: Environment): ToolSettings {
  return {
    configFile: env.ALERTGATE_CONFIG,
    environment: { ...env },
    skipBrokenAdapters: env.ALERTGATE_SKIP_BROKEN_ADAPTERS === '1',
    updateFixtures: env.UPDATE_FIXTURES === '1',
    redisUrl: env.REDIS_URL || `redis://${localRedis(env).host}:${localRedis(env).port}`,
    jsonMaxDepth: toolJsonDepth(env),
  };
}

function toolJsonDepth(env: Environment): number {
  try {
    return readMaxJsonDepth(env);
  } catch {
    return defaultMaxJsonDepth;
  }
}
