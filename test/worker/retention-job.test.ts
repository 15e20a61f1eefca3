import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createLogger } from '../../src/observability/logger.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { createProducerConnection } from '../../src/queue/redis.js';
import { createRetentionQueue } from '../../src/queue/retention-queue.js';
import { createWorker } from '../../src/worker/worker.js';
import { api, defaultConfigFile, postJson, redisUrl, startStack, type Stack } from '../support/stack.js';
import { storeKinds } from '../support/stores.js';
import { eventually } from '../support/waiting.js';

/*
 * The retention job end to end: the worker's job scheduler runs it every `retention.interval`, on the worker's
 * (fake) clock, and /metrics shows what it removed and the store's size.
 */

const day = 86_400_000;

async function metricsText(stack: Stack): Promise<string> {
  return (await fetch(`${stack.baseUrl}/metrics`)).text();
}

function metricValue(text: string, prefix: string): number {
  const line = text.split('\n').find((entry) => entry.startsWith(prefix));
  return line ? Number(line.split(' ').pop()) : 0;
}

for (const kind of storeKinds) {
  describe(`retention job (${kind})`, () => {
    let stack: Stack;
    let fakeNow = Date.now();
    before(async () => {
      stack = await startStack({
        store: kind,
        clock: () => fakeNow,
        configFile: { ...defaultConfigFile, retention: { interval: '1s', closed_incidents: '180d', events: '30d' } },
      });
    });
    after(() => stack.close());

    test('a closed incident is removed with its alerts and events once the clock passes 180 days', async () => {
      const url = `${stack.baseUrl}/event/push/alert/standard?integration_key=test-key-0001`;
      for (const key of ['r1', 'r2'])
        assert.equal((await postJson(url, { title_rule: key, event_status: 'Critical', alert_key: key })).status, 200);
      await stack.waitForEvents(2);
      const incidents = await stack.testStore.store.db.selectFrom('incidents').select('incident_id').execute();
      assert.equal(incidents.length, 2);
      assert.equal((await api(stack, 'POST', `/incidents/${incidents[0].incident_id}/close`)).status, 200);

      // 100 days on: the events of the closed incident are past 30 days; the incident stays.
      fakeNow += 100 * day;
      await eventually('events of the closed incident removed', async () => {
        const events = await stack.testStore.store.db.selectFrom('events').select('alert_id').execute();
        return events.length === 1 ? events : undefined;
      });
      assert.equal((await stack.testStore.store.db.selectFrom('incidents').selectAll().execute()).length, 2);

      fakeNow += 100 * day;
      await eventually('the closed incident removed', async () => {
        const left = await stack.testStore.store.db.selectFrom('incidents').select('incident_id').execute();
        return left.length === 1 ? left : undefined;
      });
      const left = await stack.testStore.store.db.selectFrom('alerts').select('incident_id').execute();
      assert.deepEqual(
        left.map((row) => row.incident_id),
        [incidents[1].incident_id],
        'the open incident keeps its alert',
      );
      assert.equal((await stack.testStore.store.db.selectFrom('events').selectAll().execute()).length, 1);

      const text = await metricsText(stack);
      assert.equal(metricValue(text, 'alertgate_retention_removed_rows_total{table="incidents"}'), 1);
      assert.equal(metricValue(text, 'alertgate_retention_removed_rows_total{table="alerts"}'), 1);
      assert.equal(metricValue(text, 'alertgate_retention_removed_rows_total{table="events"}'), 1);
      const sizePart = kind === 'sqlite' ? 'file' : 'events';
      await eventually('store size reported', async () =>
        metricValue(await metricsText(stack), `alertgate_store_size_bytes{part="${sizePart}"}`) > 0 ? true : undefined,
      );
    });

    test('several workers share one schedule: the job runs once per period', async () => {
      const second = createWorker({
        config: stack.config,
        store: stack.testStore.store,
        redis: { url: redisUrl, prefix: stack.prefix },
        logger: createLogger('silent'),
        metrics: createMetrics(),
        clock: () => fakeNow,
      });
      const connection = createProducerConnection({ url: redisUrl, prefix: stack.prefix });
      await connection.connect();
      const queue = createRetentionQueue(connection, stack.prefix);
      try {
        await eventually('both workers scheduled', async () => {
          const schedulers = await queue.getJobSchedulers();
          return schedulers.length === 1 && schedulers[0].every === 1000 ? schedulers : undefined;
        });
        const counts = await queue.getJobCounts('delayed', 'waiting', 'active');
        assert.ok(counts.delayed + counts.waiting + counts.active <= 2, JSON.stringify(counts));
      } finally {
        await second.close();
        await queue.close();
        connection.disconnect();
      }
    });
  });
}
