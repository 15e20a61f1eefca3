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
import { postJson, redisUrl } from '../support/stack.js';
import { manifestFor, tempAdaptersDir } from '../support/temp-adapters.js';
import { eventually, freePort } from '../support/waiting.js';

/** `alertgate gateway` as a child process, its adapters folder and configuration changing under it. */

const cli = join(packageRoot, 'dist', 'src', 'cli.js');
const limits = { per_second: 100000, per_minute: 1000000 };
const mappingTitled = (title: string) => `{ "title": "${title}", "event_status": "Warning", "alert_key": body.id }`;

describe('adapters reload with the configuration, without a restart', () => {
  const adapters = tempAdaptersDir({ acme: { manifest: manifestFor('acme'), mapping: mappingTitled('v1') } });
  const dir = mkdtempSync(join(tmpdir(), 'alertgate-adapter-reload-'));
  const configPath = join(dir, 'alertgate.yaml');
  const prefix = `agtest-${randomBytes(5).toString('hex')}`;
  const redis = createProducerConnection({ url: redisUrl, prefix });
  const queue = createIngestQueue(redis, prefix);
  const config = (extra: ConfigFile['integrations'] = []): ConfigFile => ({
    channels: [{ id: 'ops' }],
    integrations: [
      { id: 'acme', adapter: 'acme', key: 'acme-key-000001', channel: 'ops', rate_limit: limits },
      ...extra,
    ],
  });
  let child: ChildProcess;
  let baseUrl: string;
  let logs = '';

  /** Pushes `{id}` to an adapter and answers the title of the event it queued (or the error code). */
  async function titleOf(adapter: string, key: string): Promise<string> {
    const res = await postJson(`${baseUrl}/event/push/alert/${adapter}?integration_key=${key}`, { id: 'x-1' });
    if (res.status !== 200) return `${res.status} ${(res.body.error as { code: string }).code}`;
    const jobs = await queue.getJobs(['waiting', 'prioritized'], 0, -1, true);
    const event = jobs.flatMap((job) => job.data.events).find((item) => item.request_id === res.body.request_id);
    return event?.title ?? 'not queued';
  }

  before(async () => {
    writeFileSync(configPath, stringify(config()));
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    child = spawn(process.execPath, [cli, 'gateway'], {
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        REDIS_URL: redisUrl,
        REDIS_PREFIX: prefix,
        DATABASE_URL: `sqlite:${join(dir, 'data.db')}`,
        ALERTGATE_CONFIG: configPath,
        ALERTGATE_ADAPTERS_DIR: adapters.dir,
        MAPPING_THREADS: '1',
        ADMIN_TOKEN: 'adapter-reload-token',
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    child.stdout?.on('data', (chunk: Buffer) => (logs += chunk.toString()));
    await eventually('listening', async () => (logs.includes('alertgate listening on') ? true : undefined), 120_000);
  });

  after(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
    redis.disconnect();
    adapters.remove();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a changed mapping serves once saved; a broken one is refused and the previous version serves on', async () => {
    assert.equal(await titleOf('acme', 'acme-key-000001'), 'v1');
    adapters.write('acme', { mapping: mappingTitled('v2') });
    await eventually('v2 serves', async () => ((await titleOf('acme', 'acme-key-000001')) === 'v2' ? true : undefined));
    adapters.write('acme', { mapping: '{ "title": ' });
    await eventually('refusal logged', async () =>
      logs.includes('new version of adapter acme refused; the previous one keeps serving') ? true : undefined,
    );
    assert.equal(await titleOf('acme', 'acme-key-000001'), 'v2');
    assert.equal(child.exitCode, null, 'still running');
  });

  test('a new adapter folder and an integration naming it work after SIGHUP', async () => {
    adapters.write('beta', { manifest: manifestFor('beta'), mapping: mappingTitled('beta says hi') });
    writeFileSync(
      configPath,
      stringify(config([{ id: 'beta', adapter: 'beta', key: 'beta-key-000001', channel: 'ops', rate_limit: limits }])),
    );
    child.kill('SIGHUP');
    await eventually('beta serves', async () =>
      (await titleOf('beta', 'beta-key-000001')) === 'beta says hi' ? true : undefined,
    );
  });
});
