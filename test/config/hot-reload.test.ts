import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { stringify } from 'yaml';
import type { ConfigFile } from '../../src/config/types.js';
import { packageRoot } from '../../src/paths.js';
import { createIngestQueue } from '../../src/queue/ingest-queue.js';
import { createProducerConnection } from '../../src/queue/redis.js';
import { createTimerQueue } from '../../src/queue/timer-queue.js';
import { postJson, redisUrl } from '../support/stack.js';
import { eventually, freePort } from '../support/waiting.js';

/** `alertgate start` as a child process: its configuration file changes under it. */

const cli = join(packageRoot, 'dist', 'src', 'cli.js');
const token = 'hot-reload-admin-token';
const limits = { per_second: 100000, per_minute: 1000000 };

const firstConfig: ConfigFile = {
  channels: [{ id: 'ops' }],
  integrations: [{ id: 'std', adapter: 'standard', key: 'test-key-0001', channel: 'ops', rate_limit: limits }],
};
const withNewIntegration: ConfigFile = {
  channels: [{ id: 'ops' }, { id: 'db' }],
  integrations: [
    ...(firstConfig.integrations ?? []),
    { id: 'fresh', adapter: 'standard', key: 'fresh-key-0001', channel: 'db', rate_limit: limits },
  ],
};

describe('hot reload of alertgate start', () => {
  const dir = mkdtempSync(join(tmpdir(), 'alertgate-reload-'));
  const configPath = join(dir, 'alertgate.yaml');
  const prefix = `agtest-${randomBytes(5).toString('hex')}`;
  let child: ChildProcess;
  let baseUrl: string;
  let logs = '';
  const logLines = (message: string) =>
    logs
      .split('\n')
      .filter((line) => line.startsWith('{') && (JSON.parse(line) as { msg: string }).msg.startsWith(message));
  const pushFresh = () =>
    postJson(`${baseUrl}/event/push/alert/standard?integration_key=fresh-key-0001`, {
      title_rule: 'replica lag',
      event_status: 'Warning',
      alert_key: `lag-${Date.now()}`,
    });

  before(async () => {
    writeFileSync(configPath, stringify(firstConfig));
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    child = spawn(process.execPath, [cli, 'start'], {
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        REDIS_URL: redisUrl,
        REDIS_PREFIX: prefix,
        DATABASE_URL: `sqlite:${join(dir, 'data.db')}`,
        ALERTGATE_CONFIG: configPath,
        ADMIN_TOKEN: token,
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    child.stdout?.on('data', (chunk: Buffer) => (logs += chunk.toString()));
    await eventually(
      'alertgate listening',
      async () => (logs.includes('alertgate listening on') ? true : undefined),
      120_000,
    );
  });

  after(async () => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    const redis = createProducerConnection({ url: redisUrl, prefix });
    await redis.connect();
    for (const queue of [createIngestQueue(redis, prefix), createTimerQueue(redis, prefix)]) {
      await queue.obliterate({ force: true }).catch(() => undefined);
      await queue.close();
    }
    redis.disconnect();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a new integration in the file is accepted within seconds, by the gateway and the worker thread', async () => {
    const refused = await pushFresh();
    assert.equal(refused.status, 400);
    assert.deepEqual(refused.body.error, { code: 'InvalidParameter', message: 'integration_key is not a valid one' });

    writeFileSync(configPath, stringify(withNewIntegration));
    await eventually('push accepted', async () => ((await pushFresh()).status === 200 ? true : undefined));
    const reloaded = await eventually('two reload log lines', async () =>
      logLines('configuration reloaded').length >= 2 ? logLines('configuration reloaded') : undefined,
    );
    const gatewayLine = reloaded
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .find((entry) => entry.role === 'gateway');
    assert.deepEqual(gatewayLine?.integrations_added, ['fresh']);
    assert.deepEqual(gatewayLine?.channels_added, ['db']);
    // The worker thread knows the new integration and channel too: the events open alerts in channel db.
    await eventually('alerts in the new channel', async () => {
      const res = await fetch(`${baseUrl}/api/v1/alerts?channel=db`, { headers: { authorization: `Bearer ${token}` } });
      const body = (await res.json()) as { data: { items: unknown[] } };
      return body.data.items.length > 0 ? true : undefined;
    });
  });

  test('an invalid file is refused with its problems and the running configuration stays', async () => {
    writeFileSync(
      configPath,
      stringify({ ...withNewIntegration, integrations: [{ id: 'broken', adapter: 'standard', channel: 'nowhere' }] }),
    );
    const [line] = await eventually('refusal logged', async () =>
      logLines('new configuration refused').length > 0 ? logLines('new configuration refused') : undefined,
    );
    const entry = JSON.parse(line) as { level: number; problems: string[] };
    assert.equal(entry.level, 50, 'logged as an error');
    assert.ok(
      entry.problems.some((problem) => problem.includes('missing required field "key"')),
      entry.problems.join('; '),
    );
    assert.equal(child.exitCode, null, 'still running');
    assert.equal((await pushFresh()).status, 200, 'the previous configuration still accepts the new integration');
  });
});
