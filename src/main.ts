import { createServer, type Server } from 'node:http';
import { availableParallelism } from 'node:os';
import { startMappingPool, type MappingPool } from './adapters/mapping-pool.js';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { parseConfigText, readConfigText, resolveConfigPath } from './config/load-config.js';
import { createReloader, type LoadedConfig } from './config/reloader.js';
import { watchConfigFile } from './config/watch-config.js';
import type { Config } from './config/types.js';
import { createApp } from './http/app.js';
import { applyServerLimits, readServerLimits } from './http/server-limits.js';
import { logAdapterStartup, processAdapters } from './adapters/startup.js';
import { createIngestQueue, IngestProducer, type IngestJobData } from './queue/ingest-queue.js';
import { assertRedisReachable, createProducerConnection, type RedisSettings } from './queue/redis.js';
import { createLogger, type Logger } from './observability/logger.js';
import { createMetrics, type Metrics, type MetricsJson } from './observability/metrics.js';
import { readSettings, type Settings } from './settings.js';
import { prepareStore, StoreReadiness } from './store/availability.js';
import { openDatabase, type StoreDatabase } from './store/database.js';
import { lockSqliteWorker, type WorkerLock } from './store/sqlite-worker-lock.js';
import { createWorker, type RunningWorker } from './worker/worker.js';
import { startWorkerThread } from './worker/thread-host.js';

export interface Roles {
  gateway: boolean;
  worker: boolean;
}

/** The adapters the registry loaded: integrations may name them (a broken adapter stops start-up, see processAdapters). */
export function knownAdapterNames(): Set<string> {
  return new Set(processAdapters().names());
}

/**
 * Reads the configuration the way every role does (ALERTGATE_CONFIG, ./alertgate.yaml, or the example); given
 * `text`, validates that text as the file's content instead of reading the file.
 */
export function readConfig(env: NodeJS.ProcessEnv = process.env, text?: string): LoadedConfig & { isExample: boolean } {
  const { path, isExample } = resolveConfigPath(env);
  const source = text ?? readConfigText(path);
  return { config: parseConfigText(source, path, env, knownAdapterNames()), text: source, isExample };
}

function banner(settings: Settings, config: Config, isExample: boolean, roles: Roles): string {
  const lines = [`alertgate ${roles.gateway ? `listening on ${settings.publicUrl}` : 'worker'} (config: ${isExample ? 'bundled example' : config.source})`];
  if (roles.gateway) {
    if (isExample) lines.push('Demo integrations of the example config (copy config/alertgate.example.yaml to alertgate.yaml to change them):');
    for (const integration of config.integrations) {
      lines.push(`  ${integration.id} (${integration.adapter}): POST ${settings.publicUrl}/event/push/alert/${integration.adapter}?integration_key=${integration.key}`);
    }
    lines.push(`Management API: ${settings.publicUrl}/api/v1 with Authorization: Bearer ${settings.adminTokenGenerated ? `${settings.adminToken}  (generated; set ADMIN_TOKEN to choose one)` : '<ADMIN_TOKEN>'}`);
  }
  return lines.join('\n');
}

interface Running {
  server?: Server;
  mappingPool?: MappingPool;
  worker?: RunningWorker;
  queue?: Queue<IngestJobData>;
  redis?: Redis;
  store: StoreDatabase;
  metricsServer?: Server;
  workerLock?: WorkerLock;
}

function serveWorkerMetrics(port: number, metrics: Metrics): Server {
  const server = createServer((req, res) => {
    if (req.url === '/metrics') {
      void metrics.registry.metrics().then((body) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(body));
    } else if (req.url === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    } else res.writeHead(404).end();
  });
  return server.listen(port);
}

async function shutdown(running: Running, logger: Logger): Promise<void> {
  logger.debug('stopping roles');
  const closing: Promise<unknown>[] = [];
  if (running.server) {
    const server = running.server;
    closing.push(new Promise((resolve) => server.close(resolve)));
    server.closeIdleConnections();
  }
  if (running.worker) closing.push(running.worker.close());
  await Promise.all(closing);
  await running.queue?.close();
  await running.mappingPool?.close();
  running.redis?.disconnect();
  running.metricsServer?.close();
  await running.store.close();
  running.workerLock?.release();
}

/** A running set of roles in this thread. */
export interface RunningRoles {
  /** Stop accepting, drain requests, finish or release in-flight jobs, close connections. */
  stop(): Promise<void>;
  /**
   * Re-read the configuration (or take `text` as the file's content); an invalid one is refused and the old one
   * stays. Returns the text applied, undefined when refused.
   */
  reload(text?: string): string | undefined;
  /** This thread's metrics as prom-client JSON. */
  metricsJson(): Promise<MetricsJson>;
  /** What to print once everything runs (URLs, demo keys); printed last, so "listening" means ready for changes. */
  banner: string;
}

export interface StartOptions {
  /** Extra metrics text appended to /metrics (the worker thread's, in `start`). */
  extraMetrics?: () => Promise<MetricsJson>;
}

interface GatewayParts {
  env: NodeJS.ProcessEnv;
  storeReadiness: StoreReadiness;
  settings: Settings;
  config: Config;
  store: StoreDatabase;
  logger: Logger;
  metrics: Metrics;
  running: Running;
  options: StartOptions;
}

/**
 * Threads that evaluate adapter mappings (MAPPING_THREADS; 0 = inline). Default: one per core when there are several,
 * since the main thread needs little CPU per alert and JSONata needs much.
 */
function mappingThreadCount(env: NodeJS.ProcessEnv): number {
  if (env.MAPPING_THREADS !== undefined && env.MAPPING_THREADS !== '') return Math.max(0, Math.floor(Number(env.MAPPING_THREADS)) || 0);
  const cores = availableParallelism();
  return cores > 1 ? cores : 0;
}

/** Listens on PORT/HOST; a port already taken is a one-line start-up error, never a silent non-listening gateway. */
function listen(app: ReturnType<typeof createApp>['app'], settings: Settings): Promise<Server> {
  return new Promise<Server>((resolve, reject) => {
    const server = createServer(app);
    server.once('error', (error: NodeJS.ErrnoException) => {
      const where = `${settings.host}:${settings.port}`;
      if (error.code === 'EADDRINUSE') reject(new Error(`port ${settings.port} is already in use (${where}); stop the other process or set PORT`));
      else if (error.code === 'EACCES') reject(new Error(`no permission to listen on ${where}; choose another PORT`));
      else reject(error);
    });
    server.listen(settings.port, settings.host, () => resolve(server));
  });
}

/** Starts the gateway role (recorded in `running` for shutdown); returns how to hand it a new configuration. */
async function startGateway({ env, storeReadiness, settings, config, store, logger, metrics, running, options }: GatewayParts): Promise<(config: Config) => void> {
  const redis = createProducerConnection({ url: settings.redisUrl, prefix: settings.redisPrefix });
  redis.on('error', (error: Error) => logger.warn({ err: error.message }, 'gateway redis connection error'));
  await redis.connect();
  const queue = createIngestQueue(redis, settings.redisPrefix);
  const adapters = processAdapters(env);
  logAdapterStartup(logger, adapters, config);
  const mappingThreads = mappingThreadCount(env);
  if (mappingThreads > 0 && adapters.names().length > 0) {
    running.mappingPool = await startMappingPool(mappingThreads, { skipBroken: env.ALERTGATE_SKIP_BROKEN_ADAPTERS === '1' });
    adapters.evaluateOn(running.mappingPool);
  }
  const gateway = createApp({ config, store, redis, redisPrefix: settings.redisPrefix, queue, producer: new IngestProducer(queue, redis), logger, metrics, adminToken: settings.adminToken, publicUrl: settings.publicUrl, adapters, storeReadiness, ...(options.extraMetrics && { extraMetrics: options.extraMetrics }) });
  running.redis = redis;
  running.queue = queue;
  running.server = await listen(gateway.app, settings);
  applyServerLimits(running.server, readServerLimits(env));
  return (next) => gateway.setConfig(next);
}

/** Starts the requested roles in this thread. */
export async function startRoles(roles: Roles, env: NodeJS.ProcessEnv, options: StartOptions = {}): Promise<RunningRoles> {
  const logger = createLogger(env.LOG_LEVEL);
  const settings = readSettings(env);
  const { config, isExample } = readConfig(env);
  const redisSettings: RedisSettings = { url: settings.redisUrl, prefix: settings.redisPrefix };
  await assertRedisReachable(redisSettings);
  const store = openDatabase(settings.databaseUrl, settings.databaseSchema);
  const storeReadiness = new StoreReadiness();
  const metrics = createMetrics({ defaultMetrics: roles.gateway || settings.metricsPort !== undefined });
  const running: Running = { store };
  const appliers: Array<(config: Config) => void> = [];

  try {
    if (roles.worker && store.sqliteFile !== undefined) running.workerLock = lockSqliteWorker(store.sqliteFile);
    // The gateway listens first: pushes need only Redis, and /readyz says why the database is not ready yet.
    if (roles.gateway) appliers.push(await startGateway({ env, storeReadiness, settings, config, store, logger, metrics, running, options }));
    await prepareStore(store, { logger, readiness: storeReadiness });
  } catch (error) {
    await shutdown(running, logger).catch(() => undefined);
    throw error;
  }
  if (roles.worker) {
    const worker = createWorker({ config, store, redis: redisSettings, logger, metrics, concurrency: settings.workerConcurrency, lockDuration: settings.workerLockMs, stalledInterval: settings.workerLockMs });
    running.worker = worker;
    appliers.push((next) => worker.setConfig(next));
    if (!roles.gateway && settings.metricsPort !== undefined) running.metricsServer = serveWorkerMetrics(settings.metricsPort, metrics);
  }
  return {
    banner: banner(settings, config, isExample, roles),
    stop: () => shutdown(running, logger),
    reload: createReloader({
      logger,
      role: [roles.gateway && 'gateway', roles.worker && 'worker'].filter(Boolean).join('+'),
      initial: config,
      load: (text) => readConfig(env, text),
      apply: (next) => appliers.forEach((apply) => apply(next)),
    }),
    metricsJson: () => metrics.registry.getMetricsAsJSON(),
  };
}

/** `start`: the gateway on the main thread and the worker on a worker thread, so both cores work. */
async function startBoth(env: NodeJS.ProcessEnv): Promise<RunningRoles> {
  if (env.ALERTGATE_SINGLE_THREAD === '1') return startRoles({ gateway: true, worker: true }, env);
  // The gateway first: a port already in use stops start-up before any worker takes jobs. Its metrics include the
  // thread's once the thread runs.
  let threadMetrics: (() => Promise<MetricsJson>) | undefined;
  const gateway = await startRoles({ gateway: true, worker: false }, env, { extraMetrics: () => threadMetrics?.() ?? Promise.resolve([]) });
  let thread: Awaited<ReturnType<typeof startWorkerThread>>;
  try {
    thread = await startWorkerThread(env, (error) => {
      // Exit so a supervisor restarts the whole process; the queue keeps what the gateway accepted.
      createLogger(env.LOG_LEVEL).fatal({ err: error.message }, 'the worker thread died; stopping');
      process.exit(1);
    });
  } catch (error) {
    await gateway.stop();
    throw error;
  }
  threadMetrics = thread.metricsJson;
  const worker = thread;
  return {
    stop: async () => {
      await Promise.all([gateway.stop(), worker.stop()]);
    },
    // Read and checked once here, then the same text goes to the worker thread: both apply the same file.
    reload: (text) => {
      const applied = gateway.reload(text);
      if (applied !== undefined) worker.reload(applied);
      return applied;
    },
    metricsJson: gateway.metricsJson,
    banner: gateway.banner,
  };
}

/**
 * Runs roles until SIGTERM/SIGINT (drain, then exit 0). SIGHUP reloads the configuration, and so does a change of
 * the configuration file (not of the bundled example).
 */
export async function runAlertgate(roles: Roles, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const running = roles.gateway && roles.worker ? await startBoth(env) : await startRoles(roles, env);
  const logger = createLogger(env.LOG_LEVEL);
  const { path, isExample } = resolveConfigPath(env);
  const onWatchError = (error: Error) => logger.warn({ err: error.message, path }, 'cannot watch the configuration file; SIGHUP still reloads it');
  const watcher = isExample ? undefined : watchConfigFile(path, (text) => running.reload(text), { onError: onWatchError });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    watcher?.close();
    logger.info({ signal }, 'shutting down: no new requests, finishing in-flight requests and jobs');
    running.stop().then(
      () => process.exit(0),
      (error: Error) => {
        logger.error({ err: error.message }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGHUP', () => running.reload());
  process.stdout.write(running.banner + '\n');
}
