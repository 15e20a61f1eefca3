import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { stringify } from 'yaml';
import { fixtureDefaults, loadFixtures } from '../src/adapters/fixtures.js';
import { mapRequest } from '../src/adapters/map-request.js';
import { AdapterRegistry, type LoadedAdapter } from '../src/adapters/registry.js';
import { requestFromSample } from '../src/adapters/sample-request.js';
import { adaptersDir } from '../src/paths.js';
import { cliPath, cpuSeconds, freePort, startProcess, stopProcess } from './processes.js';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const alertsPerPayload = 50;
const context = {
  integrationId: fixtureDefaults.integrationId,
  integrationName: fixtureDefaults.integrationName,
  receivedAt: fixtureDefaults.receivedAt,
};

/** Mean µs per produced alert of the transform (body parsing, mapping, normalisation) over an adapter's fixtures. */
async function transformCost(adapter: LoadedAdapter, rounds: number): Promise<number> {
  const requests = loadFixtures(adapter.name, adapter.dir)
    .filter(
      (fixture) => fixture.expected !== undefined && 'events' in fixture.expected && fixture.expected.events.length > 0,
    )
    .map((fixture) => requestFromSample(fixture.input, adapter.manifest));
  const once = async (): Promise<number> => {
    let alerts = 0;
    for (const request of requests) {
      alerts += (await mapRequest(adapter, request, context)).events.length;
    }
    return alerts;
  };
  for (let i = 0; i < Math.ceil(rounds / 4); i += 1) await once();
  const started = process.hrtime.bigint();
  let alerts = 0;
  for (let i = 0; i < rounds; i += 1) alerts += await once();
  return alerts === 0 ? NaN : Number(process.hrtime.bigint() - started) / 1e3 / alerts;
}

/** An Alertmanager webhook (version 4) with `count` distinct alerts, built from the prometheus fixtures. */
export function alertmanagerPayload(count: number): string {
  const sample = JSON.parse(
    readFileSync(join(adaptersDir, 'prometheus', 'fixtures', 'firing-batch.input.json'), 'utf8'),
  ) as { body: { alerts: Array<Record<string, unknown> & { labels: Record<string, string> }> } };
  const templates = sample.body.alerts;
  const alerts = Array.from({ length: count }, (_, i) => {
    const template = templates[i % templates.length];
    return {
      ...template,
      fingerprint: `${i.toString(16).padStart(16, '0')}`,
      labels: { ...template.labels, instance: `host-${i}:9100` },
    };
  });
  return JSON.stringify({ ...sample.body, alerts });
}

/** The standard endpoint's equivalent: a JSON array of `count` standard events. */
function standardPayload(count: number): string {
  return JSON.stringify(
    Array.from({ length: count }, (_, i) => ({
      title_rule: `host-${i} cpu high`,
      event_status: 'Critical',
      alert_key: `k-${i}`,
      description: 'load 9.1',
      labels: { instance: `host-${i}:9100`, service: 'checkout', env: 'prod' },
    })),
  );
}

interface LoadFigures {
  alertsPerSecond: number;
  cpuMicrosPerAlert: number;
  p99: number;
}

async function loadEndpoint(url: string, body: string, seconds: number, pid: number | undefined): Promise<LoadFigures> {
  const options = {
    url,
    method: 'POST' as const,
    headers: { 'content-type': 'application/json' },
    body,
    connections: 32,
  };
  await autocannon({ ...options, duration: 2 });
  const cpuBefore = cpuSeconds(pid);
  const result = await autocannon({ ...options, duration: seconds });
  const cpu = cpuSeconds(pid) - cpuBefore;
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`${url} answered ${result.non2xx} non-2xx and ${result.errors} errors`);
  const alerts = result['2xx'] * alertsPerPayload;
  return {
    alertsPerSecond: alerts / result.duration,
    cpuMicrosPerAlert: (cpu / alerts) * 1e6,
    p99: result.latency.p99,
  };
}

async function dropQueue(prefix: string): Promise<void> {
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue('ingest', { connection, prefix: `{${prefix}}` });
  await queue.obliterate({ force: true }).catch(() => undefined);
  await queue.close();
  const keys = await connection.keys(`{${prefix}}*`);
  if (keys.length > 0) await connection.del(...keys);
  connection.disconnect();
}

/** `alertgate gateway` in its own process with a prometheus and a standard integration (rate limits raised). */
async function withGateway<T>(work: (port: number, pid: number | undefined) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'alertgate-adapter-bench-'));
  const prefix = `agbench-${randomBytes(4).toString('hex')}`;
  const limits = { rate_limit: { per_second: 10_000_000, per_minute: 100_000_000 } };
  writeFileSync(
    join(dir, 'alertgate.yaml'),
    stringify({
      channels: [{ id: 'ops' }],
      integrations: [
        { id: 'am', adapter: 'prometheus', key: 'bench-am-key-01', channel: 'ops', ...limits },
        { id: 'std', adapter: 'standard', key: 'bench-std-key-1', channel: 'ops', ...limits },
      ],
    }),
  );
  const port = await freePort();
  const env = {
    PORT: String(port),
    REDIS_PREFIX: prefix,
    ALERTGATE_CONFIG: join(dir, 'alertgate.yaml'),
    DATABASE_URL: `sqlite:${join(dir, 'gw.db')}`,
    LOG_LEVEL: 'warn',
    ADMIN_TOKEN: 'bench',
  };
  const gateway = await startProcess([cliPath, 'gateway'], env, /listening/);
  try {
    return await work(port, gateway.pid);
  } finally {
    await stopProcess(gateway);
    await dropQueue(prefix);
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Adapter benchmarks: (a) each adapter's transform cost in µs per alert over its fixtures (compiled once), and (b)
 * alerts/s accepted by the Alertmanager endpoint for 50-alert payloads (real HTTP, 32 connections, gateway in its own
 * process, no worker), next to the standard endpoint with 50-event arrays as the baseline of the same run.
 * Prints the figures and returns them; never throws for a missed target.
 */
export async function runAdapterBench(): Promise<Record<string, number>> {
  const seconds = Number(process.env.BENCH_SECONDS ?? 10);
  const figures: Record<string, number> = {};
  const print = (line: string) => process.stdout.write(line + '\n');
  print("adapter transform cost (parse + mapping + normalisation, µs per alert over each adapter's fixtures):");
  for (const adapter of AdapterRegistry.load().list()) {
    const micros = await transformCost(adapter, 200);
    figures[`transform_us_per_alert.${adapter.name}`] = micros;
    print(`  ${adapter.name.padEnd(16)} ${micros.toFixed(1).padStart(8)} µs`);
  }
  await withGateway(async (port, pid) => {
    const base = `http://127.0.0.1:${port}/event/push/alert`;
    const am = await loadEndpoint(
      `${base}/prometheus?integration_key=bench-am-key-01`,
      alertmanagerPayload(alertsPerPayload),
      seconds,
      pid,
    );
    const std = await loadEndpoint(
      `${base}/standard?integration_key=bench-std-key-1`,
      standardPayload(alertsPerPayload),
      seconds,
      pid,
    );
    Object.assign(figures, {
      alertmanager_alerts_per_s: am.alertsPerSecond,
      alertmanager_cpu_us_per_alert: am.cpuMicrosPerAlert,
      alertmanager_p99_ms: am.p99,
      standard_alerts_per_s: std.alertsPerSecond,
      standard_cpu_us_per_alert: std.cpuMicrosPerAlert,
    });
    const mark = am.alertsPerSecond >= 10_000 ? 'meets target' : 'BELOW TARGET';
    print(
      `Alertmanager endpoint, ${alertsPerPayload}-alert payloads, 32 connections: ${am.alertsPerSecond.toFixed(0)} alerts/s, ${am.cpuMicrosPerAlert.toFixed(1)} µs gateway CPU/alert (p99 ${am.p99} ms)  target ≥ 10000  ${mark}`,
    );
    print(
      `  baseline, standard endpoint, ${alertsPerPayload}-event arrays:        ${std.alertsPerSecond.toFixed(0)} alerts/s, ${std.cpuMicrosPerAlert.toFixed(1)} µs gateway CPU/alert`,
    );
  });
  return figures;
}

if (process.argv[1]?.endsWith('adapter-bench.js')) {
  runAdapterBench().catch((error: Error) =>
    process.stderr.write(`adapter benchmark failed: ${error.stack ?? error.message}\n`),
  );
}
