import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FilterSubject } from '../../src/rules/filter.js';
import {
  canJoin,
  compileGrouping,
  groupingKey,
  validateGrouping,
  type WindowedIncident,
} from '../../src/rules/grouping.js';
import type { GroupingSettings } from '../../src/rules/types.js';
import { ruleProblemLines } from '../support/rule-problems.js';

const alert = (labels: Record<string, string>, over: Partial<FilterSubject> = {}): FilterSubject => ({
  title: 'cpu idle < 20%',
  severity: 'Critical',
  labels,
  integration_id: 'prom',
  ...over,
});

test('Flashduty example: five events grouped by check share one key', () => {
  const grouping = compileGrouping({ method: 'rules', equals: [['labels.check']] });
  const events = [
    alert({ check: 'cpu idle < 20%', resource: 'es.nj.03' }),
    alert({ check: 'cpu idle < 20%', resource: 'es.nj.03' }, { severity: 'Warning' }),
    alert({ check: 'cpu idle < 20%', resource: 'es.nj.01' }, { severity: 'Warning' }),
    alert({ check: 'cpu idle < 20%', resource: 'es.nj.02' }, { severity: 'Warning' }),
    alert({ check: 'cpu idle < 20%', resource: 'es.nj.03' }, { severity: 'Ok' }),
  ];
  const keys = new Set(events.map((event) => groupingKey(grouping, event)?.key));
  assert.equal(keys.size, 1);
  assert.deepEqual(groupingKey(grouping, events[0])?.dimensions, { 'labels.check': 'cpu idle < 20%' });
  assert.notEqual(groupingKey(grouping, alert({ check: 'disk full' }))?.key, [...keys][0]);
});

const settings = (over: Partial<GroupingSettings>): GroupingSettings => ({ method: 'rules', ...over });
const sameKey = (grouping: GroupingSettings, a: FilterSubject, b: FilterSubject): boolean | undefined => {
  const compiled = compileGrouping(grouping);
  const first = groupingKey(compiled, a);
  const second = groupingKey(compiled, b);
  return first === undefined || second === undefined ? undefined : first.key === second.key;
};

const cases: Array<{
  name: string;
  grouping: GroupingSettings;
  a: FilterSubject;
  b: FilterSubject;
  same: boolean | undefined;
}> = [
  {
    name: 'method none never groups',
    grouping: { method: 'none', equals: [['labels.check']] },
    a: alert({ check: 'x' }),
    b: alert({ check: 'x' }),
    same: undefined,
  },
  {
    name: 'no dimensions = no grouping',
    grouping: settings({}),
    a: alert({ check: 'x' }),
    b: alert({ check: 'x' }),
    same: undefined,
  },
  {
    name: 'different values, different keys',
    grouping: settings({ equals: [['labels.check']] }),
    a: alert({ check: 'x' }),
    b: alert({ check: 'y' }),
    same: false,
  },
  {
    name: 'two dimensions',
    grouping: settings({ equals: [['labels.check', 'severity']] }),
    a: alert({ check: 'x' }),
    b: alert({ check: 'x' }, { severity: 'Info' }),
    same: false,
  },
  {
    name: 'key order does not matter',
    grouping: settings({ equals: [['title', 'labels.check']] }),
    a: alert({ check: 'x' }),
    b: alert({ check: 'x', other: '1' }),
    same: true,
  },
  {
    name: 'integration dimension',
    grouping: settings({ equals: [['integration']] }),
    a: alert({}),
    b: alert({}, { integration_id: 'zabbix' }),
    same: false,
  },
  {
    name: 'non-strict: missing values are equal',
    grouping: settings({ equals: [['labels.check']] }),
    a: alert({}),
    b: alert({ check: '' }),
    same: true,
  },
  {
    name: 'strict: a missing value is not grouped',
    grouping: settings({ equals: [['labels.check']], strict: true }),
    a: alert({}),
    b: alert({}),
    same: undefined,
  },
  {
    name: 'strict: an empty value is not grouped',
    grouping: settings({ equals: [['labels.check']], strict: true }),
    a: alert({ check: '' }),
    b: alert({ check: '' }),
    same: undefined,
  },
  {
    name: 'OR groups: the first complete group wins',
    grouping: settings({ equals: [['labels.a'], ['labels.b']] }),
    a: alert({ b: '1' }),
    b: alert({ b: '1', c: '2' }),
    same: true,
  },
  {
    name: 'OR groups: group 1 when complete',
    grouping: settings({ equals: [['labels.a'], ['labels.b']] }),
    a: alert({ a: '1', b: '1' }),
    b: alert({ b: '1' }),
    same: false,
  },
  {
    name: 'OR groups, strict, none complete',
    grouping: settings({ equals: [['labels.a'], ['labels.b']], strict: true }),
    a: alert({ c: '1' }),
    b: alert({ c: '1' }),
    same: undefined,
  },
];
for (const item of cases) {
  test(`grouping key: ${item.name}`, () => assert.equal(sameKey(item.grouping, item.a, item.b), item.same));
}

test('grouping cases: the first matching case chooses the dimensions, else the default', () => {
  const grouping = compileGrouping(
    settings({
      equals: [['labels.check']],
      cases: [
        { if: [{ key: 'labels.service', op: 'IN', values: ['checkout'] }], equals: [['labels.service', 'title']] },
        { if: [{ key: 'labels.service', op: 'IN', values: ['check*'] }], equals: [['labels.host']] },
      ],
    }),
  );
  assert.deepEqual(groupingKey(grouping, alert({ service: 'checkout', check: 'c' }))?.dimensions, {
    'labels.service': 'checkout',
    title: 'cpu idle < 20%',
  });
  assert.deepEqual(groupingKey(grouping, alert({ service: 'checker', host: 'h' }))?.dimensions, { 'labels.host': 'h' });
  assert.deepEqual(groupingKey(grouping, alert({ service: 'search', check: 'c' }))?.dimensions, {
    'labels.check': 'c',
  });
});

test('grouping key is a stable hash', () => {
  const key = groupingKey(compileGrouping(settings({ equals: [['labels.check']] })), alert({ check: 'x' }))?.key;
  assert.match(key ?? '', /^[0-9a-f]{32}$/);
  assert.equal(key, groupingKey(compileGrouping(settings({ equals: [['labels.check']] })), alert({ check: 'x' }))?.key);
});

const invalid: Array<[string, GroupingSettings, string]> = [
  [
    'six dimensions',
    settings({ equals: [['title', 'description', 'severity', 'integration', 'labels.a', 'labels.b']] }),
    'grouping.equals[0]: must list 1..5 keys',
  ],
  [
    'unknown key',
    settings({ equals: [['host']] }),
    'grouping.equals[0][0]: unknown key "host" (title, description, severity, integration, labels.<name>)',
  ],
  [
    'bad window',
    settings({ time_window: 'ten minutes' }),
    'grouping.time_window: must be a duration such as 30s, 10m, 1h, 1d, 1w',
  ],
  [
    'bad case filter',
    settings({ cases: [{ if: [{ key: 'title', op: 'IN', values: ['/(a*)*/'] }], equals: [['title']] }] }),
    'grouping.cases[0].if[0].values[0]: invalid regex /(a*)*/: nested quantifier',
  ],
  [
    'similarity threshold out of range',
    settings({ method: 'similarity', similarity: { threshold: 0.2 } }),
    'grouping.similarity.threshold: must be 0.5..1',
  ],
  [
    'bad similarity key',
    settings({ method: 'similarity', similarity: { keys: ['foo'] } }),
    'grouping.similarity.keys[0]: unknown key "foo" (title, description, severity, integration, labels.<name>)',
  ],
];
for (const [name, grouping, message] of invalid) {
  test(`grouping problems: ${name}`, () =>
    assert.deepEqual(ruleProblemLines('grouping', grouping, 'grouping', validateGrouping), [message]));
}

test('compileGrouping parses the window', () => {
  assert.equal(compileGrouping(settings({ time_window: '10m', window_type: 'sliding' })).timeWindowMs, 600_000);
  assert.equal(compileGrouping(settings({})).timeWindowMs, undefined);
  assert.equal(compileGrouping(settings({ time_window: '0m' })).timeWindowMs, undefined);
});

const minute = 60_000;
const incident: WindowedIncident = { start_time: 0, last_time: 8 * minute, progress: 'Triggered' };
const tumbling = { time_window_ms: 10 * minute, window_type: 'tumbling' as const };
const sliding = { time_window_ms: 10 * minute, window_type: 'sliding' as const };
const windowCases: Array<
  [
    string,
    WindowedIncident,
    number,
    { time_window_ms?: number; window_type: 'tumbling' | 'sliding' },
    number,
    boolean | string,
  ]
> = [
  ['tumbling, inside the window', incident, 10 * minute - 1, tumbling, 3, true],
  ['tumbling, at the window end', incident, 10 * minute, tumbling, 3, 'window_expired'],
  ['sliding, counted from the last merge', incident, 17 * minute, sliding, 3, true],
  ['sliding, expired after the last merge', incident, 18 * minute, sliding, 3, 'window_expired'],
  ['no window: until closed', incident, 1000 * minute, { window_type: 'tumbling' }, 3, true],
  ['closed incident', { ...incident, progress: 'Closed' }, minute, tumbling, 3, 'closed'],
  ['acked incident still takes alerts', { ...incident, progress: 'Processing' }, minute, tumbling, 3, true],
  ['4999 alerts: one more fits', incident, minute, tumbling, 4999, true],
  ['5000 alerts: full', incident, minute, tumbling, 5000, 'full'],
];
for (const [name, target, now, window, count, expected] of windowCases) {
  test(`canJoin: ${name}`, () => {
    const verdict = canJoin(target, now, window, count);
    assert.equal(verdict.join ? true : verdict.reason, expected);
  });
}

test('canJoin: a custom maximum', () =>
  assert.deepEqual(canJoin(incident, minute, tumbling, 2, 2), { join: false, reason: 'full' }));
