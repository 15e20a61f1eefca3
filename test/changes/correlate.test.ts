import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rankChanges, sharedLabels, type CorrelationCandidate } from '../../src/changes/correlate.js';

const hour = 3_600_000;
const start = 100 * hour;
const incident = { labels: { service: 'checkout', cluster: 'eu-1', host: 'web-3', env: 'prod' }, start_time: start };
const change = (
  id: string,
  labels: Record<string, string>,
  startTime: number,
  lastTime = startTime,
): CorrelationCandidate => ({ change_id: id, labels, start_time: startTime, last_time: lastTime });

test('sharedLabels: same name and same value, sorted', () => {
  assert.deepEqual(sharedLabels({ b: '1', a: '2', c: '3' }, { a: '2', b: '1', c: 'x' }), ['a', 'b']);
  assert.deepEqual(sharedLabels({ service: 'a' }, { app: 'a' }), []);
});

const cases: Array<{ name: string; changes: CorrelationCandidate[]; window?: number; expected: string[] }> = [
  {
    name: 'more shared label values rank first, whatever their time',
    changes: [
      change('A', { service: 'checkout' }, start - 10 * 60_000),
      change('B', { service: 'checkout', cluster: 'eu-1' }, start - 90 * 60_000),
    ],
    expected: ['B', 'A'],
  },
  {
    name: 'equal scores: the change nearest the start ranks first',
    changes: [
      change('A', { env: 'prod' }, start - 60 * 60_000),
      change('B', { host: 'web-3' }, start - 5 * 60_000),
      change('C', { cluster: 'eu-1' }, start - 30 * 60_000),
    ],
    expected: ['B', 'C', 'A'],
  },
  {
    name: 'a change still under way at the start counts as nearest (distance 0)',
    changes: [
      change('A', { service: 'checkout' }, start - 5 * 60_000),
      change('B', { service: 'checkout' }, start - 3 * hour, start + 10 * 60_000),
    ],
    expected: ['B', 'A'],
  },
  {
    name: 'no shared value, a value of another label, or a change started after the incident: left out',
    changes: [
      change('A', { service: 'payments' }, start - 60_000),
      change('B', { app: 'checkout' }, start - 60_000),
      change('C', { service: 'checkout' }, start + 60_000),
    ],
    expected: [],
  },
  {
    name: 'outside the window (its last event before start − window): left out; the edge is in',
    changes: [
      change('A', { service: 'checkout' }, start - 3 * hour, start - 2 * hour - 1),
      change('B', { service: 'checkout' }, start - 3 * hour, start - 2 * hour),
    ],
    expected: ['B'],
  },
  {
    name: 'a shorter window drops what the default keeps',
    window: 30 * 60_000,
    changes: [change('A', { service: 'checkout' }, start - 45 * 60_000), change('B', { service: 'checkout' }, start)],
    expected: ['B'],
  },
  {
    name: 'full tie: the newer change id first',
    changes: [change('01A', { env: 'prod' }, start - 60_000), change('01B', { env: 'prod' }, start - 60_000)],
    expected: ['01B', '01A'],
  },
];

for (const { name, changes, window, expected } of cases) {
  test(`rankChanges: ${name}`, () => {
    const ranked = rankChanges(incident, changes, window ?? 2 * hour);
    assert.deepEqual(
      ranked.map((entry) => entry.change_id),
      expected,
    );
    for (const entry of ranked) assert.equal(entry.score, entry.shared_labels.length);
  });
}

test('rankChanges names the shared labels of each change', () => {
  const [ranked] = rankChanges(incident, [change('A', { service: 'checkout', host: 'web-3' }, start)], 2 * hour);
  assert.deepEqual(ranked.shared_labels, ['host', 'service']);
  assert.equal(ranked.score, 2);
});
