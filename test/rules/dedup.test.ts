import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { QueuedEvent } from '../../src/events/types.js';
import { eventContentHash, eventCoreHash, mergeEventIntoAlert, type OpenAlert } from '../../src/rules/dedup.js';
import { deriveIncidentState, type IncidentSnapshot } from '../../src/incidents/state.js';

const event = (over: Partial<QueuedEvent>): QueuedEvent => ({
  title: 'cpu', title_rule: 'cpu', event_status: 'Critical', alert_key: 'k', alert_key_derived: false, labels: { host: 'a' }, event_time: 1, event_id: 'E1',
  request_id: 'r', integration_id: 'i', integration_type: 'standard', received_at: 1000, seq: 1, ...over,
});

const openFrom = (last: QueuedEvent): OpenAlert => ({
  alert_id: 'A', alert_status: last.event_status, alert_severity: 'Critical', labels: last.labels,
  last_event_hash: eventContentHash(last), last_event_core_hash: eventCoreHash(last), event_cnt: 1,
});

const last = event({});
const cases: Array<{ name: string; alert?: OpenAlert; next: QueuedEvent; kind: string }> = [
  { name: 'no alert, firing → open', next: event({}), kind: 'open' },
  { name: 'no alert, Ok → ignored', next: event({ event_status: 'Ok' }), kind: 'ignored_ok' },
  { name: 'identical → duplicate', alert: openFrom(last), next: event({ event_id: 'E2' }), kind: 'duplicate' },
  { name: 'same status/title/description, other labels → labels_updated', alert: openFrom(last), next: event({ labels: { host: 'b' } }), kind: 'labels_updated' },
  { name: 'other description → merged', alert: openFrom(last), next: event({ description: 'new' }), kind: 'merged' },
  { name: 'other severity → merged', alert: openFrom(last), next: event({ event_status: 'Warning' }), kind: 'merged' },
  { name: 'Ok → recovered', alert: openFrom(last), next: event({ event_status: 'Ok' }), kind: 'recovered' },
];

for (const item of cases) {
  test(`merge: ${item.name}`, () => assert.equal(mergeEventIntoAlert(item.alert, item.next).kind, item.kind));
}

test('recovery keeps the alert labels and adds missing ones; severity stays', () => {
  const decision = mergeEventIntoAlert(openFrom(last), event({ event_status: 'Ok', labels: { host: 'z', extra: '1' }, received_at: 5000 }));
  assert.equal(decision.kind, 'recovered');
  if (decision.kind !== 'recovered') return;
  assert.deepEqual(decision.changes.labels, { host: 'a', extra: '1' });
  assert.equal(decision.changes.alert_severity, 'Critical');
  assert.equal(decision.changes.end_time, 5000);
  assert.equal(decision.changes.event_cnt, 2);
});

test('a merge takes the new status, labels and last_time; severity stays the highest seen', () => {
  const decision = mergeEventIntoAlert(openFrom(last), event({ event_status: 'Info', labels: { host: 'b' }, received_at: 7000 }));
  assert.equal(decision.kind, 'merged');
  if (decision.kind !== 'merged') return;
  assert.equal(decision.changes.alert_status, 'Info');
  assert.equal(decision.changes.alert_severity, 'Critical');
  assert.deepEqual(decision.changes.labels, { host: 'b' });
  assert.equal(decision.changes.last_time, 7000);
});

const incident: IncidentSnapshot = { incident_severity: 'Critical', incident_status: 'Critical', progress: 'Triggered', end_time: null, close_time: null };
const stateCases = [
  { name: 'active alerts: severity highest of all, status highest of active', summary: { alertCount: 2, activeCount: 1, severities: ['Critical', 'Info'] as const, activeSeverities: ['Info'] as const }, autoClose: true, expect: { incident_severity: 'Critical', incident_status: 'Info', progress: 'Triggered', timeline: [] } },
  { name: 'all recovered with auto-close → Closed', summary: { alertCount: 1, activeCount: 0, severities: ['Warning'] as const, activeSeverities: [] }, autoClose: true, expect: { incident_status: 'Ok', progress: 'Closed', close_time: 99, end_time: 99, timeline: ['i_rslv'] } },
  { name: 'all recovered without auto-close → recovered, still open', summary: { alertCount: 1, activeCount: 0, severities: ['Warning'] as const, activeSeverities: [] }, autoClose: false, expect: { incident_status: 'Ok', progress: 'Triggered', close_time: null, end_time: 99, timeline: ['i_recover'] } },
];
for (const item of stateCases) {
  test(`incident state: ${item.name}`, () => {
    const update = deriveIncidentState(incident, { ...item.summary, severities: [...item.summary.severities], activeSeverities: [...item.summary.activeSeverities] }, item.autoClose, 99);
    for (const [key, value] of Object.entries(item.expect)) assert.deepEqual(update[key as keyof typeof update], value, key);
  });
}
