import { randomBytes } from 'node:crypto';
import { readMaxJsonDepth } from './json-depth.js';

/** Process settings from the environment (contract §1), with their defaults. */
export interface Settings {
  port: number;
  host: string;
  redisUrl: string;
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
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got ${JSON.stringify(raw)}`);
  return value;
}

export function readSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const port = integer(env, 'PORT', 8080);
  const adminToken = env.ADMIN_TOKEN && env.ADMIN_TOKEN !== '' ? env.ADMIN_TOKEN : randomBytes(18).toString('base64url');
  const metricsPort = env.METRICS_PORT ? integer(env, 'METRICS_PORT', 0) : undefined;
  return {
    port,
    host: env.HOST ?? '0.0.0.0',
    redisUrl: env.REDIS_URL ?? 'redis://127.0.0.1:6379',
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
  };
}
