import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { buildConfig } from '../../src/config/load-config.js';
import type { ChannelConfig, ConfigFile, WebhookConfig } from '../../src/config/types.js';
import { newId, newRequestId } from '../../src/events/ids.js';
import { normaliseStandardEvent } from '../../src/events/normalise.js';
import type { QueuedEvent } from '../../src/events/types.js';
import { stampEvents } from '../../src/ingest/stamp.js';
import { applyIncidentAction } from '../../src/incidents/actions.js';
import { expandOutbox, Notifier } from '../../src/notify/notifier.js';
import type { OutboxEntry } from '../../src/notify/outbox.js';
import { createLogger } from '../../src/observability/logger.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { createProducerConnection } from '../../src/queue/redis.js';
import { DeliveryQueues } from '../../src/queue/delivery-queue.js';
import { bindRepos } from '../../src/store/repos.js';
import { inRolledBackTransaction } from '../../src/store/transaction.js';
import { applyBatch } from '../../src/worker/apply-batch.js';
import { processEvent } from '../../src/worker/pipeline.js';
import { rulesFromConfig, type WorkerRules } from '../../src/worker/stage.js';
import { redisUrl } from '../support/stack.js';
import { createTestStore, storeKinds, type StoreKind, type TestStore } from '../support/stores.js';
import { eventually } from '../support/waiting.js';
import { startReceiver } from './receiver.js';

const everything: WebhookConfig = {
  id: 'all',
  url: 'http://127.0.0.1:9/unused',
  events: [
    'a_new',
    'a_update',
    'a_merge',
    'a_close',
    'i_new',
    'i_ack',
    'i_unack',
    'i_rslv',
    'i_reopen',
    'i_storm',
    'i_m_flapping',
  ],
};

function configFile(channel: Partial<ChannelConfig>, webhooks: WebhookConfig[] = [everything]): ConfigFile {
  return {
    channels: [{ id: 'ops', ...channel }],
    integrations: [{ id: 'std', adapter: 'standard', key: 'test-key-0001', channel: 'ops' }],
    webhooks,
  };
}

interface Driver {
  testStore: TestStore;
  rules: WorkerRules;
  events(body: Record<string, unknown>): QueuedEvent[];
  push(body: Record<string, unknown>): Promise<OutboxEntry[]>;
  /** Event types of the deliveries made of the committed outbox, in the order they were written. */
  delivered(): Promise<string[]>;
}

async function driver(kind: StoreKind, file: ConfigFile): Promise<Driver> {
  const testStore = await createTestStore(kind, { memory: true });
  const config = buildConfig(file, 'test', {});
  const rules = rulesFromConfig(config, undefined, 'http://alertgate.test');
  let now = Date.now() - 3_600_000;
  const clock = () => (now += 1000);
  const events = (body: Record<string, unknown>): QueuedEvent[] => {
    const receivedAt = clock();
    const integration = config.integrations[0];
    const context = { integrationId: 'std', integrationName: 'std', integrationType: 'standard', receivedAt };
    return stampEvents([normaliseStandardEvent(body, context)], integration, newRequestId(), receivedAt);
  };
  return {
    testStore,
    rules,
    events,
    async push(body) {
      const result = await applyBatch(testStore.store, rules, events(body), clock, newId);
      assert.deepEqual(result.failed, []);
      return result.deliveries;
    },
    async delivered() {
      await expandOutbox(testStore.store, 1000);
      const rows = await testStore.store.db.selectFrom('deliveries').select('event_type').orderBy('seq').execute();
      return rows.map((row) => row.event_type);
    },
  };
}

const alert = (key: string, status: string, labels: Record<string, string> = {}) => ({
  title_rule: `check ${key}`,
  event_status: status,
  alert_key: key,
  labels,
});

/** Each case: a channel, the events pushed in order, the deliveries expected in the order they were written. */
const cases: Array<{
  name: string;
  channel: Partial<ChannelConfig>;
  pushes: Array<Record<string, unknown>>;
  expected: string[];
}> = [
  {
    name: 'fire, a duplicate that changes nothing, recover',
    channel: {},
    pushes: [alert('k', 'Critical'), alert('k', 'Critical'), alert('k', 'Ok')],
    expected: ['a_new', 'i_new', 'a_close', 'i_rslv'],
  },
  {
    name: 'a storm: merges up to the notice are sent, merges beyond it are not',
    channel: {
      grouping: { method: 'rules', equals: [['labels.check']] },
      storm_thresholds: [3],
    } as Partial<ChannelConfig>,
    pushes: ['a', 'b', 'c', 'd', 'e'].map((key) => alert(key, 'Critical', { check: 'disk' })),
    expected: ['a_new', 'i_new', 'a_new', 'a_merge', 'a_new', 'a_merge', 'i_storm'],
  },
  {
    name: 'silenced (marked) and silenced (dropped) alerts are never delivered',
    channel: {
      silences: [
        {
          id: 'staging',
          if: [[{ key: 'labels.env', op: 'IN', values: ['staging'] }]],
          one_off: { start: 0, end: 4102444800 },
        },
        {
          id: 'noise',
          mode: 'drop',
          if: [{ key: 'title', op: 'IN', values: ['/heartbeat/'] }],
          one_off: { start: 0, end: 4102444800 },
        },
      ],
    } as Partial<ChannelConfig>,
    pushes: [
      alert('s', 'Critical', { env: 'staging' }),
      { title_rule: 'heartbeat missed', event_status: 'Warning', alert_key: 'h' },
    ],
    expected: [],
  },
  {
    name: 'an inhibited alert is never delivered',
    channel: {
      inhibitions: [
        {
          id: 'host-down',
          source: [{ key: 'severity', op: 'IN', values: ['Critical'] }],
          target: [{ key: 'severity', op: 'IN', values: ['Warning', 'Info'] }],
          equal: ['labels.host'],
        },
      ],
    } as Partial<ChannelConfig>,
    pushes: [alert('down', 'Critical', { host: 'db1' }), alert('slow', 'Warning', { host: 'db1' })],
    expected: ['a_new', 'i_new'],
  },
  {
    name: 'flapping: the incident is marked once, the alert muted by flapping is never delivered',
    channel: {
      flapping: { mode: 'alert-then-silence', max_changes: 4, in_mins: 60, mute_mins: 120 },
    } as Partial<ChannelConfig>,
    pushes: [
      alert('a', 'Critical'),
      alert('a', 'Ok'),
      alert('a', 'Critical'),
      alert('a', 'Ok'),
      alert('a', 'Critical'),
    ],
    expected: ['a_new', 'i_new', 'a_close', 'i_rslv', 'a_new', 'i_new', 'a_close', 'i_rslv', 'i_m_flapping'],
  },
];

for (const kind of storeKinds) {
  describe(`outbox (${kind})`, () => {
    for (const { name, channel, pushes, expected } of cases) {
      test(name, async () => {
        const run = await driver(kind, configFile(channel));
        try {
          for (const body of pushes) await run.push(body);
          assert.deepEqual(await run.delivered(), expected);
        } finally {
          await run.testStore.dispose();
        }
      });
    }

    test('a redelivered batch writes no second delivery; ids are deterministic per receiver and change', async () => {
      const run = await driver(kind, configFile({}, [everything, { id: 'other', url: 'http://127.0.0.1:9/x' }]));
      try {
        const events = run.events(alert('k', 'Critical'));
        const clock = () => Date.now();
        const first = await applyBatch(run.testStore.store, run.rules, events, clock, newId);
        const again = await applyBatch(run.testStore.store, run.rules, events, clock, newId);
        assert.deepEqual(
          first.deliveries.map((entry) => entry.receivers),
          [['all'], ['all', 'other']],
          'a_new to "all", i_new to "all" and "other"',
        );
        assert.deepEqual(again.deliveries, []);
        assert.deepEqual(again.redelivered, events);
        await expandOutbox(run.testStore.store, 1000);
        const rows = await run.testStore.store.db
          .selectFrom('deliveries')
          .select(['delivery_id', 'change_id', 'receiver_id'])
          .execute();
        assert.equal(rows.length, 3);
        const iNew = rows.filter((row) => row.receiver_id !== 'all' || row.change_id.endsWith('.0'));
        assert.equal(
          new Set(iNew.map((row) => row.change_id)).size,
          1,
          'one change id for i_new, whatever the receiver',
        );
      } finally {
        await run.testStore.dispose();
      }
    });

    test('a change rolled back leaves no delivery; an action commits its deliveries with it', async () => {
      const run = await driver(kind, configFile({}));
      try {
        const store = run.testStore.store;
        const deliveries: OutboxEntry[] = [];
        await inRolledBackTransaction(store, async (trx) => {
          const repos = bindRepos(trx, store.dialect);
          const context = { trx, dialect: store.dialect, repos, now: Date.now(), newId, deliveries };
          await processEvent(context, run.rules, run.events(alert('k', 'Critical'))[0]);
          await repos.deliveries.flushDeferred();
          assert.equal((await trx.selectFrom('outbox').selectAll().execute()).length, 2, 'written inside');
        });
        assert.equal(deliveries.length, 2);
        assert.deepEqual(await run.delivered(), [], 'gone with the rollback');
        await run.push(alert('k', 'Critical'));
        const incident = await store.db.selectFrom('incidents').select('incident_id').executeTakeFirstOrThrow();
        const sink = { outbox: run.rules.outbox, deliveries: [] as OutboxEntry[] };
        await applyIncidentAction(store, incident.incident_id, 'ack', { actor: 'bob' }, Date.now(), sink);
        await applyIncidentAction(store, incident.incident_id, 'ack', { actor: 'bob' }, Date.now(), sink);
        assert.equal(sink.deliveries.length, 1, 'acknowledging twice is one change');
        assert.deepEqual(await run.delivered(), ['a_new', 'i_new', 'i_ack']);
      } finally {
        await run.testStore.dispose();
      }
    });
  });
}

describe('the sweep (a crash between commit and enqueue)', () => {
  const prefix = `agtest-sweep-${newId().toLowerCase()}`;
  let close: () => Promise<void> = async () => undefined;
  after(() => close());

  test('committed deliveries that never got a job are enqueued by the sweep and delivered once', async () => {
    const receiver = await startReceiver();
    const run = await driver('sqlite', configFile({}, [{ id: 'sink', url: receiver.url }]));
    const notifier = new Notifier({
      store: run.testStore.store,
      redis: { url: redisUrl, prefix },
      logger: createLogger('silent'),
      metrics: createMetrics(),
      clock: Date.now,
      webhooks: buildConfig(configFile({}, [{ id: 'sink', url: receiver.url }]), 'test', {}).webhooks,
      sweepIntervalMs: 3_600_000,
      relayIntervalMs: 3_600_000,
      sweepGraceMs: 0,
    });
    close = async () => {
      await notifier.close();
      const connection = createProducerConnection({ url: redisUrl, prefix });
      await connection.connect().catch(() => undefined);
      const queues = new DeliveryQueues(connection, prefix);
      await queues
        .queue('sink')
        .obliterate({ force: true })
        .catch(() => undefined);
      await queues.close();
      connection.disconnect();
      await receiver.close();
      await run.testStore.dispose();
    };
    // The batch commits and its outbox becomes deliveries; the process "dies" before enqueueing them.
    await run.push(alert('k', 'Critical'));
    await run.push(alert('k', 'Ok'));
    await expandOutbox(run.testStore.store, 1000);
    const unqueued = await run.testStore.store.db.selectFrom('deliveries').select('queued').execute();
    assert.deepEqual(
      unqueued.map((row) => row.queued),
      [0, 0],
    );
    await new Promise((resolve) => setTimeout(resolve, 5));
    await notifier.sweep();
    await notifier.sweep();
    await eventually('both delivered', async () => (receiver.succeeded().length >= 2 ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.deepEqual(
      receiver.received.map((request) => request.json.event_type),
      ['i_new', 'i_rslv'],
    );
    const rows = await run.testStore.store.db.selectFrom('deliveries').select(['queued', 'status']).execute();
    assert.deepEqual(rows, [
      { queued: 1, status: 'delivered' },
      { queued: 1, status: 'delivered' },
    ]);
  });
});

for (const kind of storeKinds) {
  test(`repeat_interval: a Triggered, unacknowledged incident is notified again once per interval (${kind})`, async () => {
    const webhooks: WebhookConfig[] = [{ id: 'sink', url: 'http://127.0.0.1:9/unused' }];
    const file = { ...configFile({}, webhooks), channels: [{ id: 'ops', notify: { repeat_interval: '10m' } }] };
    const run = await driver(kind, file);
    const prefix = `agtest-repeat-${newId().toLowerCase()}`;
    const notifier = new Notifier({
      store: run.testStore.store,
      redis: { url: redisUrl, prefix },
      logger: createLogger('silent'),
      metrics: createMetrics(),
      clock: Date.now,
      webhooks: [],
      outbox: () => run.rules.outbox,
      sweepIntervalMs: 3_600_000,
    });
    try {
      // Opened an hour ago (the driver's clock): due now.
      await run.push(alert('old', 'Critical'));
      await run.push(alert('acked', 'Critical'));
      const acked = await run.testStore.store.db
        .selectFrom('alerts')
        .select('incident_id')
        .where('alert_key', '=', 'acked')
        .executeTakeFirstOrThrow();
      await applyIncidentAction(run.testStore.store, String(acked.incident_id), 'ack', {}, Date.now() - 3_000_000);
      await notifier.repeat(Date.now());
      await notifier.repeat(Date.now());
      assert.deepEqual(await run.delivered(), ['i_new', 'i_new', 'i_repeat']);
      const repeat = await run.testStore.store.db
        .selectFrom('deliveries')
        .select(['incident_id', 'body'])
        .where('event_type', '=', 'i_repeat')
        .executeTakeFirstOrThrow();
      assert.notEqual(repeat.incident_id, acked.incident_id);
      assert.equal((JSON.parse(repeat.body) as { incident: { progress: string } }).incident.progress, 'Triggered');
      // Ten minutes on, it is due again.
      await notifier.repeat(Date.now() + 600_001);
      assert.deepEqual(await run.delivered(), ['i_new', 'i_new', 'i_repeat', 'i_repeat']);
    } finally {
      await notifier.close();
      const connection = createProducerConnection({ url: redisUrl, prefix });
      await connection.connect().catch(() => undefined);
      const queues = new DeliveryQueues(connection, prefix);
      await queues
        .queue('sink')
        .obliterate({ force: true })
        .catch(() => undefined);
      await queues.close();
      connection.disconnect();
      await run.testStore.dispose();
    }
  });
}
