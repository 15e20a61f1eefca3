import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { sql } from 'kysely';
import { defaultRetention } from '../../src/config/retention.js';
import type { RetentionSettings } from '../../src/config/types.js';
import { createIdGenerator } from '../../src/events/ids.js';
import type { StoreDatabase } from '../../src/store/database.js';
import { runRetention, storeSize } from '../../src/store/retention.js';
import type { AlertsTable, IncidentsTable } from '../../src/store/tables.js';
import { storeKinds, createTestStore, type TestStore } from '../support/stores.js';

/*
 * Retention on both stores with a fake clock: rows are written at chosen times, then the job runs "now" and what is
 * left is checked row by row.
 */

const day = 86_400_000;
const now = Date.UTC(2026, 11, 1);
const ago = (days: number) => now - days * day;

let sequence = 0;
/** Ids are time-ordered: an id made "at" a time sorts with the events received then. */
const idAt = (time: number) => createIdGenerator(() => time)();

async function insertEvent(
  store: StoreDatabase,
  receivedAt: number,
  links: { alert_id?: string; incident_id?: string } = {},
): Promise<string> {
  sequence += 1;
  const event_id = idAt(receivedAt);
  await store.db
    .insertInto('events')
    .values({
      event_id,
      request_id: `r${sequence}`,
      integration_id: 'std',
      integration_type: 'standard',
      channel_id: 'ops',
      alert_key: `k${sequence}`,
      alert_id: links.alert_id ?? null,
      incident_id: links.incident_id ?? null,
      event_status: 'Critical',
      title: 't',
      title_rule: 't',
      description: null,
      labels: '{}',
      images: null,
      event_time: receivedAt,
      received_at: receivedAt,
      seq: sequence,
      processed_at: receivedAt,
      outcome: 'new_alert',
      trace: '[]',
    })
    .execute();
  return event_id;
}

async function insertAlert(
  store: StoreDatabase,
  start: number,
  state: { closedAt?: number; incident_id?: string; muted?: string },
): Promise<string> {
  sequence += 1;
  const alert_id = idAt(start);
  const row: AlertsTable = {
    alert_id,
    integration_id: 'std',
    integration_type: 'standard',
    channel_id: 'ops',
    alert_key: `a${sequence}`,
    incident_id: state.incident_id ?? null,
    title: 't',
    title_rule: 't',
    description: null,
    alert_status: state.closedAt === undefined ? 'Critical' : 'Ok',
    alert_severity: 'Critical',
    labels: '{}',
    images: null,
    last_event_hash: 'h',
    last_event_core_hash: 'h',
    event_cnt: 1,
    start_time: start,
    last_time: start,
    end_time: state.closedAt ?? null,
    close_time: state.closedAt ?? null,
    is_open: state.closedAt === undefined ? 1 : null,
    muted: state.muted ?? null,
    flapping: 0,
    created_at: start,
    updated_at: start,
  };
  await store.db.insertInto('alerts').values(row).execute();
  return alert_id;
}

async function insertIncident(store: StoreDatabase, start: number, closedAt?: number): Promise<string> {
  const incident_id = idAt(start);
  const row: IncidentsTable = {
    incident_id,
    channel_id: 'ops',
    title: 't',
    description: null,
    incident_severity: 'Critical',
    incident_status: closedAt === undefined ? 'Critical' : 'Ok',
    progress: closedAt === undefined ? 'Triggered' : 'Closed',
    labels: '{}',
    first_alert_id: null,
    alert_cnt: 1,
    active_alert_cnt: closedAt === undefined ? 1 : 0,
    group_method: 'n',
    grouping_key: null,
    open_grouping_key: null,
    storm_raised: null,
    flapping: 0,
    start_time: start,
    last_time: start,
    end_time: closedAt ?? null,
    ack_time: null,
    close_time: closedAt ?? null,
    created_at: start,
    updated_at: closedAt ?? start,
  };
  await store.db.insertInto('incidents').values(row).execute();
  await store.db
    .insertInto('incident_timeline')
    .values({ incident_id, type: 'i_new', at: start, actor: null, alert_id: null, detail: null })
    .execute();
  return incident_id;
}

/** An incident with one alert and `events` events of it, all at `start`; closed at `closedAt` when given. */
async function incidentWithAlert(store: StoreDatabase, start: number, closedAt?: number, events = 2) {
  const incident = await insertIncident(store, start, closedAt);
  const alert = await insertAlert(store, start, { closedAt, incident_id: incident });
  const eventIds: string[] = [];
  for (let i = 0; i < events; i += 1)
    eventIds.push(
      await insertEvent(store, start + i, { alert_id: alert, incident_id: i === 0 ? incident : undefined }),
    );
  return { incident, alert, eventIds };
}

async function idsOf(
  store: StoreDatabase,
  table: 'events' | 'alerts' | 'incidents' | 'deliveries',
): Promise<Set<string>> {
  const column = { events: 'event_id', alerts: 'alert_id', incidents: 'incident_id', deliveries: 'delivery_id' }[table];
  const rows = await sql<{ id: string }>`select ${sql.ref(column)} as id from ${sql.table(table)}`.execute(store.db);
  return new Set(rows.rows.map((row) => row.id));
}

async function countOf(store: StoreDatabase, table: string): Promise<number> {
  const rows = await sql<{ n: number }>`select count(*) as n from ${sql.table(table)}`.execute(store.db);
  return Number(rows.rows[0].n);
}

async function insertRejected(store: StoreDatabase, receivedAt: number): Promise<void> {
  sequence += 1;
  await sql`insert into rejected_payloads (id, integration_id, adapter, request_id, error_code, error_message, method,
      headers, query, content_type, body, received_at, stored_bytes)
    values (${idAt(receivedAt)}, 'std', 'strict', ${`r${sequence}`}, 'InvalidParameter', 'no', 'POST', '{}', '{}', null,
      '{}', ${receivedAt}, 2)`.execute(store.db);
}

const settings = (changes: Partial<RetentionSettings> = {}): RetentionSettings => ({ ...defaultRetention, ...changes });

for (const kind of storeKinds) {
  describe(`retention (${kind})`, () => {
    let testStore: TestStore;
    let store: StoreDatabase;
    before(async () => {
      testStore = await createTestStore(kind);
      store = testStore.store;
    });
    after(() => testStore.dispose());
    beforeEach(async () => {
      for (const table of [
        'events',
        'alerts',
        'incidents',
        'incident_timeline',
        'rejected_payloads',
        'deliveries',
        'delivery_attempts',
        'change_bodies',
        'outbox',
      ])
        await sql`delete from ${sql.table(table)}`.execute(store.db);
    });

    test('old events go; events of open alerts and open incidents stay whatever their age', async () => {
      const loneOld = await insertEvent(store, ago(40));
      const young = await insertEvent(store, ago(10));
      const openAlert = await insertAlert(store, ago(90), {});
      const ofOpenAlert = await insertEvent(store, ago(90), { alert_id: openAlert });
      // A recovered alert in an incident that is still open (other alerts firing, or auto_close off).
      const open = await incidentWithAlert(store, ago(60), undefined);
      const recoveredInOpen = await insertAlert(store, ago(60), { closedAt: ago(50), incident_id: open.incident });
      const ofRecoveredInOpen = await insertEvent(store, ago(60), { alert_id: recoveredInOpen });
      const closed = await incidentWithAlert(store, ago(100), ago(95));

      const removed = await runRetention(store, settings(), now, { pauseMs: 0 });

      const left = await idsOf(store, 'events');
      assert.ok(!left.has(loneOld), 'an event of nothing open, 40 days old, is removed');
      assert.ok(left.has(young));
      assert.ok(left.has(ofOpenAlert), 'events of an open alert stay');
      for (const id of [...open.eventIds, ofRecoveredInOpen])
        assert.ok(left.has(id), 'events of an open incident stay');
      for (const id of closed.eventIds) assert.ok(!left.has(id), 'events of a closed incident past 30 days go');
      // The closed incident itself is younger than 180 days: it and its alert stay, without their events.
      assert.ok((await idsOf(store, 'incidents')).has(closed.incident));
      assert.ok((await idsOf(store, 'alerts')).has(closed.alert));
      assert.equal(removed.events, 3);
      assert.equal(left.size, 5);
    });

    test('finished deliveries past 30 days go with their attempts; a pending one stays whatever its age', async () => {
      const delivery = (id: string, status: string, createdAt: number, changeId: string) => ({
        delivery_id: id,
        receiver_id: 'hook',
        change_id: changeId,
        event_type: 'i_new',
        channel_id: 'ops',
        incident_id: null,
        alert_id: null,
        order_key: id,
        status,
        queued: 1,
        attempts: 1,
        created_at: createdAt,
        updated_at: createdAt,
        next_attempt_at: null,
        delivered_at: null,
        last_status_code: null,
        last_error: null,
      });
      await store.db
        .insertInto('deliveries')
        .values([
          delivery('old-done', 'delivered', ago(40), 'change-a'),
          // The same change to another receiver, still being sent: its body stays.
          delivery('old-dead', 'dead', ago(35), 'change-b'),
          delivery('old-pending', 'pending', ago(40), 'change-b'),
          delivery('young-done', 'delivered', ago(5), 'change-c'),
        ] as never)
        .execute();
      await store.db
        .insertInto('change_bodies')
        .values(['a', 'b', 'c'].map((id) => ({ change_id: `change-${id}`, body: '{}', created_at: ago(40) })))
        .execute();
      await store.db
        .insertInto('delivery_attempts')
        .values({
          delivery_id: 'old-done',
          attempt: 1,
          at: ago(40),
          status_code: 200,
          latency_ms: 3,
          error: null,
          response: null,
        })
        .execute();

      const removed = await runRetention(store, settings(), now, { pauseMs: 0 });

      assert.deepEqual([...(await idsOf(store, 'deliveries'))].sort(), ['old-pending', 'young-done']);
      assert.equal(removed.deliveries, 2);
      assert.equal(removed.delivery_attempts, 1);
      const bodies = await store.db.selectFrom('change_bodies').select('change_id').orderBy('change_id').execute();
      assert.deepEqual(
        bodies.map((row) => row.change_id),
        ['change-b', 'change-c'],
      );
      assert.equal(removed.change_bodies, 1);
    });

    test('an incident closed past 180 days goes with its alerts, timeline and every event', async () => {
      const old = await incidentWithAlert(store, ago(200), ago(190));
      // Even an event received recently (a late one) goes with its incident.
      const late = await insertEvent(store, ago(1), { alert_id: old.alert });
      const recent = await incidentWithAlert(store, ago(170), ago(150));
      const open = await incidentWithAlert(store, ago(400), undefined);

      const removed = await runRetention(store, settings(), now, { pauseMs: 0 });

      assert.deepEqual([...(await idsOf(store, 'incidents'))].sort(), [recent.incident, open.incident].sort());
      assert.deepEqual([...(await idsOf(store, 'alerts'))].sort(), [recent.alert, open.alert].sort());
      assert.equal(await countOf(store, 'incident_timeline'), 2);
      const left = await idsOf(store, 'events');
      assert.ok(!left.has(late));
      for (const id of old.eventIds) assert.ok(!left.has(id));
      for (const id of open.eventIds) assert.ok(left.has(id), 'an incident open for 400 days keeps its events');
      assert.deepEqual(
        { incidents: removed.incidents, alerts: removed.alerts, timeline: removed.incident_timeline },
        { incidents: 1, alerts: 1, timeline: 1 },
      );
      // 2 events of the old incident and the late one, with it; 2 of the recent closed one, by age.
      assert.equal(removed.events, 5);
    });

    test('muted alerts that never had an incident go with their events once closed past 180 days', async () => {
      const old = await insertAlert(store, ago(300), { closedAt: ago(200), muted: 'silenced:s1' });
      const oldEvent = await insertEvent(store, ago(300), { alert_id: old });
      const recent = await insertAlert(store, ago(300), { closedAt: ago(100), muted: 'silenced:s1' });
      const stillMuted = await insertAlert(store, ago(300), { muted: 'silenced:s1' });
      await runRetention(store, settings(), now, { pauseMs: 0 });
      assert.deepEqual([...(await idsOf(store, 'alerts'))].sort(), [recent, stillMuted].sort());
      assert.ok(!(await idsOf(store, 'events')).has(oldEvent));
    });

    test('rejected payloads older than 7 days go', async () => {
      for (const days of [30, 8, 6, 1]) await insertRejected(store, ago(days));
      const removed = await runRetention(store, settings(), now, { pauseMs: 0 });
      assert.equal(removed.rejected_payloads, 2);
      assert.equal(await countOf(store, 'rejected_payloads'), 2);
    });

    test('small batches walk past the rows they keep and remove everything due', async () => {
      const openAlert = await insertAlert(store, ago(90), {});
      for (let i = 0; i < 20; i += 1) {
        await insertEvent(store, ago(60) + i, i % 4 === 0 ? { alert_id: openAlert } : {});
        await insertRejected(store, ago(20) + i);
      }
      for (let i = 0; i < 7; i += 1) await incidentWithAlert(store, ago(365) + i, ago(364) + i, 3);
      const batches: number[] = [];
      const removed = await runRetention(store, settings(), now, {
        batchSize: 3,
        pauseMs: 0,
        onRemoved: (rows) => batches.push(Object.values(rows).reduce((sum, n) => sum + n, 0)),
      });
      assert.equal(removed.events, 15 + 21);
      assert.equal(removed.incidents, 7);
      assert.equal(removed.rejected_payloads, 20);
      assert.equal(await countOf(store, 'events'), 5, 'the 5 events of the open alert');
      assert.ok(batches.length > 20, `${batches.length} batches`);
      assert.ok(Math.max(...batches) <= 3 * 4, 'no batch removes more than its rows and what belongs to them');
    });

    test('0/off keeps a kind forever; a budget stops a run and the next one goes on', async () => {
      const old = await insertEvent(store, ago(1000));
      await insertRejected(store, ago(1000));
      await runRetention(store, settings({ eventsMs: null, rejectedPayloadsMs: null }), now, { pauseMs: 0 });
      assert.ok((await idsOf(store, 'events')).has(old));
      assert.equal(await countOf(store, 'rejected_payloads'), 1);

      for (let i = 0; i < 30; i += 1) await insertEvent(store, ago(100) + i);
      const first = await runRetention(store, settings(), now, { batchSize: 2, pauseMs: 20, budgetMs: 50 });
      assert.ok((first.events ?? 0) < 31, 'the budget ended the first run early');
      const second = await runRetention(store, settings(), now, { batchSize: 50, pauseMs: 0 });
      assert.equal((first.events ?? 0) + (second.events ?? 0), 31);
      assert.equal(await countOf(store, 'events'), 0);
    });

    test('batches grow to the aimed duration; pauses grow while the worker lags behind the pushes', async () => {
      const run = async (lagMs: number) => {
        for (let i = 0; i < 60; i += 1) await insertEvent(store, ago(40) + i);
        // A clock that advances 4 ms each time it is read: every batch takes 4 ms.
        let ms = 0;
        const pauses: number[] = [];
        const batches: number[] = [];
        await runRetention(store, settings(), now, {
          pauseMs: 0,
          pacing: { initialBatchSize: 2, minBatchSize: 1, targetBatchMs: 8, share: 0.5, laggingShare: 0.25 },
          clock: () => (ms += 4),
          pause: async (pause) => pauses.push(pause),
          lagMs: () => lagMs,
          onRemoved: (rows) => {
            if (rows.events) batches.push(rows.events);
          },
        });
        return { pauses, batches };
      };
      const keepingUp = await run(0);
      assert.deepEqual(keepingUp.batches, [2, 4, 8, 16, 30], 'twice as fast as aimed: each batch doubles');
      assert.deepEqual(new Set(keepingUp.pauses), new Set([4]), 'half the time: each pause as long as a batch');
      const lagging = await run(10_000);
      assert.deepEqual(lagging.batches, [2, 4, 8, 16, 30]);
      assert.deepEqual(new Set(lagging.pauses), new Set([12]), 'a quarter of the time: three times a batch');
      assert.equal(await countOf(store, 'events'), 0);
    });

    test('the store size is reported by part', async () => {
      const sizes = await storeSize(store);
      if (kind === 'sqlite') {
        assert.ok(sizes.file > 0);
        assert.ok('wal' in sizes);
      } else {
        assert.ok(sizes.events > 0, JSON.stringify(sizes));
        assert.ok(sizes.incidents > 0);
      }
    });
  });
}
