import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { newId } from '../../src/events/ids.js';
import type { QueuedEvent } from '../../src/events/types.js';
import { ingestJobOptions } from '../../src/queue/ingest-queue.js';
import { api, postJson, startStack, type Stack } from '../support/stack.js';
import { storeKinds } from '../support/stores.js';

/*
 * Events a store cannot hold. The gateway refuses or cleans what it can see is unstorable; whatever still fails in
 * the worker is set aside alone, with its reason, and never takes the events batched with it down.
 */

function queuedEvent(n: number, changes: Record<string, unknown> = {}): QueuedEvent {
  const now = Date.now();
  return {
    event_id: newId(),
    request_id: `poison-test-${n}`,
    integration_id: 'std',
    integration_type: 'standard',
    received_at: now,
    seq: n,
    title: `check ${n}`,
    title_rule: `check ${n}`,
    event_status: 'Critical',
    alert_key: `k${n}`,
    alert_key_derived: false,
    labels: { host: `h${n}` },
    event_time: now,
    ...changes,
  } as QueuedEvent;
}

for (const kind of storeKinds) {
  describe(`unstorable events on ${kind}`, () => {
    let stack: Stack;
    let url: string;
    before(async () => {
      stack = await startStack({ store: kind });
      url = `${stack.baseUrl}/event/push/alert/standard?integration_key=test-key-0001`;
    });
    after(() => stack.close());

    test('an event_time past what a store holds is refused with 400, as a number or a numeric string', async () => {
      for (const eventTime of [1e25, 1.7e308, '10000000000000000000000000', 253_402_300_800_000 * 1e6]) {
        const res = await postJson(url, {
          title_rule: 'far future',
          event_status: 'Critical',
          alert_key: 'future',
          event_time: eventTime,
        });
        assert.equal(res.status, 400, `event_time ${String(eventTime)}`);
        const error = res.body.error as { code: string; message: string };
        assert.equal(error.code, 'InvalidParameter');
        assert.match(error.message, /event_time: must be a Unix time/);
      }
      const edge = await postJson(url, {
        title_rule: 'last storable',
        event_status: 'Info',
        alert_key: 'edge',
        event_time: 253_402_300_799_999,
      });
      assert.equal(edge.status, 200, 'the last millisecond of year 9999 is accepted');
    });

    test('NUL characters are removed from every text field, so the event is stored', async () => {
      const res = await postJson(url, {
        title_rule: 'db1\u0000 down',
        event_status: 'Critical',
        alert_key: 'nul\u0000key',
        description: 'disk\u0000 full',
        labels: { host: 'db\u00001', empty: '\u0000' },
        images: [{ src: 'https://img.example/a.png', alt: 'gr\u0000aph' }],
      });
      assert.equal(res.status, 200);
      assert.equal((res.body.data as { alert_key: string }).alert_key, 'nulkey');
      await stack.waitForIdle();
      const alert = await stack.testStore.store.db
        .selectFrom('alerts')
        .selectAll()
        .where('alert_key', '=', 'nulkey')
        .executeTakeFirstOrThrow();
      assert.equal(alert.title, 'db1 down');
      assert.equal(alert.description, 'disk full');
      assert.deepEqual(JSON.parse(alert.labels), { host: 'db1' });
    });

    test('a poison event in a job is set aside alone with its reason; the rest of its job and other jobs are stored now', async () => {
      const poisons: QueuedEvent[] = [queuedEvent(2, { title: null })];
      if (kind === 'postgres')
        poisons.push(queuedEvent(5, { event_time: 1e25 }), queuedEvent(6, { title: 'nul\u0000title' }));
      const innocents = [queuedEvent(1), queuedEvent(3), queuedEvent(4)];
      const mixed = [innocents[0], ...poisons, innocents[1]] as QueuedEvent[];
      const poisonIds = new Set(poisons.map((event) => event.event_id));
      const before = await stack.testStore.store.db.selectFrom('events').select('event_id').execute();
      await stack.queue.addBulk([
        { name: 'events', data: { events: mixed }, opts: ingestJobOptions },
        { name: 'events', data: { events: [innocents[2] as QueuedEvent] }, opts: ingestJobOptions },
      ]);
      await stack.waitForEvents(before.length + innocents.length, 30_000);
      await stack.waitForIdle(30_000);
      const stored = new Set(
        (await stack.testStore.store.db.selectFrom('events').select('event_id').execute()).map((row) => row.event_id),
      );
      for (const event of innocents) assert.ok(stored.has(event.event_id), `innocent event ${event.seq} is stored`);
      for (const event of poisons) assert.ok(!stored.has(event.event_id), `poison event ${event.seq} is not stored`);

      const failed = await api(stack, 'GET', '/failed-jobs');
      assert.equal(failed.status, 200);
      const items = (failed.body.data as { items: Array<{ id: string; failed_reason: string; event_ids: string[] }> })
        .items;
      const setAside = items.filter((item) => item.event_ids.some((id) => poisonIds.has(id)));
      assert.equal(setAside.length, poisons.length, 'each poison event is a failed job of its own');
      for (const item of setAside) {
        assert.equal(item.event_ids.length, 1);
        assert.ok(item.failed_reason.length > 0, 'the reason is kept');
        assert.equal(item.id, `isolated-${item.event_ids[0]}`);
      }
      assert.ok(
        !items.some((item) =>
          item.event_ids.some((id) => !poisonIds.has(id) && innocents.some((event) => event.event_id === id)),
        ),
        'no innocent event is in the failed set',
      );
    });
  });
}
