import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { buildConfig } from '../../src/config/load-config.js';
import { newId } from '../../src/events/ids.js';
import type { QueuedEvent } from '../../src/events/types.js';
import { StoredSilences } from '../../src/silences/cache.js';
import { applyBatch } from '../../src/worker/apply-batch.js';
import { rulesFromConfig } from '../../src/worker/stage.js';
import { createTestStore, type TestStore } from '../support/stores.js';

/*
 * A lane's batch on PostgreSQL: one transaction with a savepoint per event. Many batches racing on the same grouping
 * keys (lanes of several workers) must neither lose, double nor stall an event, and one bad event costs only itself.
 */

const checks = ['cpu', 'disk', 'mem', 'net', 'dns'];
const rules = rulesFromConfig(
  buildConfig(
    {
      channels: [{ id: 'ops', grouping: { method: 'rules', equals: [['labels.check']] } }],
      integrations: [{ id: 'std', adapter: 'standard', key: 'test-key-0001', channel: 'ops' }],
    },
    'test',
    {},
  ),
  new StoredSilences(),
);

let sequence = 0;
function queuedEvent(changes: Partial<QueuedEvent> = {}): QueuedEvent {
  sequence += 1;
  const now = Date.now();
  return {
    event_id: newId(),
    request_id: `batch-${sequence}`,
    integration_id: 'std',
    integration_type: 'standard',
    received_at: now,
    seq: sequence,
    title: `alert ${sequence}`,
    title_rule: `alert ${sequence}`,
    event_status: 'Warning',
    alert_key: `k${sequence}`,
    alert_key_derived: false,
    labels: { check: checks[sequence % checks.length] },
    event_time: now,
    ...changes,
  } as QueuedEvent;
}

describe('PostgreSQL batches with a savepoint per event', () => {
  let testStore: TestStore;
  before(async () => {
    testStore = await createTestStore('postgres');
  });
  after(() => testStore.dispose());

  test('12 batches racing on 5 grouping keys store every event once, one open incident per key, exact counters', async () => {
    const batches = Array.from({ length: 12 }, () => Array.from({ length: 40 }, () => queuedEvent()));
    const results = await Promise.all(
      batches.map((events) => applyBatch(testStore.store, rules, events, Date.now, newId)),
    );
    assert.deepEqual(
      results.map((result) => result.failed.length),
      batches.map(() => 0),
    );
    assert.equal(
      results.reduce((sum, result) => sum + result.applied.length, 0),
      480,
    );
    const db = testStore.store.db;
    assert.equal((await db.selectFrom('events').select('event_id').execute()).length, 480);
    const open = await db
      .selectFrom('incidents')
      .select(['incident_id', 'alert_cnt'])
      .where('progress', '<>', 'Closed')
      .execute();
    assert.equal(open.length, checks.length);
    const counts = await sql<{
      incident_id: string;
      n: number;
    }>`select incident_id, count(*) as n from alerts group by incident_id`.execute(db);
    for (const incident of open)
      assert.equal(
        incident.alert_cnt,
        Number(counts.rows.find((row) => row.incident_id === incident.incident_id)?.n),
        `alert_cnt of ${incident.incident_id}`,
      );
    const joins = await db
      .selectFrom('incident_timeline')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    assert.equal(Number(joins.n), 480, 'one timeline entry per alert: opened or joined, none lost or doubled');
  });

  test('a bad event in the middle of a batch fails alone; the events around it commit in the same batch', async () => {
    const before = queuedEvent({ labels: { check: 'solo-1' } });
    // A label value longer than the column allows is refused by PostgreSQL when the alert is written.
    const bad = queuedEvent({ alert_key: 'x'.repeat(300) });
    const afterIt = queuedEvent({ labels: { check: 'solo-2' } });
    const result = await applyBatch(testStore.store, rules, [before, bad, afterIt], Date.now, newId);
    assert.deepEqual(
      result.failed.map((failure) => failure.event.event_id),
      [bad.event_id],
    );
    assert.match(result.failed[0].reason, /too long|value too long/);
    assert.deepEqual(
      result.applied.map((entry) => entry.event.event_id),
      [before.event_id, afterIt.event_id],
    );
    const stored = await testStore.store.db
      .selectFrom('events')
      .select('event_id')
      .where('event_id', 'in', [before.event_id, bad.event_id, afterIt.event_id])
      .execute();
    assert.equal(stored.length, 2);
    // Applied again (a redelivered job), nothing changes.
    const again = await applyBatch(testStore.store, rules, [before, afterIt], Date.now, newId);
    assert.equal(again.redelivered.length, 2);
  });
});
