import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { buildConfig } from '../../src/config/load-config.js';
import type { ConfigFile } from '../../src/config/types.js';
import { heartbeatQueueName, type HeartbeatJobData } from '../../src/heartbeats/heartbeat-queue.js';
import { createLogger } from '../../src/observability/logger.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { queuePrefix } from '../../src/queue/redis.js';
import { createWorker, type RunningWorker } from '../../src/worker/worker.js';
import { api, postJson, redisUrl, startStack, type Stack } from '../support/stack.js';
import { storeKinds } from '../support/stores.js';
import { eventually } from '../support/waiting.js';

const minute = 60_000;
const unlimited = { per_second: 100000, per_minute: 1000000 };
const configFile: ConfigFile = {
  channels: [
    {
      id: 'ops',
      name: 'Operations',
      // As the README advises: the Watchdog opens no incident of its own, and still counts as the ping.
      drop: [{ id: 'watchdog', if: [{ key: 'labels.alertname', op: 'IN', values: ['Watchdog'] }] }],
    },
  ],
  integrations: [{ id: 'prom', adapter: 'prometheus', key: 'prom-key-0001', channel: 'ops', rate_limit: unlimited }],
  heartbeats: [
    {
      id: 'backup',
      name: 'Nightly backup',
      channel: 'ops',
      interval: '10m',
      grace: '1m',
      key: 'hb-key-00001',
      labels: { service: 'backup' },
    },
    {
      id: 'watchdog',
      channel: 'ops',
      interval: '5m',
      key: 'hb-key-00002',
      integration: 'prom',
      match: { alertname: 'Watchdog' },
    },
  ],
};

/** An Alertmanager webhook with one firing alert of that name. */
const alertmanager = (alertname: string) => ({
  version: '4',
  status: 'firing',
  receiver: 'alertgate',
  groupKey: '{}:{}',
  alerts: [
    {
      status: 'firing',
      labels: { alertname, severity: 'none' },
      annotations: { summary: 'always firing' },
      startsAt: '2026-01-01T00:00:00Z',
      endsAt: '0001-01-01T00:00:00Z',
      fingerprint: `fp-${alertname}`,
    },
  ],
});

for (const kind of storeKinds) {
  describe(`heartbeats on ${kind}`, () => {
    let now = Date.now();
    const clock = () => now;
    let stack: Stack;
    let redis: Redis;
    let checks: Queue<HeartbeatJobData>;
    let workers: RunningWorker[] = [];
    const metrics = createMetrics();
    const config = buildConfig(configFile, 'test', {});
    const db = () => stack.testStore.store.db;

    const startWorker = () =>
      createWorker({
        config,
        store: stack.testStore.store,
        redis: { url: redisUrl, prefix: stack.prefix },
        logger: createLogger('silent'),
        metrics,
        clock,
      });
    const state = (id: string) =>
      db().selectFrom('heartbeats').selectAll().where('heartbeat_id', '=', id).executeTakeFirst();
    const alertsOf = (id: string) =>
      db().selectFrom('alerts').selectAll().where('alert_key', '=', `heartbeat:${id}`).orderBy('alert_id').execute();
    const criticalEventsOf = (id: string) =>
      db()
        .selectFrom('events')
        .selectAll()
        .where('alert_key', '=', `heartbeat:${id}`)
        .where('event_status', '=', 'Critical')
        .orderBy('event_id')
        .execute();
    const ping = async (id: string, key: string, method: 'GET' | 'POST' = 'GET') => {
      const res = await fetch(`${stack.baseUrl}/heartbeat/${id}?integration_key=${key}`, { method });
      return { status: res.status, body: (await res.json()) as { data?: unknown; error?: { code: string } } };
    };
    /** Makes every waiting check due now, runs them, and waits until their events are applied. */
    const fireChecks = async () => {
      await checks.promoteJobs();
      await eventually('heartbeat jobs done', async () => {
        const counts = await checks.getJobCounts('waiting', 'active', 'prioritized');
        return Object.values(counts).every((count) => count === 0) ? true : undefined;
      });
      await stack.waitForIdle(90_000);
    };
    const pinged = (id: string, at: number) =>
      eventually(`ping of ${id} at ${at}`, async () => ((await state(id))?.last_ping_at === at ? true : undefined));

    before(async () => {
      stack = await startStack({ store: kind, configFile, clock, worker: false });
      redis = new Redis(redisUrl);
      checks = new Queue<HeartbeatJobData>(heartbeatQueueName, {
        connection: redis,
        prefix: queuePrefix(stack.prefix),
      });
      workers = [startWorker()];
      await eventually('heartbeat state created', async () => ((await state('backup')) ? true : undefined));
    });
    after(async () => {
      await Promise.all(workers.map((worker) => worker.close()));
      await checks.obliterate({ force: true }).catch(() => undefined);
      await checks.close();
      redis.disconnect();
      await stack.close();
    });

    test('a ping on time raises nothing; GET and POST both ping; a wrong key or id is refused', async () => {
      const res = await ping('backup', 'hb-key-00001');
      assert.equal(res.status, 200);
      assert.deepEqual(res.body.data, { heartbeat_id: 'backup', received_at: now });
      await pinged('backup', now);
      now += 5 * minute;
      assert.equal((await ping('backup', 'hb-key-00001', 'POST')).status, 200);
      await pinged('backup', now);
      assert.deepEqual((await ping('backup', 'wrong-key-000')).body.error, {
        code: 'InvalidParameter',
        message: 'integration_key is not a valid one',
      });
      assert.equal((await ping('backup', 'hb-key-00002')).status, 400, 'another heartbeat key');
      const noKey = await fetch(`${stack.baseUrl}/heartbeat/backup`);
      assert.equal(noKey.status, 401);
      assert.equal((await ping('nope', 'hb-key-00001')).status, 404);
      const put = await fetch(`${stack.baseUrl}/heartbeat/backup?integration_key=hb-key-00001`, { method: 'PUT' });
      assert.equal(put.status, 400);
      assert.equal(((await put.json()) as { error: { code: string } }).error.code, 'MethodNotAllowed');
      const view = (await api(stack, 'GET', '/heartbeats/backup')).body.data as Record<string, unknown>;
      assert.equal(view.status, 'up');
      assert.equal(view.ping_url, 'http://alertgate.test/heartbeat/backup?integration_key=hb-key-00001');
      assert.equal(view.next_deadline, now + 11 * minute);
      now += 10 * minute;
      await fireChecks();
      assert.deepEqual(await criticalEventsOf('backup'), []);
    });

    test('a missed heartbeat opens one Critical alert and incident through the pipeline; a ping closes them', async () => {
      const lastPing = (await state('backup'))?.last_ping_at ?? 0;
      now = lastPing + 12 * minute;
      await fireChecks();
      const [alert] = await eventually('heartbeat alert', async () => {
        const alerts = await alertsOf('backup');
        return alerts.length > 0 ? alerts : undefined;
      });
      assert.equal(alert.alert_status, 'Critical');
      assert.equal(alert.title, 'Heartbeat missed: Nightly backup');
      assert.equal(alert.integration_id, 'heartbeat:backup');
      assert.equal(alert.channel_id, 'ops');
      assert.deepEqual(JSON.parse(alert.labels), { service: 'backup', heartbeat: 'backup' });
      assert.ok(alert.incident_id, 'the alert opened an incident');
      const [event] = await criticalEventsOf('backup');
      assert.equal(event.event_time, lastPing + 11 * minute, 'the event is the missed deadline');
      assert.equal(
        (await metrics.heartbeatsMissed.get()).values.find((v) => v.labels.heartbeat === 'backup')?.value,
        1,
      );

      assert.equal((await ping('backup', 'hb-key-00001')).status, 200);
      const closed = await eventually('alert recovered', async () => {
        const [current] = await alertsOf('backup');
        return current.alert_status === 'Ok' ? current : undefined;
      });
      const incident = await db()
        .selectFrom('incidents')
        .selectAll()
        .where('incident_id', '=', closed.incident_id ?? '')
        .executeTakeFirstOrThrow();
      assert.equal(incident.progress, 'Closed');
    });

    test('exactly one alert per missed period with two workers and a check handled twice', async () => {
      workers.push(startWorker());
      const lastPing = (await state('backup'))?.last_ping_at ?? 0;
      const deadline = lastPing + 11 * minute;
      // The same check once more under another job id, as a redelivery would bring it.
      await checks.add('check', { kind: 'check', heartbeat_id: 'backup', due_at: deadline }, { jobId: 'again' });
      now = deadline + minute;
      await fireChecks();
      const open = await eventually('second alert', async () => {
        const alerts = await alertsOf('backup');
        return alerts.length === 2 ? alerts[1] : undefined;
      });
      assert.equal(open.alert_status, 'Critical');
      const critical = (await criticalEventsOf('backup')).filter((event) => event.event_time === deadline);
      assert.equal(critical.length, 1, 'one stored event for the period');
      assert.equal((await state('backup'))?.missed_cnt, 2);
      // The next period, still silent: its own event, merged into the open alert as a duplicate.
      now = deadline + 10 * minute + 1;
      await fireChecks();
      await eventually('next period event', async () =>
        (await criticalEventsOf('backup')).some((event) => event.event_time === deadline + 10 * minute)
          ? true
          : undefined,
      );
      assert.equal((await alertsOf('backup')).length, 2, 'no new alert while the first is open');
      assert.equal((await state('backup'))?.missed_cnt, 3);
      assert.equal((await ping('backup', 'hb-key-00001')).status, 200);
      await eventually('recovered', async () =>
        (await alertsOf('backup'))[1].alert_status === 'Ok' ? true : undefined,
      );
    });

    test('across a worker restart: a period missed while no worker ran alerts once when one starts', async () => {
      await Promise.all(workers.map((worker) => worker.close()));
      workers = [];
      const lastPing = (await state('backup'))?.last_ping_at ?? 0;
      now = lastPing + 15 * minute;
      workers.push(startWorker());
      await fireChecks();
      await eventually('alert after restart', async () => {
        const alerts = await alertsOf('backup');
        return alerts.length === 3 && alerts[2].alert_status === 'Critical' ? true : undefined;
      });
      workers.push(startWorker());
      await fireChecks();
      const events = (await criticalEventsOf('backup')).filter((event) => event.event_time === lastPing + 11 * minute);
      assert.equal(events.length, 1);
      assert.equal((await alertsOf('backup')).length, 3);
    });

    test("Alertmanager's Watchdog: an always-firing alert of the named integration is the heartbeat's ping", async () => {
      const push = (alertname: string) =>
        postJson(`${stack.baseUrl}/event/push/alert/prometheus?integration_key=prom-key-0001`, alertmanager(alertname));
      assert.equal((await push('Watchdog')).status, 200);
      await pinged('watchdog', now);
      const watchdogPing = now;
      const dropped = await db()
        .selectFrom('events')
        .select(['outcome'])
        .where('integration_id', '=', 'prom')
        .executeTakeFirstOrThrow();
      assert.equal(dropped.outcome, 'dropped', 'the Watchdog itself opens nothing');
      now += minute;
      assert.equal((await push('HighCPU')).status, 200, 'another alert of the integration');
      await stack.waitForIdle(90_000);
      assert.equal((await state('watchdog'))?.last_ping_at, watchdogPing, 'only alertname=Watchdog pings');
      const before = (await alertsOf('watchdog')).filter((alert) => alert.alert_status !== 'Ok').length;
      assert.equal(before, 0, 'pinged: no open watchdog alert');
      now = watchdogPing + 6 * minute;
      await fireChecks();
      await eventually('watchdog alert', async () =>
        (await alertsOf('watchdog')).some((alert) => alert.alert_status === 'Critical') ? true : undefined,
      );
      assert.equal((await push('Watchdog')).status, 200);
      await eventually('watchdog recovered', async () =>
        (await alertsOf('watchdog')).every((alert) => alert.alert_status === 'Ok') ? true : undefined,
      );
    });

    test('disabling a heartbeat closes its open alert; a disabled heartbeat is not checked', async () => {
      // Silent since the restart test: its alert is open.
      now += 12 * minute;
      await fireChecks();
      await eventually('backup missed', async () =>
        (await alertsOf('backup')).some((alert) => alert.alert_status === 'Critical') ? true : undefined,
      );
      const disabled = buildConfig(
        {
          ...configFile,
          heartbeats: configFile.heartbeats?.map((heartbeat) =>
            heartbeat.id === 'backup' ? { ...heartbeat, enabled: false } : heartbeat,
          ),
        },
        'test',
        {},
      );
      for (const worker of workers) worker.setConfig(disabled);
      await eventually('backup alert closed', async () =>
        (await alertsOf('backup')).every((alert) => alert.alert_status === 'Ok') ? true : undefined,
      );
      const alertCount = (await alertsOf('backup')).length;
      now += 60 * minute;
      await fireChecks();
      assert.equal((await alertsOf('backup')).length, alertCount);
      assert.ok((await alertsOf('backup')).every((alert) => alert.alert_status === 'Ok'));
    });
  });
}
