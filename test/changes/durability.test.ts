import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { createChangeQueue } from '../../src/changes/change-queue.js';
import { createLogger } from '../../src/observability/logger.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { createWorker } from '../../src/worker/worker.js';
import { postJson, redisUrl, startStack, type Stack } from '../support/stack.js';
import { eventually } from '../support/waiting.js';

const configFile = {
  channels: [{ id: 'ops' }],
  integrations: [{ id: 'deploys', adapter: 'change-standard', key: 'deploy-key-0001' }],
  heartbeats: [{ id: 'backup', channel: 'ops', interval: '1h', key: 'hb-key-00001' }],
};
const change = { title: 'Deploy api 1.2', change_key: 'deploy-7', change_status: 'Done', labels: { service: 'api' } };

describe('change events are durable before 200', () => {
  const stacks: Stack[] = [];
  after(async () => {
    for (const stack of stacks) {
      const redis = new Redis(redisUrl);
      await createChangeQueue(redis, stack.prefix)
        .obliterate({ force: true })
        .catch(() => undefined);
      redis.disconnect();
      await stack.close();
    }
  });

  test('accepted with no worker running, stored once a worker starts', async () => {
    const stack = await startStack({ store: 'sqlite', configFile, worker: false });
    stacks.push(stack);
    const res = await postJson(`${stack.baseUrl}/event/push/change/standard?integration_key=deploy-key-0001`, change);
    assert.equal(res.status, 200);
    const worker = createWorker({
      config: stack.config,
      store: stack.testStore.store,
      redis: { url: redisUrl, prefix: stack.prefix },
      logger: createLogger('silent'),
      metrics: createMetrics(),
    });
    try {
      const stored = await eventually('change stored', () =>
        stack.testStore.store.db.selectFrom('changes').selectAll().executeTakeFirst(),
      );
      assert.equal(stored.change_key, 'deploy-7');
      assert.equal(stored.change_status, 'Done');
    } finally {
      await worker.close();
    }
  });

  test('Redis unreachable: 503 ServiceUnavailable with Retry-After, for changes and for pings', async () => {
    const stack = await startStack({ store: 'sqlite', configFile, worker: false, redisUrl: 'redis://127.0.0.1:1' });
    try {
      const res = await postJson(`${stack.baseUrl}/event/push/change/standard?integration_key=deploy-key-0001`, change);
      assert.equal(res.status, 503);
      assert.equal((res.body.error as { code: string }).code, 'ServiceUnavailable');
      assert.ok(res.headers.get('retry-after'));
      const ping = await fetch(`${stack.baseUrl}/heartbeat/backup?integration_key=hb-key-00001`);
      assert.equal(ping.status, 503);
      assert.equal(((await ping.json()) as { error: { code: string } }).error.code, 'ServiceUnavailable');
    } finally {
      await stack.close();
    }
  });
});
