import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import pg from 'pg';
import { stringify } from 'yaml';
import { packageRoot } from '../../src/paths.js';
import { PrivatePostgres } from '../support/private-postgres.js';
import { eventually as until, freePort } from '../support/waiting.js';
import { defaultConfigFile, postJson, redisUrl } from '../support/stack.js';

/*
 * A real PostgreSQL server of this test's own is stopped and started under the gateway and the worker, each in its
 * own process: neither may exit, the API answers 503 while the database is away, and every event answered 200 is
 * stored exactly once when it is back. Every wait is for a condition, never for a fixed time.
 */

const cli = join(packageRoot, 'dist', 'src', 'cli.js');
const token = 'outage-admin-token';

interface Role {
  child: ChildProcess;
  logs: string[];
}

function startRole(role: 'gateway' | 'worker', env: NodeJS.ProcessEnv): Role {
  const child = spawn(process.execPath, [cli, role], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => logs.push(chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => logs.push(chunk));
  return { child, logs };
}

const alive = (role: Role): boolean => role.child.exitCode === null && role.child.signalCode === null;

async function storedEvents(url: string): Promise<Array<{ request_id: string }>> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return (await client.query<{ request_id: string }>('select request_id from events')).rows;
  } finally {
    await client.end();
  }
}

describe('PostgreSQL stopped and started under the gateway and the worker', { timeout: 300_000 }, () => {
  let server: PrivatePostgres;
  let gateway: Role;
  let worker: Role;
  let base: string;
  const prefix = `agtest-${randomBytes(5).toString('hex')}`;
  const push = (i: number) =>
    postJson(`${base}/event/push/alert/standard?integration_key=test-key-0001`, {
      title_rule: `check k${i % 40}`,
      event_status: i % 4 === 3 ? 'Ok' : 'Critical',
      alert_key: `k${i % 40}`,
      description: `n${i}`,
    });
  const apiGet = (path: string) => fetch(`${base}/api/v1${path}`, { headers: { authorization: `Bearer ${token}` } });

  before(async () => {
    server = await PrivatePostgres.create();
    const configPath = join(mkdtempSync(join(tmpdir(), 'alertgate-outage-')), 'alertgate.yaml');
    writeFileSync(configPath, stringify(defaultConfigFile));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const env = {
      REDIS_URL: redisUrl,
      REDIS_PREFIX: prefix,
      DATABASE_URL: server.url,
      ALERTGATE_CONFIG: configPath,
      ADMIN_TOKEN: token,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      MAPPING_THREADS: '0',
    };
    // Both start while the database is down.
    gateway = startRole('gateway', env);
    worker = startRole('worker', env);
  });

  after(async () => {
    for (const role of [gateway, worker]) role?.child.kill('SIGKILL');
    server?.dispose();
    const redis = new Redis(redisUrl);
    const keys = await redis.keys(`{${prefix}}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  test('started during the outage: they wait, /readyz says why, pushes are accepted, the API answers 503', async () => {
    await until('the gateway to listen', async () =>
      (await fetch(`${base}/healthz`)).status === 200 ? true : undefined,
    );
    const ready = await fetch(`${base}/readyz`);
    assert.equal(ready.status, 503);
    const checks = ((await ready.json()) as { checks: Record<string, string> }).checks;
    assert.match(checks.database ?? '', /unreachable/);
    assert.equal(checks.redis, 'ok');
    const pushed = await push(0);
    assert.equal(pushed.status, 200, 'the push path needs only Redis');
    const listed = await apiGet('/incidents');
    assert.equal(listed.status, 503);
    assert.equal(((await listed.json()) as { error: { code: string } }).error.code, 'ServiceUnavailable');
    await until('the worker to report that it waits', async () =>
      worker.logs.join('').includes('unreachable') ? true : undefined,
    );
    assert.ok(alive(gateway) && alive(worker), 'neither process exits while the database is down');

    server.start();
    await until('/readyz to turn ready', async () =>
      (await fetch(`${base}/readyz`)).status === 200 ? true : undefined,
    );
    await until('the early event to be stored', async () =>
      (await storedEvents(server.url)).length === 1 ? true : undefined,
    );
    assert.equal((await apiGet('/incidents')).status, 200);
  });

  test('a restart under load: nothing accepted is lost or applied twice, both processes live on', async () => {
    const accepted = new Set<string>();
    let sent = 1;
    let sending = true;
    const sender = async () => {
      while (sending) {
        const res = await push(sent++).catch(() => undefined);
        if (res?.status === 200) accepted.add(String(res.body.request_id));
      }
    };
    const senders = [sender(), sender(), sender()];
    await until('load before the outage', async () => (accepted.size >= 150 ? true : undefined));
    server.stop();
    const before = accepted.size;
    await until('pushes accepted during the outage', async () => (accepted.size >= before + 150 ? true : undefined));
    const during = await apiGet('/incidents');
    assert.equal(during.status, 503, 'the management API answers 503 while the database is down, not 500');
    await until('the worker to hold its events', async () =>
      worker.logs.join('').includes('holding events') ? true : undefined,
    );
    assert.ok(alive(gateway) && alive(worker), 'a lost connection ends neither process');
    server.start();
    const restarted = accepted.size;
    await until('pushes after the restart', async () => (accepted.size >= restarted + 150 ? true : undefined));
    sending = false;
    await Promise.all(senders);

    const total = accepted.size + 1; // and the first test's event
    const rows = await until('every accepted event to be stored', async () => {
      const found = await storedEvents(server.url);
      return found.length >= total ? found : undefined;
    });
    assert.equal(rows.length, total, 'no event stored twice');
    const stored = new Set(rows.map((row) => row.request_id));
    for (const id of accepted) assert.ok(stored.has(id), `accepted event ${id} is stored`);
    assert.ok(alive(gateway) && alive(worker), 'both processes still run');
    assert.equal((await apiGet('/incidents')).status, 200, 'the API recovers by itself');
  });
});
