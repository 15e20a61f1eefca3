import { createServer, type Server } from 'node:http';
import { isMainThread } from 'node:worker_threads';
import { join } from 'node:path';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { startMappingPool, type MappingPool } from './adapters/mapping-pool.js';
import { adapterFolderNames, AdapterRegistry, autoResolveDefaults } from './adapters/registry.js';
import { logAdapterChanges, logAdapterStartup } from './adapters/startup.js';
import { watchAdapters } from './adapters/watch-adapters.js';
import { pushPathOf } from './ingest/push-path.js';
import { readConfig, resolveConfigPath } from './config/load-config.js';
import { createReloader } from './config/reloader.js';
import type { Settings } from './config/settings.js';
import type { Config } from './config/types.js';
import { watchConfigFile } from './config/watch-config.js';
import { Mailboxes } from './email/mailboxes.js';
import { mailboxAddress } from './email/settings.js';
import { startSmtpListener, type SmtpListener } from './email/smtp-listener.js';
import { createApp } from './http/app.js';
import { configureMaxJsonDepth } from './json-depth.js';
import { applyServerLimits, readServerLimits } from './http/server-limits.js';
import { createLogger, type Logger } from './observability/logger.js';
import { AggregatorRegistry } from 'prom-client';
import { createMetrics, type Metrics, type MetricsJson } from './observability/metrics.js';
import { serveWorkerMetrics } from './observability/metrics-server.js';
import { createIngestQueue, IngestProducer, type IngestJobData } from './queue/ingest-queue.js';
import { findExecutable, redisAnswers, startPrivateRedis, type PrivateRedis } from './queue/private-redis.js';
import { assertRedisReachable, createProducerConnection, type RedisSettings } from './queue/redis.js';
import { prepareStore, StoreReadiness } from './store/availability.js';
import { openDatabase, type StoreDatabase } from './store/database.js';
import { startSqliteCheckpointer, type SqliteCheckpointer } from './store/sqlite-checkpoints.js';
import { lockSqliteWorker, type WorkerLock } from './store/sqlite-worker-lock.js';
import { lowerThreadPriority, startWorkerThread, type WorkerThread } from './worker/thread-host.js';
import { createWorker, type RunningWorker } from './worker/worker.js';
import { DeliveryAnnouncer } from './notify/delivery-channel.js';
import { startNotifier, type RunningNotifier } from './notify/notifier.js';

// The composition root: settings and configuration in, every dependency built here and handed to the roles. One
// root logger per thread (built from settings.logLevel by runAlertgate, or by the worker thread), and each part gets
// its child, `role` naming the part: gateway, smtp, worker, notifier, redis.

/** The nice value of a notifier thread: when the CPU is short it gets about a tenth of what the pipeline gets. */
const notifierNice = 10;

/** What a command runs: the gateway, the worker (the pipeline and the sending of its notifications), or both. */
export interface Roles {
  gateway: boolean;
  worker: boolean;
}

/** What one thread runs: the worker's pipeline and its notifier may run on separate threads. */
export interface ThreadRoles extends Roles {
  notifier: boolean;
}

/** REDIS_URL, else the local address alertgate looks for Redis at. */
export function redisUrlOf(settings: Settings): string {
  return settings.redisUrl ?? `redis://${settings.localRedis.host}:${settings.localRedis.port}`;
}

/** HOST, else loopback for the bundled example (its demo keys are public) and every interface for a real config. */
export function bindHost(settings: Settings, isExample: boolean): string {
  return settings.host ?? (isExample ? '127.0.0.1' : '0.0.0.0');
}

/** What `alertgate` prints once running: where to push and how to reach the API, never a secret the operator chose. */
export function banner(settings: Settings, config: Config, isExample: boolean, roles: Roles): string {
  const lines = [
    `alertgate ${roles.gateway ? `listening on ${settings.publicUrl}` : 'worker'} (config: ${isExample ? 'bundled example' : config.source})`,
  ];
  if (roles.gateway) {
    if (isExample)
      lines.push(
        'Demo integrations of the example config (copy config/alertgate.example.yaml to alertgate.yaml to change them):',
      );
    for (const integration of config.integrations) {
      if (integration.email && config.smtp) {
        const address = mailboxAddress(integration.email.prefix, config.smtp.domain);
        lines.push(`  ${integration.id} (email): mail to ${address} (SMTP port ${config.smtp.port})`);
        continue;
      }
      // The example's demo keys are public; a real file's keys are secrets and stay out of logs.
      const key = isExample ? integration.key : `<key of integration ${integration.id}>`;
      lines.push(
        `  ${integration.id} (${integration.adapter}): POST ${settings.publicUrl}${pushPathOf(integration.adapter)}?integration_key=${key}`,
      );
    }
    lines.push(
      `Management API: ${settings.publicUrl}/api/v1 with Authorization: Bearer ${settings.adminTokenGenerated ? `${settings.adminToken}  (generated; set ADMIN_TOKEN to choose one)` : '<ADMIN_TOKEN>'}`,
    );
    if (config.console !== false) lines.push(`Web console: ${settings.publicUrl}/ (sign in with the same token)`);
  }
  return lines.join('\n');
}

interface Running {
  server?: Server;
  smtp?: SmtpListener;
  mappingPool?: MappingPool;
  worker?: RunningWorker;
  notifier?: RunningNotifier;
  announcer?: DeliveryAnnouncer;
  queue?: Queue<IngestJobData>;
  redis?: Redis;
  store: StoreDatabase;
  metricsServer?: Server;
  workerLock?: WorkerLock;
  checkpointer?: SqliteCheckpointer;
}

async function shutdown(running: Running, logger: Logger): Promise<void> {
  logger.debug('stopping roles');
  const closing: Promise<unknown>[] = [];
  if (running.server) {
    const server = running.server;
    closing.push(new Promise((resolve) => server.close(resolve)));
    server.closeIdleConnections();
  }
  if (running.smtp) closing.push(running.smtp.close());
  if (running.worker) closing.push(running.worker.close());
  await Promise.all(closing);
  // After the worker: the deliveries of its last batches still reach the notifier.
  await running.notifier?.close();
  running.announcer?.close();
  await running.queue?.close();
  await running.mappingPool?.close();
  running.redis?.disconnect();
  running.metricsServer?.close();
  await running.checkpointer?.close();
  await running.store.close();
  running.workerLock?.release();
}

/** A running set of roles in this thread. */
export interface RunningRoles {
  /** Stop accepting, drain requests, finish or release in-flight jobs, close connections. */
  stop(): Promise<void>;
  /**
   * Re-read the adapters (gateway) and the configuration (or take `text` as the file's content); an adapter or a
   * configuration that does not load is refused and the running one stays. Resolves to the configuration text
   * applied, undefined when refused.
   */
  reload(text?: string): Promise<string | undefined>;
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
  storeReadiness: StoreReadiness;
  settings: Settings;
  config: Config;
  isExample: boolean;
  adapters: AdapterRegistry;
  store: StoreDatabase;
  logger: Logger;
  smtpLogger: Logger;
  metrics: Metrics;
  running: Running;
  options: StartOptions;
}

/** Listens on PORT/HOST; a port already taken is a one-line start-up error, never a silent non-listening gateway. */
function listen(app: ReturnType<typeof createApp>['app'], port: number, host: string): Promise<Server> {
  return new Promise<Server>((resolve, reject) => {
    const server = createServer(app);
    server.once('error', (error: NodeJS.ErrnoException) => {
      const where = `${host}:${port}`;
      if (error.code === 'EADDRINUSE')
        reject(new Error(`port ${port} is already in use (${where}); stop the other process or set PORT`));
      else if (error.code === 'EACCES') reject(new Error(`no permission to listen on ${where}; choose another PORT`));
      else reject(error);
    });
    server.listen(port, host, () => resolve(server));
  });
}

/** Starts the gateway role (recorded in `running` for shutdown); returns how to hand it a new configuration. */
async function startGateway({
  storeReadiness,
  settings,
  config,
  isExample,
  adapters,
  store,
  logger,
  smtpLogger,
  metrics,
  running,
  options,
}: GatewayParts): Promise<(config: Config) => void> {
  const serverLimits = readServerLimits(settings.environment);
  const redis = createProducerConnection({ url: redisUrlOf(settings), prefix: settings.redisPrefix });
  redis.on('error', (error: Error) => logger.warn({ err: error.message }, 'gateway redis connection error'));
  await redis.connect();
  const queue = createIngestQueue(redis, settings.redisPrefix);
  logAdapterStartup(logger, adapters, config);
  if (settings.mappingThreads > 0 && adapters.names().length > 0) {
    running.mappingPool = await startMappingPool(settings.mappingThreads, {
      skipBroken: settings.skipBrokenAdapters,
      dir: settings.adaptersDir,
      maxJsonDepth: settings.jsonMaxDepth,
    });
    adapters.evaluateOn(running.mappingPool);
  }
  const gateway = createApp({
    config,
    store,
    redis,
    redisPrefix: settings.redisPrefix,
    queue,
    producer: new IngestProducer(queue, redis),
    logger,
    metrics,
    adminToken: settings.adminToken,
    publicUrl: settings.publicUrl,
    adapters,
    storeReadiness,
    ...(options.extraMetrics && { extraMetrics: options.extraMetrics }),
  });
  running.redis = redis;
  running.queue = queue;
  running.server = await listen(gateway.app, settings.port, bindHost(settings, isExample));
  applyServerLimits(running.server, serverLimits);
  // Mail is accepted like a push, through the same ingest service; mailboxes follow reloads, the listener does not.
  const mailboxes = new Mailboxes(config);
  if (config.smtp)
    running.smtp = await startSmtpListener({
      ingest: gateway.ingest,
      mailboxes,
      settings: config.smtp,
      logger: smtpLogger,
    });
  const listenerSettings = JSON.stringify(config.smtp ?? null);
  return (next) => {
    gateway.setConfig(next);
    mailboxes.update(next);
    if (JSON.stringify(next.smtp ?? null) !== listenerSettings)
      logger.warn('the smtp section changed: mailboxes follow it now, the SMTP listener (port, TLS, auth) at restart');
  };
}

/** Prometheus' convention for configuration reloads: the last attempt's outcome, and when the running one loaded. */
function recordReload(metrics: Metrics, successful: boolean): void {
  metrics.configReloadSuccessful.set(successful ? 1 : 0);
  if (successful) metrics.configReloadSuccessTimestamp.set(Date.now() / 1000);
}

/** Starts the requested roles in this thread; `logger` is the thread's root logger. */
export async function startRoles(
  roles: ThreadRoles,
  settings: Settings,
  logger: Logger,
  options: StartOptions = {},
): Promise<RunningRoles> {
  configureMaxJsonDepth(settings.jsonMaxDepth);
  const gatewayLogger = logger.child({ role: 'gateway' });
  // Only the gateway maps payloads; a worker checks the adapter names of a configuration against the folders.
  const adapters = roles.gateway
    ? AdapterRegistry.load({ skipBroken: settings.skipBrokenAdapters, dir: settings.adaptersDir })
    : undefined;
  const knownAdapters = () => new Set(adapters?.names() ?? adapterFolderNames(settings.adaptersDir));
  const load = (text?: string) => readConfig(settings.configFile, settings.environment, knownAdapters(), text);
  const { config, isExample, text: configText } = load();
  const redisSettings: RedisSettings = { url: redisUrlOf(settings), prefix: settings.redisPrefix };
  await assertRedisReachable(redisSettings);
  const store = openDatabase(settings.databaseUrl, settings.databaseSchema);
  const storeReadiness = new StoreReadiness();
  const metrics = createMetrics({ defaultMetrics: roles.gateway || settings.metricsPort !== undefined });
  const running: Running = { store };
  recordReload(metrics, true);
  const appliers: Array<(config: Config) => void> = [];

  try {
    if (roles.worker && store.sqliteFile !== undefined) running.workerLock = lockSqliteWorker(store.sqliteFile);
    // The gateway listens first: pushes need only Redis, and /readyz says why the database is not ready yet.
    if (adapters)
      appliers.push(
        await startGateway({
          storeReadiness,
          settings,
          config,
          isExample,
          adapters,
          store,
          logger: gatewayLogger,
          smtpLogger: logger.child({ role: 'smtp' }),
          metrics,
          running,
          options,
        }),
      );
    await prepareStore(store, { logger, readiness: storeReadiness });
    // The one worker of a SQLite file checkpoints it, off the thread that applies events.
    if (running.workerLock)
      running.checkpointer = await startSqliteCheckpointer(store).catch((error: Error) => {
        logger.warn({ err: error.message }, 'SQLite checkpoints stay on the worker connection');
        return undefined;
      });
  } catch (error) {
    await shutdown(running, logger).catch(() => undefined);
    throw error;
  }
  if (roles.notifier && !roles.worker) {
    // Sending yields the CPU to the pipeline: on a busy host events are stored first and their deliveries follow.
    if (!isMainThread) lowerThreadPriority(notifierNice);
    const notifier = startNotifier({
      config,
      store,
      redis: redisSettings,
      logger: logger.child({ role: 'notifier' }),
      metrics,
      clock: Date.now,
      publicUrl: settings.publicUrl,
      lockDuration: settings.workerLockMs,
      stalledInterval: settings.workerLockMs,
    });
    running.notifier = notifier;
    appliers.push((next) => notifier.setConfig(next));
  }
  if (roles.worker) {
    // Without the notifier in this thread, committed deliveries go to the notifier thread of this process.
    if (!roles.notifier) running.announcer = new DeliveryAnnouncer(settings.redisPrefix);
    const worker = createWorker({
      config,
      store,
      redis: redisSettings,
      logger: logger.child({ role: 'worker' }),
      notifierLogger: logger.child({ role: 'notifier' }),
      metrics,
      concurrency: settings.workerConcurrency,
      lockDuration: settings.workerLockMs,
      stalledInterval: settings.workerLockMs,
      adapterDefaults: () => autoResolveDefaults(settings.adaptersDir),
      publicUrl: settings.publicUrl,
      ...(running.announcer && { deliveries: running.announcer }),
    });
    running.worker = worker;
    appliers.push((next) => worker.setConfig(next));
    if (!roles.gateway && settings.metricsPort !== undefined)
      running.metricsServer = serveWorkerMetrics(settings.metricsPort, metrics, options.extraMetrics);
  }
  const reloadConfig = createReloader({
    logger: logger.child({
      role: [roles.gateway && 'gateway', roles.worker && 'worker', roles.notifier && 'notifier']
        .filter(Boolean)
        .join('+'),
    }),
    initial: config,
    initialText: configText,
    load,
    apply: (next) => appliers.forEach((apply) => apply(next)),
    onOutcome: (successful) => recordReload(metrics, successful),
  });
  return {
    banner: banner(settings, config, isExample, roles),
    stop: () => shutdown(running, logger),
    reload: async (text) => {
      if (adapters) logAdapterChanges(gatewayLogger, await adapters.refresh());
      return reloadConfig(text);
    },
    metricsJson: () => metrics.registry.getMetricsAsJSON(),
  };
}

/**
 * The threads of a command. `start`: the gateway on the main thread, the worker's pipeline and its notifier on one
 * thread each, so the cores work in parallel and sending never takes the pipeline's event loop. `worker`: the
 * pipeline on the main thread, the notifier on a thread. `gateway`: the main thread alone. Each thread builds its
 * own root logger from the same settings (a logger does not cross threads).
 */
async function startThreads(roles: Roles, settings: Settings, logger: Logger): Promise<RunningRoles> {
  if (!roles.worker) return startRoles({ ...roles, notifier: false }, settings, logger);
  if (settings.singleThread) return startRoles({ ...roles, notifier: true }, settings, logger);
  const threads: WorkerThread[] = [];
  const threadMetrics = async (): Promise<MetricsJson> =>
    AggregatorRegistry.aggregate(await Promise.all(threads.map((thread) => thread.metricsJson()))).getMetricsAsJSON();
  // The thread gets these very settings (generated admin token included), never the environment to read again.
  const startThread = async (threadRoles: ThreadRoles) => {
    const name = threadRoles.worker ? 'worker' : 'notifier';
    const thread = await startWorkerThread(
      new URL('./worker-thread.js', import.meta.url),
      { settings, roles: threadRoles },
      (error) => {
        // Exit so a supervisor restarts the whole process; the queue and the store keep what was accepted.
        logger.fatal({ err: error.message }, `the ${name} thread died; stopping`);
        process.exit(1);
      },
    );
    threads.push(thread);
  };
  const stopThreads = async () => {
    // The pipeline before the notifier: the deliveries of its last batches still reach the notifier.
    const [notifier, ...others] = threads;
    await Promise.all(others.map((thread) => thread.stop()));
    await notifier?.stop();
  };
  const notifierRoles: ThreadRoles = { gateway: false, worker: false, notifier: true };
  let main: RunningRoles;
  try {
    if (roles.gateway) {
      // The gateway first: a port already in use stops start-up before any worker takes jobs. Its metrics include
      // the threads' once they run.
      main = await startRoles({ gateway: true, worker: false, notifier: false }, settings, logger, {
        extraMetrics: threadMetrics,
      });
      try {
        await startThread(notifierRoles);
        await startThread({ gateway: false, worker: true, notifier: false });
      } catch (error) {
        await main.stop();
        throw error;
      }
    } else {
      // The notifier first, so it hears the pipeline's first commits.
      await startThread(notifierRoles);
      main = await startRoles({ gateway: false, worker: true, notifier: false }, settings, logger, {
        extraMetrics: threadMetrics,
      });
    }
  } catch (error) {
    await stopThreads();
    throw error;
  }
  const running = main;
  return {
    stop: async () => {
      if (roles.gateway) await Promise.all([running.stop(), stopThreads()]);
      else {
        await running.stop();
        await stopThreads();
      }
    },
    // Read and checked once here, then the same text goes to the threads: all apply the same file.
    reload: async (text) => {
      const applied = await running.reload(text);
      if (applied !== undefined) for (const thread of threads) thread.reload(applied);
      return applied;
    },
    metricsJson: running.metricsJson,
    banner: running.banner,
  };
}

/**
 * `alertgate start` with no REDIS_URL and no Redis at the local address: runs a private redis-server from PATH there
 * (or on a free port), data under ./data/redis, so a first start needs nothing else. Undefined when not needed or
 * not possible; then the usual "cannot reach Redis" error follows.
 */
async function startPrivateRedisIfNeeded(settings: Settings, logger: Logger): Promise<PrivateRedis | undefined> {
  if (settings.redisUrl !== undefined) return undefined;
  const { host, port } = settings.localRedis;
  if (await redisAnswers(host, port)) return undefined;
  const binary = findExecutable('redis-server', settings.executablePath);
  if (binary === undefined) return undefined;
  return startPrivateRedis({ binary, host, port, dir: join('data', 'redis'), logger: logger.child({ role: 'redis' }) });
}

/**
 * Runs roles until SIGTERM/SIGINT (drain, then exit 0). SIGHUP reloads the configuration, and so does a change of
 * the configuration file (not of the bundled example).
 */
export async function runAlertgate(roles: Roles, given: Settings): Promise<void> {
  const logger = createLogger(given.logLevel);
  const privateRedis = roles.gateway && roles.worker ? await startPrivateRedisIfNeeded(given, logger) : undefined;
  const settings = privateRedis ? { ...given, redisUrl: privateRedis.url } : given;
  // A signal before the roles run still ends the private Redis: nothing else would (it is not ours to orphan).
  const stopBeforeStarted = (signal: NodeJS.Signals) =>
    void privateRedis?.stop().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  if (privateRedis) process.once('SIGTERM', stopBeforeStarted).once('SIGINT', stopBeforeStarted);
  let running: RunningRoles;
  try {
    running = await startThreads(roles, settings, logger);
  } catch (error) {
    await privateRedis?.stop();
    throw error;
  } finally {
    process.removeListener('SIGTERM', stopBeforeStarted).removeListener('SIGINT', stopBeforeStarted);
  }
  const stopAll = async () => {
    await running.stop();
    await privateRedis?.stop();
  };
  const { path, isExample } = resolveConfigPath(settings.configFile);
  const onWatchError = (error: Error) =>
    logger.warn(
      { err: error.message, path },
      'cannot read the changed configuration file; the running configuration stays',
    );
  const watcher = isExample
    ? undefined
    : watchConfigFile(path, (text) => void running.reload(text), { onError: onWatchError });
  // A changed adapter folder reloads too (the configuration is read again: it may name a new adapter).
  const adapterWatcher = roles.gateway
    ? watchAdapters(
        settings.adaptersDir,
        () => void running.reload(),
        (error) =>
          logger.warn({ err: error.message }, 'cannot watch the adapters folder; SIGHUP still reloads adapters'),
      )
    : undefined;
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    watcher?.close();
    adapterWatcher?.close();
    logger.info({ signal }, 'shutting down: no new requests, finishing in-flight requests and jobs');
    stopAll().then(
      () => process.exit(0),
      (error: Error) => {
        logger.error({ err: error.message }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGHUP', () => void running.reload());
  process.stdout.write(running.banner + '\n');
}
