import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { stringify } from 'yaml';
import { PrivatePostgres } from '../test/support/private-postgres.js';
import { seededRandom } from '../test/support/hostile-requests.js';
import { cliPath, freePort } from './processes.js';

/*
 * `npm run drill`: a fault drill under steady load (DRILL_RATE events/s, default 50; DRILL_SEED, default 1) against
 * a gateway process and a worker process on a PostgreSQL and a Redis (AOF, fsync always) of the drill's own. In
 * turn: the worker is SIGKILLed, the gateway is SIGKILLed, PostgreSQL is stopped for 10 s, Redis is frozen (SIGSTOP)
 * for 5 s, then Redis is killed and restarted from its AOF. Each process is restarted the way a supervisor would;
 * nothing else is done by hand. Prints sent, accepted, stored, lost and duplicated events and each fault's time to
 * recover; exits 1 when an accepted event is lost or stored twice.
 */

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Service {
  child: ChildProcess;
  exited: Promise<void>;
}

function spawnService(command: string, args: string[], env: NodeJS.ProcessEnv = {}): Service {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'ignore'] });
  return { child, exited: new Promise((resolve) => child.once('exit', () => resolve())) };
}

async function kill(service: Service, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (service.child.exitCode !== null || service.child.signalCode !== null) return;
  service.child.kill(signal);
  await service.exited;
}

async function until(probe: () => Promise<boolean>, timeoutMs = 600_000): Promise<number> {
  const started = Date.now();
  while (!(await probe().catch(() => false))) {
    if (Date.now() - started > timeoutMs) throw new Error('the drill timed out waiting for recovery');
    await sleep(50);
  }
  return Date.now() - started;
}

async function main(): Promise<void> {
  const rate = Number(process.env.DRILL_RATE ?? 50);
  const random = seededRandom(Number(process.env.DRILL_SEED ?? 1));
  const dir = mkdtempSync(join(tmpdir(), 'alertgate-drill-'));
  const database = await PrivatePostgres.create();
  database.start();
  const redisPort = await freePort();
  const startRedis = () =>
    spawnService('redis-server', [
      '--port',
      String(redisPort),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--appendonly',
      'yes',
      '--appendfsync',
      'always',
      '--save',
      '',
    ]);
  let redis = startRedis();
  const gatewayPort = await freePort();
  const base = `http://127.0.0.1:${gatewayPort}`;
  writeFileSync(
    join(dir, 'alertgate.yaml'),
    stringify({
      channels: [{ id: 'ops', name: 'Operations' }],
      integrations: [
        {
          id: 'drill',
          name: 'Drill',
          adapter: 'standard',
          key: 'drill-key-0001',
          channel: 'ops',
          rate_limit: { per_second: 100_000, per_minute: 6_000_000 },
        },
      ],
    }),
  );
  const env = {
    PORT: String(gatewayPort),
    HOST: '127.0.0.1',
    REDIS_URL: `redis://127.0.0.1:${redisPort}`,
    DATABASE_URL: database.url,
    ALERTGATE_CONFIG: join(dir, 'alertgate.yaml'),
    ADMIN_TOKEN: 'drill',
    LOG_LEVEL: 'fatal',
    MAPPING_THREADS: '0',
    WORKER_LOCK_MS: '3000',
  };
  const startGateway = () => spawnService(process.execPath, [cliPath, 'gateway'], env);
  const startWorker = () => spawnService(process.execPath, [cliPath, 'worker'], env);
  await sleep(300);
  let gateway = startGateway();
  let worker = startWorker();
  const pushOk = async () => (await fetch(`${base}/readyz`)).status === 200;
  try {
    await drillUnderLoad();
  } finally {
    await Promise.all([kill(gateway, 'SIGTERM'), kill(worker, 'SIGTERM')]);
    await kill(redis);
    database.dispose();
    rmSync(dir, { recursive: true, force: true });
  }

  async function drillUnderLoad(): Promise<void> {
    await until(pushOk);

    const accepted = new Set<string>();
    let sent = 0;
    let sending = true;
    const sender = async (lane: number, lanes: number) => {
      const interval = (1000 * lanes) / rate;
      let next = Date.now();
      while (sending) {
        const i = sent;
        sent += 1;
        const key = `k${Math.floor(random() * 300)}`;
        const status = random() < 0.25 ? 'Ok' : random() < 0.5 ? 'Warning' : 'Critical';
        try {
          const response = await fetch(`${base}/event/push/alert/standard?integration_key=drill-key-0001`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({
              title_rule: `check ${key}`,
              event_status: status,
              alert_key: key,
              description: `n${i} lane ${lane}`,
            }),
            signal: AbortSignal.timeout(5000),
          });
          const body = (await response.json()) as { request_id?: string };
          if (response.status === 200 && body.request_id) accepted.add(body.request_id);
        } catch {
          // refused or cut off: not accepted, as a sender would see it
        }
        next += interval;
        await sleep(Math.max(0, next - Date.now()));
      }
    };
    const lanes = 8;
    const senders = Array.from({ length: lanes }, (_, lane) => sender(lane, lanes));
    const client = new pg.Client({ connectionString: database.url });
    const storedCount = async (): Promise<number> => {
      const counter = new pg.Client({ connectionString: database.url });
      counter.on('error', () => undefined);
      await counter.connect();
      try {
        return Number((await counter.query<{ n: string }>('select count(*) as n from events')).rows[0]?.n ?? 0);
      } finally {
        await counter.end();
      }
    };
    const caughtUp = (target: number) => async () => (await storedCount()) >= target;
    const recovery: Array<{ fault: string; accepting: number; applied: number }> = [];
    const verbose = process.env.DRILL_VERBOSE === '1';
    const fault = async (name: string, inject: () => Promise<void>, clear: () => Promise<void>) => {
      await sleep(3000);
      if (verbose)
        process.stdout.write(
          `  ${new Date().toISOString()} ${name}: accepted ${accepted.size}, stored ${await storedCount().catch(() => -1)}\n`,
        );
      await inject();
      await clear();
      const cleared = Date.now();
      const backlog = accepted.size;
      const acceptingAt = accepted.size;
      const accepting = await until(async () => accepted.size > acceptingAt);
      if (verbose) process.stdout.write(`    accepting again; backlog ${backlog}\n`);
      await until(caughtUp(backlog));
      recovery.push({ fault: name, accepting, applied: Date.now() - cleared });
    };

    await fault(
      'worker SIGKILL',
      () => kill(worker),
      async () => {
        await sleep(1000);
        worker = startWorker();
      },
    );
    await fault(
      'gateway SIGKILL',
      () => kill(gateway),
      async () => {
        await sleep(1000);
        gateway = startGateway();
      },
    );
    await fault(
      'PostgreSQL stopped 10 s',
      async () => database.stop(),
      async () => {
        await sleep(10_000);
        database.start();
      },
    );
    await fault(
      'Redis frozen (SIGSTOP) 5 s',
      async () => void redis.child.kill('SIGSTOP'),
      async () => {
        await sleep(5000);
        redis.child.kill('SIGCONT');
      },
    );
    await fault(
      'Redis SIGKILL, restarted from AOF',
      () => kill(redis),
      async () => {
        await sleep(1000);
        redis = startRedis();
      },
    );
    await sleep(3000);
    sending = false;
    await Promise.all(senders);
    await until(caughtUp(accepted.size));
    await sleep(2000);

    await client.connect();
    const rows = (await client.query<{ request_id: string }>('select request_id from events')).rows;
    await client.end();
    const stored = new Set(rows.map((row) => row.request_id));
    const lost = [...accepted].filter((id) => !stored.has(id)).length;
    const duplicated = rows.length - stored.size;
    process.stdout.write(
      `alertgate drill: ${rate} events/s offered, gateway + worker processes, PostgreSQL, Redis with AOF (fsync always)\n`,
    );
    process.stdout.write(
      `  sent ${sent}, accepted ${accepted.size}, stored ${rows.length}, lost ${lost}, duplicated ${duplicated}  ${lost === 0 && duplicated === 0 ? 'ok' : 'FAIL'}\n`,
    );
    for (const { fault: name, accepting, applied } of recovery) {
      process.stdout.write(
        `  ${name.padEnd(36)} pushes accepted again after ${(accepting / 1000).toFixed(1)} s, backlog stored ${(applied / 1000).toFixed(1)} s after the fault cleared\n`,
      );
    }
    if (lost > 0 || duplicated > 0) process.exitCode = 1;
  }
}

main().catch((error: Error) => {
  process.stderr.write(`drill failed: ${error.stack ?? error.message}\n`);
  process.exitCode = 1;
});
