import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Heartbeat } from '../../src/config/types.js';
import { derivedEventId } from '../../src/events/ids.js';
import {
  deadlineOf,
  eventPings,
  missedEvent,
  nextCheckAfterMiss,
  pingRecovers,
  recoveredEvent,
} from '../../src/heartbeats/schedule.js';

const minute = 60_000;
const heartbeat: Heartbeat = {
  id: 'nightly',
  name: 'Nightly backup',
  channelId: 'ops',
  intervalMs: 60 * minute,
  graceMs: 5 * minute,
  key: 'hb-key-0001',
  labels: { service: 'backup' },
  integrationId: 'prom',
  match: { alertname: 'Watchdog' },
  enabled: true,
};
const t0 = 1_800_000_000_000;

test('deadline: interval + grace after the last ping, or after checks began when it never pinged', () => {
  assert.equal(deadlineOf(heartbeat, { since: t0, last_ping_at: null, last_missed_at: null }), t0 + 65 * minute);
  assert.equal(
    deadlineOf(heartbeat, { since: t0, last_ping_at: t0 + 10 * minute, last_missed_at: null }),
    t0 + 75 * minute,
  );
  // A ping recorded before checks began (state kept from an older configuration) does not move it back.
  assert.equal(deadlineOf(heartbeat, { since: t0, last_ping_at: t0 - minute, last_missed_at: null }), t0 + 65 * minute);
});

test('after a miss the next check is one interval on, skipping periods that passed meanwhile', () => {
  const missed = t0 + 65 * minute;
  assert.equal(nextCheckAfterMiss(heartbeat, missed, missed), missed + 60 * minute);
  assert.equal(nextCheckAfterMiss(heartbeat, missed, missed + 59 * minute), missed + 60 * minute);
  assert.equal(nextCheckAfterMiss(heartbeat, missed, missed + 60 * minute), missed + 120 * minute);
  assert.equal(nextCheckAfterMiss(heartbeat, missed, missed + 10 * 60 * minute + 1), missed + 11 * 60 * minute);
});

const pingCases: Array<{ name: string; state: [number | null, number | null]; now: number; recovers: boolean }> = [
  { name: 'within its deadline', state: [t0, null], now: t0 + 30 * minute, recovers: false },
  { name: 'overdue when applied (a check may have fired)', state: [t0, null], now: t0 + 66 * minute, recovers: true },
  { name: 'a miss recorded after the last ping', state: [t0, t0 + 65 * minute], now: t0 + 64 * minute, recovers: true },
  { name: 'a miss recorded before the last ping', state: [t0, t0 - minute], now: t0 + 30 * minute, recovers: false },
];
for (const { name, state, now, recovers } of pingCases) {
  test(`a ping recovers the alert: ${name} → ${recovers}`, () => {
    assert.equal(
      pingRecovers(heartbeat, { since: t0 - 1, last_ping_at: state[0], last_missed_at: state[1] }, now),
      recovers,
    );
  });
}

test('the missed event of a deadline is the same every time: one stored event per missed period', () => {
  const a = missedEvent(heartbeat, t0 + 65 * minute);
  const b = missedEvent(heartbeat, t0 + 65 * minute);
  assert.deepEqual(a, b);
  assert.notEqual(missedEvent(heartbeat, t0 + 125 * minute).event_id, a.event_id);
  assert.equal(a.event_status, 'Critical');
  assert.equal(a.alert_key, 'heartbeat:nightly');
  assert.equal(a.integration_id, 'heartbeat:nightly');
  assert.deepEqual(a.labels, { service: 'backup', heartbeat: 'nightly' });
  assert.equal(a.description, 'No ping of heartbeat nightly within 1h + 5m grace.');
  assert.match(a.event_id, /^[0-9A-HJKMNP-TV-Z]{26}$/);
});

test('event ids are time-ordered by their time part, so a recovery orders after the misses before it', () => {
  const missed = missedEvent(heartbeat, t0 + 65 * minute);
  const recovered = recoveredEvent(heartbeat, t0 + 70 * minute, t0 + 70 * minute);
  assert.ok(recovered.event_id > missed.event_id);
  assert.equal(recovered.event_status, 'Ok');
  assert.equal(recovered.alert_key, missed.alert_key);
  assert.ok(derivedEventId(t0, 'x') < derivedEventId(t0 + 1, 'a'));
  assert.equal(derivedEventId(t0, 'x'), derivedEventId(t0, 'x'));
});

test('an event pings when it comes from the heartbeat integration and carries every match label', () => {
  assert.equal(eventPings(heartbeat, { integration_id: 'prom', labels: { alertname: 'Watchdog', a: 'b' } }), true);
  assert.equal(eventPings(heartbeat, { integration_id: 'prom', labels: { alertname: 'HighCPU' } }), false);
  assert.equal(eventPings(heartbeat, { integration_id: 'other', labels: { alertname: 'Watchdog' } }), false);
  assert.equal(eventPings({ ...heartbeat, match: {} }, { integration_id: 'prom', labels: {} }), true);
});
