import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { stringify } from 'yaml';
import { packageRoot } from '../../src/paths.js';
import { defaultConfigFile, postJson, redisUrl, startStack, type Stack } from '../support/stack.js';
import { storeKinds } from '../support/stores.js';

const cli = join(packageRoot, 'dist', 'src', 'cli.js');

function startWorker(stack: Stack, configPath: string): ChildProcess {
  return spawn(process.execPath, [cli, 'worker'], {
    env: {
      ...process.env,
      REDIS_URL: redisUrl,
      REDIS_PREFIX: stack.prefix,
      DATABASE_URL: stack.testStore.url,
      DATABASE_SCHEMA: stack.testStore.schema ?? '',
      ALERTGATE_CONFIG: configPath,
      WORKER_LOCK_MS: '1500',
      LOG_LEVEL: 'error',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

const exited = (child: ChildProcess): Promise<void> =>
  new Promise((resolve) =>
    child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve()),
  );

for (const kind of storeKinds) {
  describe(`worker crash on ${kind}`, () => {
    let stack: Stack;
    let configPath: string;
    before(async () => {
      stack = await startStack({ store: kind, worker: false });
      configPath = join(mkdtempSync(join(tmpdir(), 'alertgate-crash-')), 'alertgate.yaml');
      writeFileSync(configPath, stringify(defaultConfigFile));
    });
    after(() => stack.close());

    test('SIGKILL mid-stream, restart: every event answered 200 is stored exactly once', async () => {
      const url = `${stack.baseUrl}/event/push/alert/standard?integration_key=test-key-0001`;
      const accepted: string[] = [];
      let worker = startWorker(stack, configPath);
      let sent = 0;
      const total = 1200;
      const sender = async (lane: number) => {
        while (sent < total) {
          const i = sent;
          sent += 1;
          // A mix of new alerts, repeats and recoveries, so the crash hits every kind of write.
          const key = `k${(i * 7 + lane) % 150}`;
          const status = i % 5 === 4 ? 'Ok' : i % 3 === 0 ? 'Warning' : 'Critical';
          const res = await postJson(url, {
            title_rule: `check ${key}`,
            event_status: status,
            alert_key: key,
            description: `n${i}`,
          });
          if (res.status === 200) accepted.push(String(res.body.request_id));
        }
      };
      const killer = (async () => {
        while (accepted.length < 400) await new Promise((resolve) => setTimeout(resolve, 5));
        worker.kill('SIGKILL');
        await exited(worker);
        await new Promise((resolve) => setTimeout(resolve, 300));
        worker = startWorker(stack, configPath);
      })();
      await Promise.all([sender(0), sender(1), sender(2), sender(3), sender(4), sender(5), killer]);
      assert.equal(accepted.length, total, 'the gateway accepted every push');
      try {
        await stack.waitForEvents(total, 60_000);
        await stack.waitForIdle(30_000);
        const db = stack.testStore.store.db;
        const rows = await db.selectFrom('events').select(['request_id', 'event_id']).execute();
        assert.equal(rows.length, total, 'no event lost and none stored twice');
        assert.equal(new Set(rows.map((row) => row.request_id)).size, total);
        assert.deepEqual(new Set(rows.map((row) => row.request_id)), new Set(accepted));
        const counts = await db
          .selectFrom('alerts')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('is_open', '=', 1)
          .executeTakeFirstOrThrow();
        const openKeys = await db.selectFrom('alerts').select('alert_key').where('is_open', '=', 1).execute();
        assert.equal(
          Number(counts.n),
          new Set(openKeys.map((row) => row.alert_key)).size,
          'at most one open alert per key',
        );
      } finally {
        worker.kill('SIGTERM');
        await exited(worker);
      }
    });
  });
}
