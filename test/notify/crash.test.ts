import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { stringify } from 'yaml';
import type { ConfigFile } from '../../src/config/types.js';
import { createProducerConnection } from '../../src/queue/redis.js';
import { DeliveryQueues } from '../../src/queue/delivery-queue.js';
import { packageRoot } from '../../src/paths.js';
import { defaultConfigFile, postJson, redisUrl, startStack, type Stack } from '../support/stack.js';
import { storeKinds } from '../support/stores.js';
import { eventually } from '../support/waiting.js';
import { startReceiver, type TestReceiver } from './receiver.js';

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
  describe(`outbound delivery across a worker crash (${kind})`, () => {
    let stack: Stack;
    let receiver: TestReceiver;
    let configPath: string;
    before(async () => {
      // Every answer takes a while, so the kill finds requests in flight.
      receiver = await startReceiver(() => ({ status: 200, delayMs: 150 }));
      const configFile: ConfigFile = { ...defaultConfigFile, webhooks: [{ id: 'sink', url: receiver.url }] };
      stack = await startStack({ store: kind, worker: false, configFile });
      configPath = join(mkdtempSync(join(tmpdir(), 'alertgate-notify-crash-')), 'alertgate.yaml');
      writeFileSync(configPath, stringify(configFile));
    });
    after(async () => {
      const connection = createProducerConnection({ url: redisUrl, prefix: stack.prefix });
      await connection.connect().catch(() => undefined);
      const queues = new DeliveryQueues(connection, stack.prefix);
      await queues
        .queue('sink')
        .obliterate({ force: true })
        .catch(() => undefined);
      await queues.close();
      connection.disconnect();
      await stack.close();
      await receiver.close();
    });

    test('SIGKILL during deliveries, restart: every change arrives, each change under one delivery id, in order', async (t) => {
      const url = `${stack.baseUrl}/event/push/alert/standard?integration_key=test-key-0001`;
      const keys = 30;
      for (let i = 0; i < keys; i += 1)
        await postJson(url, { title_rule: `check k${i}`, event_status: 'Critical', alert_key: `k${i}` });
      for (let i = 0; i < keys; i += 1)
        await postJson(url, { title_rule: `check k${i}`, event_status: 'Ok', alert_key: `k${i}` });
      let worker = startWorker(stack, configPath);
      try {
        await eventually('deliveries in flight', async () => (receiver.received.length >= 12 ? true : undefined));
        worker.kill('SIGKILL');
        await exited(worker);
        worker = startWorker(stack, configPath);
        const db = stack.testStore.store.db;
        const delivered = await eventually(
          'every delivery delivered',
          async () => {
            const rows = await db.selectFrom('deliveries').select(['change_id', 'delivery_id', 'status']).execute();
            return rows.length === keys * 2 && rows.every((row) => row.status === 'delivered') ? rows : undefined;
          },
          120_000,
        );
        const byChange = new Map<string, Set<string>>();
        for (const request of receiver.received) {
          const ids = byChange.get(String(request.json.event_id)) ?? new Set<string>();
          ids.add(String(request.headers['x-alertgate-delivery']));
          byChange.set(String(request.json.event_id), ids);
        }
        for (const row of delivered) {
          assert.ok(byChange.has(row.change_id), `change ${row.change_id} reached the receiver`);
          assert.deepEqual(
            [...(byChange.get(row.change_id) as Set<string>)],
            [row.delivery_id],
            'one delivery id per change',
          );
        }
        // Deduplicated by X-Alertgate-Delivery, as the README tells receivers to: one message per change, and per
        // incident i_new first.
        const firstSeen = new Map<string, string>();
        const order = new Map<string, string[]>();
        for (const request of receiver.received) {
          const id = String(request.headers['x-alertgate-delivery']);
          if (firstSeen.has(id)) continue;
          firstSeen.set(id, String(request.json.event_type));
          const incident = (request.json.incident as { incident_id: string }).incident_id;
          order.set(incident, [...(order.get(incident) ?? []), String(request.json.event_type)]);
        }
        assert.equal(firstSeen.size, keys * 2);
        for (const [incident, types] of order) assert.deepEqual(types, ['i_new', 'i_rslv'], incident);
        const duplicates = receiver.received.length - firstSeen.size;
        t.diagnostic(`${receiver.received.length} requests for ${firstSeen.size} changes: ${duplicates} sent again`);
        assert.ok(duplicates <= 4, `at most the requests in flight at the kill are sent again (${duplicates})`);
      } finally {
        worker.kill('SIGTERM');
        await exited(worker);
      }
    });
  });
}
