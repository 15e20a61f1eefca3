import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { buildConfig } from '../../src/config/load-config.js';
import type { ChannelConfig, ConfigFile, WebhookConfig } from '../../src/config/types.js';
import { newId, newRequestId } from '../../src/events/ids.js';
import { normaliseStandardEvent } from '../../src/events/normalise.js';
import type { QueuedEvent } from '../../src/events/types.js';
import { stampEvents } from '../../src/ingest/stamp.js';
import { applyIncidentAction } from '../../src/incidents/actions.js';
import {
  expandOutbox,
  handOverGraceMs,
  Notifier,
  relayOutbox,
  rowBodies,
  type RowBodies,
} from '../../src/notify/notifier.js';
import {
  handedBodyText,
  type HandedChange,
  type IncidentAsChanged,
  type Outbox,
  type OutboxEntry,
} from '../../src/notify/outbox.js';
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
  /** Applies the events of these bodies as one batch. */
  push(...bodies: Array<Record<string, unknown>>): Promise<OutboxEntry[]>;
  /** The bodies the pipeline handed over with its commits, as the notifier of the process gets them. */
  bodies: RowBodies;
  /** Event types of the deliveries made of the committed outbox, in the order they were written. */
  delivered(): Promise<string[]>;
}

/** The body of a handed-over change, as the notifier builds it when it relays the row. */
const handedText = (rules: WorkerRules, changeId: string, handed: HandedChange | undefined): string | undefined =>
  handed === undefined ? undefined : handedBodyText(rules.outbox as Outbox, changeId, handed);

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
  const handed = new Map<string, HandedChange>();
  const bodies = rowBodies(
    testStore.store,
    () => rules.outbox,
    (changeId) => handedText(rules, changeId, handed.get(changeId)),
  );
  return {
    testStore,
    rules,
    events,
    bodies,
    async push(...bodies) {
      const result = await applyBatch(testStore.store, rules, bodies.flatMap(events), clock, newId);
      assert.deepEqual(result.failed, []);
      for (const entry of result.deliveries) if (entry.handed !== undefined) handed.set(entry.change_id, entry.handed);
      return result.deliveries;
    },
    async delivered() {
      await expandOutbox(testStore.store, 1000, bodies);
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
        const handed = (changeId: string) =>
          handedText(run.rules, changeId, first.deliveries.find((entry) => entry.change_id === changeId)?.handed);
        await expandOutbox(
          run.testStore.store,
          1000,
          rowBodies(run.testStore.store, () => run.rules.outbox, handed),
        );
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

for (const kind of storeKinds)
  describe(`bodies handed over by the pipeline (${kind})`, () => {
    const file = configFile({}, [{ id: 'sink', url: 'http://127.0.0.1:9/unused', events: ['i_new', 'i_rslv'] }]);
    /** The deliveries' event types and the progress their bodies show, in the order they were written. */
    const sent = async (run: Driver) =>
      (
        await run.testStore.store.db
          .selectFrom('deliveries')
          .innerJoin('change_bodies', 'change_bodies.change_id', 'deliveries.change_id')
          .select(['deliveries.event_type', 'change_bodies.body'])
          .orderBy('deliveries.seq')
          .execute()
      ).map((row) => [row.event_type, (JSON.parse(row.body) as { incident: { progress: string } }).incident.progress]);

    /** What an entry hands over, which must be an incident change (its body built by the notifier). */
    const incidentHandedOver = (entry: OutboxEntry | undefined): IncidentAsChanged => {
      const handed = entry?.handed;
      assert.ok(handed !== undefined && 'incident' in handed && !('alert' in handed), 'an incident change, unbuilt');
      return handed;
    };

    /** Relays the outbox: the i_new goes out showing the incident Triggered, the i_rslv showing it Closed. */
    const relayedAsEachChangeLeftIt = async (run: Driver) => {
      await expandOutbox(run.testStore.store, 1000, run.bodies);
      assert.deepEqual(await sent(run), [
        ['i_new', 'Triggered'],
        ['i_rslv', 'Closed'],
      ]);
    };

    test('the rows go without bodies; the bodies handed over show each change as it was', async () => {
      const run = await driver(kind, file);
      try {
        const opened = await run.push(alert('k', 'Critical'));
        await run.push(alert('k', 'Ok'));
        // An incident change goes over as the incident it showed; its body is built when relayed.
        const handed = incidentHandedOver(opened[0]);
        assert.deepEqual([handed.event_type, handed.incident.progress], ['i_new', 'Triggered']);
        const written = await run.testStore.store.db.selectFrom('outbox').select('body').execute();
        assert.deepEqual(
          written.map((row) => row.body),
          ['', ''],
        );
        // Relayed after the incident was resolved: the i_new still shows it Triggered.
        await relayedAsEachChangeLeftIt(run);
      } finally {
        await run.testStore.dispose();
      }
    });

    test('one batch that opens and resolves an incident hands over the incident as each change left it', async () => {
      const run = await driver(kind, file);
      try {
        const entries = await run.push(alert('k', 'Critical'), alert('k', 'Ok'));
        assert.deepEqual(
          entries.map((entry) => incidentHandedOver(entry).incident.progress),
          ['Triggered', 'Closed'],
        );
        await relayedAsEachChangeLeftIt(run);
      } finally {
        await run.testStore.dispose();
      }
    });

    test('alert changes too go over unbuilt, as the alert each left: one batch that fires and recovers an alert', async () => {
      const alertsFile = configFile({}, [
        { id: 'sink', url: 'http://127.0.0.1:9/unused', events: ['a_new', 'a_update', 'a_close'] },
      ]);
      const run = await driver(kind, alertsFile);
      try {
        const entries = await run.push(
          alert('k', 'Warning', { host: 'db1' }),
          alert('k', 'Critical', { host: 'db1' }),
          alert('k', 'Ok', { host: 'db1' }),
        );
        const handed = entries.map((entry) => {
          assert.ok(entry.handed !== undefined && 'alert' in entry.handed, 'an alert change, unbuilt');
          return entry.handed;
        });
        assert.deepEqual(
          handed.map((change) => [change.event_type, change.alert.alert_status, change.alert.is_open]),
          [
            ['a_new', 'Warning', 1],
            ['a_update', 'Critical', 1],
            ['a_close', 'Ok', null],
          ],
        );
        assert.ok(handed.every((change) => change.incident?.title === 'check k'));
        await expandOutbox(run.testStore.store, 1000, run.bodies);
        const bodies = await run.testStore.store.db
          .selectFrom('deliveries')
          .innerJoin('change_bodies', 'change_bodies.change_id', 'deliveries.change_id')
          .select('change_bodies.body')
          .orderBy('deliveries.seq')
          .execute();
        assert.deepEqual(
          bodies.map((row) => {
            const body = JSON.parse(row.body) as {
              event_type: string;
              alert: { alert_status: string; progress: string; incident?: { title: string } };
            };
            return [body.event_type, body.alert.alert_status, body.alert.progress, body.alert.incident?.title];
          }),
          [
            ['a_new', 'Warning', 'Triggered', 'check k'],
            ['a_update', 'Critical', 'Triggered', 'check k'],
            ['a_close', 'Ok', 'Closed', 'check k'],
          ],
        );
      } finally {
        await run.testStore.dispose();
      }
    });

    test('a body that never came: the row waits for it, then is sent as things are; the rows behind it wait too', async () => {
      const run = await driver(kind, file);
      try {
        await run.push(alert('k', 'Critical'));
        await run.push(alert('k', 'Ok'));
        const rows = await run.testStore.store.db.selectFrom('outbox').selectAll().orderBy('seq').execute();
        const [first, second] = rows;
        assert.ok(first && second);
        // Nothing handed over (the writing process died), except the second row's body.
        const lost: RowBodies = {
          handed: (changeId) => (changeId === second.change_id ? '{"event_id":"second"}' : undefined),
          rebuild: (row, now) => run.bodies.rebuild(row, now),
        };
        const early = await expandOutbox(run.testStore.store, 1000, lost, Number(first.created_at) + 1);
        assert.deepEqual([early.rows.length, early.unsendable.length], [0, 0]);
        assert.equal((await run.testStore.store.db.selectFrom('outbox').select('seq').execute()).length, 2);
        const late = await expandOutbox(
          run.testStore.store,
          1000,
          lost,
          Number(first.created_at) + handOverGraceMs + 1,
        );
        assert.equal(late.rows.length, 2);
        const bodies = await run.testStore.store.db.selectFrom('change_bodies').select(['change_id', 'body']).execute();
        const bodyOf = (changeId: string) => bodies.find((row) => row.change_id === changeId)?.body ?? '';
        // Built when relayed: the incident as it then was (resolved), under the change's own id and type.
        const rebuilt = JSON.parse(bodyOf(first.change_id)) as Record<string, { progress: string } | string>;
        assert.equal(rebuilt.event_id, first.change_id);
        assert.equal(rebuilt.event_type, 'i_new');
        assert.equal((rebuilt.incident as { progress: string }).progress, 'Closed');
        assert.equal(bodyOf(second.change_id), '{"event_id":"second"}');
      } finally {
        await run.testStore.dispose();
      }
    });

    test('a change whose incident is gone before it was relayed is removed unsent', async () => {
      const run = await driver(kind, file);
      try {
        await run.push(alert('k', 'Critical'));
        await run.testStore.store.db.updateTable('outbox').set({ incident_id: 'no-such-incident' }).execute();
        const nothingHanded = rowBodies(run.testStore.store, () => run.rules.outbox);
        const result = await expandOutbox(run.testStore.store, 1000, nothingHanded, Date.now() + handOverGraceMs);
        assert.deepEqual([result.rows.length, result.unsendable.length], [0, 1]);
        assert.equal((await run.testStore.store.db.selectFrom('outbox').select('seq').execute()).length, 0);
        assert.deepEqual(await sent(run), []);
      } finally {
        await run.testStore.dispose();
      }
    });
  });

describe('relay jobs and the sweep', () => {
  const closers: Array<() => Promise<void>> = [];
  after(async () => {
    for (const close of closers.reverse()) await close();
  });

  /** A notifier for one receiver over a store of its own, timers off: the test relays and sweeps itself. */
  async function setUp(respond?: Parameters<typeof startReceiver>[0]) {
    const prefix = `agtest-relay-${newId().toLowerCase()}`;
    const receiver = await startReceiver(respond);
    const file = configFile({}, [{ id: 'sink', url: receiver.url, events: ['i_new', 'i_rslv'] }]);
    const run = await driver('sqlite', file);
    const webhooks = buildConfig(file, 'test', {}).webhooks;
    const notifier = new Notifier({
      store: run.testStore.store,
      redis: { url: redisUrl, prefix },
      logger: createLogger('silent'),
      metrics: createMetrics(),
      clock: Date.now,
      webhooks,
      outbox: () => run.rules.outbox,
      sweepIntervalMs: 3_600_000,
      relayIntervalMs: 3_600_000,
      sweepGraceMs: 0,
      retryBaseMs: 50,
    });
    const connection = createProducerConnection({ url: redisUrl, prefix });
    await connection.connect().catch(() => undefined);
    const queues = new DeliveryQueues(connection, prefix);
    closers.push(async () => {
      await notifier.close();
      await queues
        .queue('sink')
        .obliterate({ force: true })
        .catch(() => undefined);
      await queues.close();
      connection.disconnect();
      await receiver.close();
      await run.testStore.dispose();
    });
    const rows = () =>
      run.testStore.store.db
        .selectFrom('deliveries')
        .select(['delivery_id', 'queued', 'job_id', 'status', 'attempts'])
        .orderBy('seq')
        .execute();
    return { receiver, run, webhooks, notifier, queues, rows };
  }

  test('a relay job that never came (a crash after commit): the sweep gives its deliveries jobs of their own', async () => {
    const { receiver, run, notifier, rows } = await setUp();
    // The outbox becomes deliveries owned by a relay job; the process "dies" before adding the job.
    await run.push(alert('k', 'Critical'));
    await run.push(alert('k', 'Ok'));
    const { relayed } = await expandOutbox(run.testStore.store, 1000, run.bodies);
    assert.equal(relayed.length, 1);
    assert.deepEqual(
      (await rows()).map((row) => [row.job_id, row.queued]),
      relayed[0].deliveryIds.map(() => [relayed[0].jobId, 1]),
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
    assert.deepEqual(
      (await rows()).map(({ queued, job_id, status }) => ({ queued, job_id, status })),
      [
        { queued: 1, job_id: null, status: 'delivered' },
        { queued: 1, job_id: null, status: 'delivered' },
      ],
    );
  });

  test('a relay job added after the sweep took its deliveries leaves them: each change is sent once', async () => {
    const { receiver, run, webhooks, notifier, queues, rows } = await setUp();
    for (const key of ['a', 'b', 'c']) await run.push(alert(key, 'Critical'));
    const { relayed } = await expandOutbox(run.testStore.store, 1000, run.bodies);
    await new Promise((resolve) => setTimeout(resolve, 5));
    // The sweep finds the relay job missing and enqueues each delivery on a job of its own; then the late relay job
    // is added, as by a notifier that was paused between its commit and the add.
    await notifier.sweep();
    await queues.enqueueRelayed('sink', relayed[0].jobId, relayed[0].deliveryIds, webhooks[0].maxAttempts);
    await eventually('three delivered', async () => (receiver.succeeded().length >= 3 ? true : undefined));
    await eventually('the relay job is done', async () =>
      (await queues.queue('sink').getJob(relayed[0].jobId)) ? undefined : true,
    );
    assert.equal(receiver.received.length, 3);
    assert.equal(new Set(receiver.received.map((request) => request.headers['x-alertgate-delivery'])).size, 3);
    assert.ok((await rows()).every((row) => row.status === 'delivered' && row.job_id === null));
  });

  test('a pass of several relay transactions: each row once, their deliveries on one relay job', async () => {
    const { receiver, run, webhooks, queues, rows } = await setUp();
    for (let i = 0; i < 7; i += 1) await run.push(alert(`pass-${i}`, 'Critical'));
    // Three rows a transaction; the bodies of the third transaction's rows cannot be had: it fails, after the first
    // two committed.
    const bodies: RowBodies = {
      handed: (changeId) => {
        if (changeId === failAt) throw new Error('no body');
        return run.bodies.handed(changeId);
      },
      rebuild: (row, now) => run.bodies.rebuild(row, now),
    };
    const outboxRows = await run.testStore.store.db.selectFrom('outbox').select('change_id').orderBy('seq').execute();
    assert.equal(outboxRows.length, 7);
    const failAt = outboxRows[6].change_id;
    await assert.rejects(relayOutbox(run.testStore.store, queues, webhooks, bodies, undefined, 3), /no body/);
    // The six rows relayed became deliveries of one relay job, added although the pass failed.
    const written = await rows();
    assert.equal(written.length, 6);
    assert.equal(new Set(written.map((row) => row.job_id)).size, 1);
    const job = await queues.queue('sink').getJob(written[0].job_id as string);
    assert.ok(job, 'the relay job was added');
    await eventually('six delivered', async () => (receiver.succeeded().length >= 6 ? true : undefined));
    // The rest go with the next pass.
    assert.equal(await relayOutbox(run.testStore.store, queues, webhooks, run.bodies, undefined, 3), 1);
    await eventually('seven delivered', async () => (receiver.succeeded().length >= 7 ? true : undefined));
    assert.equal(new Set(receiver.received.map((request) => request.headers['x-alertgate-delivery'])).size, 7);
    assert.equal(receiver.received.length, 7);
  });

  test('deliveries to a receiver that is down cost one job per relay pass, not one per delivery', async () => {
    // Connection refused: the port of a server that was closed.
    const closed = await startReceiver();
    const downUrl = closed.url;
    await closed.close();
    const { run, webhooks, notifier, queues, rows } = await setUp();
    await notifier.setWebhooks([{ ...webhooks[0], url: downUrl }]);
    const keys = Array.from({ length: 60 }, (_, i) => `down-${i}`);
    const entries: OutboxEntry[] = [];
    for (const key of keys) entries.push(...(await run.push(alert(key, 'Critical'))));
    await notifier.relay(entries);
    // The first failures open the receiver's circuit; the relay job then waits, whole, for the rest to end.
    const waiting = await eventually('the relay job waits for the receiver', async () => {
      const counts = await queues.queue('sink').getJobCounts('delayed', 'waiting', 'active');
      const attempted = (await rows()).filter((row) => row.attempts > 0).length;
      return counts.delayed > 0 && counts.active === 0 && attempted >= 3 ? { counts, attempted } : undefined;
    });
    const all = await rows();
    assert.equal(all.length, keys.length);
    assert.ok(all.every((row) => row.status === 'pending'));
    // The attempts made are the probes (at most the receiver's concurrency per wake, a few wakes on a slow machine);
    // every other delivery has not been tried and is still the relay job's.
    assert.ok(waiting.attempted <= 16, `${waiting.attempted} attempts for ${keys.length} deliveries`);
    const jobs = waiting.counts.delayed + waiting.counts.waiting + waiting.counts.active;
    assert.ok(jobs <= waiting.attempted + 1, `${jobs} jobs for ${keys.length} deliveries`);
    assert.equal(
      all.filter((row) => row.attempts === 0 && row.job_id !== null).length,
      keys.length - waiting.attempted,
    );
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
        .innerJoin('change_bodies', 'change_bodies.change_id', 'deliveries.change_id')
        .select(['deliveries.incident_id', 'change_bodies.body'])
        .where('deliveries.event_type', '=', 'i_repeat')
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
