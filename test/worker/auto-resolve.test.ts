import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ConfigFile } from '../../src/config/types.js';
import { createLogger } from '../../src/observability/logger.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { ingestJobOptions } from '../../src/queue/ingest-queue.js';
import { timerJobId, timerJobOptions } from '../../src/queue/timer-queue.js';
import { getIncident } from '../../src/store/read-models.js';
import { createWorker, type RunningWorker } from '../../src/worker/worker.js';
import { queuedEventsOf } from '../support/queued.js';
import { postJson, redisUrl, startStack, type Stack } from '../support/stack.js';
import { storeKinds } from '../support/stores.js';

/** Auto-resolve with real time and real timers: short durations, restarts, several workers. */

function configWith(after: string): ConfigFile {
  return {
    channels: [
      {
        id: 'ops',
        grouping: { method: 'rules', equals: [['labels.check']] },
        auto_resolve: { after, from: 'trigger' },
      },
    ],
    integrations: [
      {
        id: 'std',
        adapter: 'standard',
        key: 'test-key-0001',
        channel: 'ops',
        rate_limit: { per_second: 100000, per_minute: 1000000 },
      },
    ],
  };
}

async function push(stack: Stack, alertKey: string): Promise<string> {
  const res = await postJson(`${stack.baseUrl}/event/push/alert/standard?integration_key=test-key-0001`, {
    title_rule: 'disk full',
    event_status: 'Critical',
    alert_key: alertKey,
    labels: { check: 'disk' },
  });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return String(res.body.request_id);
}

async function onlyIncidentId(stack: Stack): Promise<string> {
  const rows = await stack.testStore.store.db.selectFrom('incidents').select('incident_id').execute();
  assert.equal(rows.length, 1, 'one incident');
  return rows[0].incident_id;
}

async function waitUntilClosed(stack: Stack, incidentId: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const row = await stack.testStore.store.db
      .selectFrom('incidents')
      .select('progress')
      .where('incident_id', '=', incidentId)
      .executeTakeFirstOrThrow();
    if (row.progress === 'Closed') return;
    if (Date.now() > deadline) throw new Error(`incident ${incidentId} still ${row.progress}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function extraWorker(stack: Stack): RunningWorker {
  return createWorker({
    config: stack.config,
    store: stack.testStore.store,
    redis: { url: redisUrl, prefix: stack.prefix },
    logger: createLogger('silent'),
    metrics: createMetrics(),
  });
}

for (const kind of storeKinds) {
  describe(`auto-resolve timers on ${kind}`, () => {
    describe('from trigger, after 1s', () => {
      let stack: Stack;
      before(async () => {
        stack = await startStack({ store: kind, configFile: configWith('1s') });
      });
      after(() => stack.close());

      test('closes the incident and its alerts with an i_rslv from autorslv', async () => {
        await push(stack, 'a');
        await stack.waitForIdle();
        const id = await onlyIncidentId(stack);
        const open = await getIncident(stack.testStore.store.db, id);
        assert.equal(open?.incident.progress, 'Triggered');
        assert.equal(open?.incident.accepts_alerts, true);
        await waitUntilClosed(stack, id);
        const closed = await getIncident(stack.testStore.store.db, id);
        assert.ok(closed);
        const { incident, alerts, timeline } = closed;
        assert.ok(Number(incident.close_time) >= Number(incident.start_time) + 1000, 'not before it was due');
        assert.equal(incident.end_time, incident.close_time);
        assert.equal(incident.accepts_alerts, false);
        assert.deepEqual(
          alerts.map((alert) => alert.progress),
          ['Closed'],
        );
        assert.deepEqual(
          timeline.map((entry) => entry.type),
          ['i_new', 'i_rslv'],
        );
        assert.deepEqual(timeline[1].detail, {
          from: 'autorslv',
          after_ms: 1000,
          counted_from: 'trigger',
          closed_alerts: 1,
        });
      });
    });

    describe('restart between scheduling and firing', () => {
      let stack: Stack;
      const workers: RunningWorker[] = [];
      before(async () => {
        stack = await startStack({ store: kind, configFile: configWith('2s'), worker: false });
      });
      after(async () => {
        await Promise.all(workers.map((worker) => worker.close()));
        await stack.close();
      });

      test('two workers started after the first one stopped close the incident once', async () => {
        const first = extraWorker(stack);
        await push(stack, 'a');
        await stack.waitForIdle();
        await first.close();
        const id = await onlyIncidentId(stack);
        const [scheduled] = await stack.timers.getDelayed();
        assert.equal(scheduled?.data.incident_id, id, 'the timer waits in Redis while no worker runs');
        // More timers of the same incident, so both workers race to close it.
        const copies = [1, 2, 3, 4].map((n) => ({ incident_id: id, due_at: scheduled.data.due_at - n }));
        await stack.timers.addBulk(
          copies.map((data) => ({
            name: 'auto-resolve',
            data,
            opts: { ...timerJobOptions, jobId: timerJobId(data), delay: Math.max(0, data.due_at - Date.now()) },
          })),
        );
        workers.push(extraWorker(stack), extraWorker(stack));
        await waitUntilClosed(stack, id);
        await stack.fireTimers();
        const detail = await getIncident(stack.testStore.store.db, id);
        assert.deepEqual(
          detail?.timeline.map((entry) => entry.type),
          ['i_new', 'i_rslv'],
        );
        const counts = await stack.timers.getJobCounts('delayed', 'waiting', 'active', 'failed');
        assert.deepEqual(counts, { delayed: 0, waiting: 0, active: 0, failed: 0 });
      });
    });

    describe('crash after the commit, before the timer was scheduled', () => {
      let stack: Stack;
      let worker: RunningWorker | undefined;
      before(async () => {
        stack = await startStack({ store: kind, configFile: configWith('3s'), worker: false });
      });
      after(async () => {
        await worker?.close();
        await stack.close();
      });

      test('the redelivered job schedules the timer again', async () => {
        const requestId = await push(stack, 'a');
        const events = await queuedEventsOf(stack, requestId);
        worker = extraWorker(stack);
        await stack.waitForIdle();
        const id = await onlyIncidentId(stack);
        // As if the worker died between its commit and scheduling: no timer, and the job comes back.
        await stack.timers.obliterate({ force: true });
        await stack.queue.add('events', { events }, ingestJobOptions);
        await stack.waitForIdle();
        assert.deepEqual(
          (await stack.timers.getDelayed()).map((job) => job.data.incident_id),
          [id],
        );
        await waitUntilClosed(stack, id);
        const detail = await getIncident(stack.testStore.store.db, id);
        assert.deepEqual(
          detail?.timeline.map((entry) => entry.type),
          ['i_new', 'i_rslv'],
        );
        const stored = await stack.testStore.store.db.selectFrom('events').select('event_id').execute();
        assert.equal(stored.length, 1, 'the redelivered event changed nothing');
      });
    });
  });
}
