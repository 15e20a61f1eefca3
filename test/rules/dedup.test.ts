import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { QueuedEvent } from '../../src/events/types.js';
import { eventContentHash, eventCoreHash, mergeEventIntoAlert, type OpenAlert } from '../../src/rules/dedup.js';

const event = (over: Partial<QueuedEvent>): QueuedEvent => ({
  title: 'cpu',
  title_rule: 'cpu',
  event_status: 'Critical',
  alert_key: 'k',
  alert_key_derived: false,
  labels: { host: 'a' },
  event_time: 1,
  event_id: 'E1',
  request_id: 'r',
  integration_id: 'i',
  integration_type: 'standard',
  received_at: 1000,
  seq: 1,
  ...over,
});

const openFrom = (last: QueuedEvent): OpenAlert => ({
  alert_id: 'A',
  title: last.title,
  title_rule: last.title_rule,
  description: last.description ?? null,
  images: null,
  alert_status: last.event_status,
  alert_severity: 'Critical',
  labels: last.labels,
  last_event_hash: eventContentHash(last),
  last_event_core_hash: eventCoreHash(last),
  event_cnt: 1,
});

const last = event({});
const cases: Array<{ name: string; alert?: OpenAlert; next: QueuedEvent; kind: string }> = [
  { name: 'no alert, firing → open', next: event({}), kind: 'open' },
  { name: 'no alert, Ok → ignored', next: event({ event_status: 'Ok' }), kind: 'ignored_ok' },
  { name: 'identical → duplicate', alert: openFrom(last), next: event({ event_id: 'E2' }), kind: 'duplicate' },
  {
    name: 'same status/title/description, other labels → labels_updated',
    alert: openFrom(last),
    next: event({ labels: { host: 'b' } }),
    kind: 'labels_updated',
  },
  { name: 'other description → merged', alert: openFrom(last), next: event({ description: 'new' }), kind: 'merged' },
  { name: 'other severity → merged', alert: openFrom(last), next: event({ event_status: 'Warning' }), kind: 'merged' },
  { name: 'Ok → recovered', alert: openFrom(last), next: event({ event_status: 'Ok' }), kind: 'recovered' },
];

for (const item of cases) {
  test(`merge: ${item.name}`, () => assert.equal(mergeEventIntoAlert(item.alert, item.next).kind, item.kind));
}

test('recovery keeps the alert labels and adds missing ones; severity stays', () => {
  const decision = mergeEventIntoAlert(
    openFrom(last),
    event({ event_status: 'Ok', labels: { host: 'z', extra: '1' }, received_at: 5000 }),
  );
  assert.equal(decision.kind, 'recovered');
  if (decision.kind !== 'recovered') return;
  assert.deepEqual(decision.changes.labels, { host: 'a', extra: '1' });
  assert.equal(decision.changes.alert_severity, 'Critical');
  assert.equal(decision.changes.end_time, 5000);
  assert.equal(decision.changes.event_cnt, 2);
});

test('a merge takes the new status, labels and last_time; severity stays the highest seen', () => {
  const decision = mergeEventIntoAlert(
    openFrom(last),
    event({ event_status: 'Info', labels: { host: 'b' }, received_at: 7000 }),
  );
  assert.equal(decision.kind, 'merged');
  if (decision.kind !== 'merged') return;
  assert.equal(decision.changes.alert_status, 'Info');
  assert.equal(decision.changes.alert_severity, 'Critical');
  assert.deepEqual(decision.changes.labels, { host: 'b' });
  assert.equal(decision.changes.last_time, 7000);
});

test('a recovery closes the alert without renaming it or clearing its description', () => {
  const firing = event({ title: 'db1 / cpu idle low', title_rule: '$resource::cpu idle low', description: 'idle 3%' });
  const decision = mergeEventIntoAlert(
    openFrom(firing),
    event({ event_status: 'Ok', title: 'Resolved', title_rule: 'Resolved', description: undefined }),
  );
  assert.equal(decision.kind, 'recovered');
  if (decision.kind !== 'recovered') return;
  assert.equal(decision.changes.title, 'db1 / cpu idle low');
  assert.equal(decision.changes.title_rule, '$resource::cpu idle low');
  assert.equal(decision.changes.description, 'idle 3%');
});

test("a merge without a description keeps the alert's; one with a description replaces it", () => {
  const firing = event({ description: 'idle 3%' });
  const kept = mergeEventIntoAlert(openFrom(firing), event({ event_status: 'Warning', description: undefined }));
  assert.equal(kept.kind, 'merged');
  if (kept.kind === 'merged') assert.equal(kept.changes.description, 'idle 3%');
  const replaced = mergeEventIntoAlert(openFrom(firing), event({ event_status: 'Warning', description: 'idle 1%' }));
  if (replaced.kind === 'merged') assert.equal(replaced.changes.description, 'idle 1%');
  assert.equal(replaced.kind, 'merged');
});
