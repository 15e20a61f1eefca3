import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import { sql } from 'kysely';
import { stringify } from 'yaml';
import { openDatabase } from '../src/store/database.js';
import { cliPath, cpuSeconds, freePort, startProcess, stopProcess } from './processes.js';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const key = 'bench-notify-0001';
let sequence = 0;

/** A new alert each time, so every event opens an incident: one incident change (i_new) per event. */
function eventBody(): string {
  sequence += 1;
  return JSON.stringify({
    title_rule: '$host::cpu high',
    event_status: 'Critical',
    alert_key: `notify-${process.pid}-${sequence}`,
    labels: { host: `db-${sequence}`, service: `svc-${sequence % 20}` },
  });
}

/** The receivers of a run: none (the baseline), three healthy ones on a local sink, or three that are down. */
export type Receivers = 'none' | 'healthy' | 'down';

/**
 * A local HTTP sink answering 204 at once, on a thread of its own at the lowest CPU priority (see notify-sink.ts);
 * counts what it got.
 */
async function startSink(): Promise<{ url: string; count: () => number; close: () => Promise<void> }> {
  const counter = new SharedArrayBuffer(4);
  const received = new Int32Array(counter);
  const thread = new Worker(new URL('./notify-sink.js', import.meta.url), { workerData: counter });
  const port = await new Promise<number>((resolve, reject) => {
    thread.once('message', resolve);
    thread.once('error', reject);
  });
  return {
    url: `http://127.0.0.1:${port}/sink`,
    count: () => Atomics.load(received, 0),
    close: async () => {
      const exited = new Promise((resolve) => thread.once('exit', resolve));
      thread.postMessage('close');
      await exited;
    },
  };
}

function prepare(receivers: Receivers, sinkUrl: string, downUrl: string) {
  const dir = mkdtempSync(join(tmpdir(), 'alertgate-notify-bench-'));
  const configPath = join(dir, 'alertgate.yaml');
  const url = receivers === 'healthy' ? sinkUrl : downUrl;
  writeFileSync(
    configPath,
    stringify({
      channels: [{ id: 'ops' }],
      integrations: [
        {
          id: 'bench',
          adapter: 'standard',
          key,
          channel: 'ops',
          rate_limit: { per_second: 10_000_000, per_minute: 100_000_000 },
        },
      ],
      ...(receivers !== 'none' && {
        webhooks: ['one', 'two', 'three'].map((id) => ({ id, url: `${url}?r=${id}`, events: ['i_new'] })),
      }),
    }),
  );
  return { dir, configPath, prefix: `agbench-${randomBytes(4).toString('hex')}` };
}

async function cleanRedis(prefix: string): Promise<void> {
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  connection.on('error', () => undefined);
  const keys = await connection.keys(`{${prefix}}*`);
  for (let i = 0; i < keys.length; i += 500) await connection.del(...keys.slice(i, i + 500));
  connection.disconnect();
}

async function counter(
  dbUrl: string,
  query: string,
): Promise<{ read: () => Promise<number>; close: () => Promise<void> }> {
  const store = openDatabase(dbUrl);
  return {
    read: async () => Number((await sql<{ n: number }>`${sql.raw(query)}`.execute(store.db)).rows[0]?.n ?? 0),
    close: () => store.close(),
  };
}

/** A run's sink, configuration, database and the environment of its processes. */
async function setUpRun(receivers: Receivers, database: string) {
  const sink = await startSink();
  const downUrl = `http://127.0.0.1:${await freePort()}/nobody-listens`;
  const env = prepare(receivers, sink.url, downUrl);
  const dbUrl = `sqlite:${join(env.dir, database)}`;
  const port = await freePort();
  const common = {
    REDIS_PREFIX: env.prefix,
    ALERTGATE_CONFIG: env.configPath,
    DATABASE_URL: dbUrl,
    LOG_LEVEL: 'error',
    ADMIN_TOKEN: 'bench',
    PORT: String(port),
  };
  return { sink, env, dbUrl, port, common };
}

/** `total` single-event pushes on 32 connections, each a new alert. */
function push(port: number, total: number): Promise<autocannon.Result> {
  return autocannon({
    url: `http://127.0.0.1:${port}/event/push/alert/standard?integration_key=${key}`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    connections: 32,
    amount: total,
    requests: [{ setupRequest: (request: autocannon.Request) => ({ ...request, body: eventBody() }) }],
  } as autocannon.Options);
}

export interface NotifyFigures {
  /** The worker's own rate while its notifier thread also relays and sends (or fails to send) the deliveries. */
  eventsPerSecond: number;
  /** CPU of the whole worker process (pipeline, notifier, the engine's own threads) per event. */
  cpuMicrosPerEvent: number;
  /** CPU of the pipeline's thread alone (the process's main thread) per event. */
  pipelineCpuMicrosPerEvent: number;
  /** Incident changes delivered to all three receivers per second, first event applied → last delivery answered. */
  changesPerSecond?: number;
}

/**
 * A queue filled beforehand (gateway alone), then drained by `alertgate worker` with the given receivers; every
 * event opens an incident, so with receivers each event is three deliveries. Measures the worker's events/s, its CPU
 * per event (the process, and its pipeline thread alone: the notifier runs on a thread of the same process) and,
 * with healthy receivers, how fast the changes reach all three.
 */
export async function benchNotify(total: number, receivers: Receivers): Promise<NotifyFigures> {
  const { sink, env, dbUrl, port, common } = await setUpRun(receivers, 'notify.db');
  const gateway = await startProcess([cliPath, 'gateway'], common, /listening/);
  await push(port, total);
  await stopProcess(gateway);
  const events = await counter(dbUrl, 'select count(*) as n from events');
  const worker = await startProcess([cliPath, 'worker'], common, /worker/);
  while ((await events.read()) < 1) await new Promise((resolve) => setTimeout(resolve, 2));
  const started = Date.now();
  const cpuBefore = cpuSeconds(worker.pid);
  const pipelineCpuBefore = cpuSeconds(worker.pid, true);
  const first = await events.read();
  while ((await events.read()) < total) await new Promise((resolve) => setTimeout(resolve, 10));
  const cpu = cpuSeconds(worker.pid) - cpuBefore;
  const pipelineCpu = cpuSeconds(worker.pid, true) - pipelineCpuBefore;
  const eventsPerSecond = (total - first) / ((Date.now() - started) / 1000);
  let changesPerSecond: number | undefined;
  if (receivers === 'healthy') {
    while (sink.count() < total * 3) await new Promise((resolve) => setTimeout(resolve, 10));
    changesPerSecond = (total - first) / ((Date.now() - started) / 1000);
  }
  await stopProcess(worker);
  await events.close();
  await sink.close();
  await cleanRedis(env.prefix);
  return {
    eventsPerSecond,
    cpuMicrosPerEvent: (cpu / (total - first)) * 1e6,
    pipelineCpuMicrosPerEvent: (pipelineCpu / (total - first)) * 1e6,
    ...(changesPerSecond !== undefined && { changesPerSecond }),
  };
}

export interface IngestionFigures {
  /** Events the gateway accepted per second (first push to the last answer), with the worker running beside it. */
  acceptedPerSecond: number;
  /** Events pushed and applied per second (first push to the last event stored). */
  endToEndPerSecond: number;
  /** Slowest 1% of push answers (ms). */
  p99: number;
}

/**
 * Ingestion as a sender sees it while receivers are healthy, down or absent: `alertgate gateway` and `alertgate
 * worker` running as deployed (two processes sharing the machine), `total` single-event pushes on 32 connections,
 * each opening an incident. Measures the gateway's accepted events/s and the end-to-end rate until all are applied.
 */
export async function benchIngestion(total: number, receivers: Receivers): Promise<IngestionFigures> {
  const { sink, env, dbUrl, port, common } = await setUpRun(receivers, 'ingestion.db');
  const worker = await startProcess([cliPath, 'worker'], common, /worker/);
  const gateway = await startProcess([cliPath, 'gateway'], common, /listening/);
  const events = await counter(dbUrl, 'select count(*) as n from events');
  const started = Date.now();
  const result = await push(port, total);
  const accepted = (Date.now() - started) / 1000;
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`pushes answered ${result.non2xx} non-2xx and ${result.errors} errors`);
  while ((await events.read()) < total) await new Promise((resolve) => setTimeout(resolve, 10));
  const applied = (Date.now() - started) / 1000;
  await stopProcess(gateway);
  await stopProcess(worker);
  await events.close();
  await sink.close();
  await cleanRedis(env.prefix);
  return { acceptedPerSecond: total / accepted, endToEndPerSecond: total / applied, p99: result.latency.p99 };
}
