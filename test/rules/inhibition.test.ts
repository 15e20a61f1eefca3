import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FilterSubject } from '../../src/rules/filter.js';
import {
  compileInhibitions,
  findInhibition,
  validateInhibition,
  type InhibitionCandidate,
} from '../../src/rules/inhibition.js';
import type { InhibitionRule } from '../../src/rules/types.js';
import { ruleProblemLines } from '../support/rule-problems.js';

const now = 10_000_000;
const alert = (severity: string, labels: Record<string, string>): FilterSubject => ({
  title: 't',
  severity,
  labels,
  integration_id: 'prom',
});
const rule: InhibitionRule = {
  id: 'critical-hides-warning',
  source: [{ key: 'severity', op: 'IN', values: ['Critical'] }],
  target: [{ key: 'severity', op: 'IN', values: ['Warning', 'Info'] }],
  equal: ['labels.host'],
};
const target = { ...alert('Warning', { host: 'db-1' }), alert_id: 'T' };
const source = (over: Partial<InhibitionCandidate> = {}): InhibitionCandidate => ({
  subject: alert('Critical', { host: 'db-1' }),
  last_time: now - 60_000,
  acked: false,
  recovered: false,
  alert_id: 'S',
  ...over,
});

const cases: Array<[string, InhibitionCandidate, FilterSubject & { alert_id?: string }, boolean]> = [
  ['active source with equal host', source(), target, true],
  ['source seen 599 s ago', source({ last_time: now - 599_000 }), target, true],
  ['source seen 600 s ago', source({ last_time: now - 600_000 }), target, true],
  ['source seen 601 s ago', source({ last_time: now - 601_000 }), target, false],
  ['acked source', source({ acked: true }), target, false],
  ['recovered source', source({ recovered: true }), target, false],
  ['other host', source({ subject: alert('Critical', { host: 'db-2' }) }), target, false],
  [
    'equal key missing on both',
    source({ subject: alert('Critical', {}) }),
    { ...alert('Warning', {}), alert_id: 'T' },
    false,
  ],
  ['source does not match source conditions', source({ subject: alert('Warning', { host: 'db-1' }) }), target, false],
  [
    'target does not match target conditions',
    source(),
    { ...alert('Critical', { host: 'db-1' }), alert_id: 'T' },
    false,
  ],
  ['an alert never inhibits itself', source({ alert_id: 'T' }), target, false],
];
for (const [name, candidate, subject, inhibited] of cases) {
  test(`inhibition: ${name}`, () =>
    assert.equal(findInhibition(compileInhibitions([rule]), subject, [candidate], now) !== undefined, inhibited));
}

test('inhibition: alerts matching both sides do not inhibit each other (Alertmanager rule)', () => {
  const both: InhibitionRule = {
    id: 'both',
    source: [{ key: 'labels.host', op: 'IN', values: ['*'] }],
    target: [{ key: 'labels.host', op: 'IN', values: ['*'] }],
    equal: ['labels.host'],
  };
  assert.equal(findInhibition(compileInhibitions([both]), target, [source()], now), undefined);
});

test('inhibition: first rule, first matching candidate', () => {
  const rules = compileInhibitions([{ ...rule, id: 'r1', equal: ['labels.zone'] }, rule, { ...rule, id: 'r3' }]);
  const candidates = [
    source({ alert_id: 'stale', last_time: 0 }),
    source({ alert_id: 'S1' }),
    source({ alert_id: 'S2' }),
  ];
  const found = findInhibition(rules, target, candidates, now);
  assert.deepEqual([found?.rule.id, found?.source.alert_id], ['critical-hides-warning', 'S1']);
});

test('inhibition problems', () => {
  const problems = (value: unknown) => ruleProblemLines('inhibition', value, 'i', validateInhibition);
  assert.deepEqual(problems(rule), []);
  assert.deepEqual(problems({ id: '', source: [], target: rule.target, equal: [] }), [
    'i.id: must not be empty',
    'i.source: must have at least one condition',
    'i.equal: must list at least one key',
  ]);
  assert.deepEqual(problems({ ...rule, equal: ['host'] }), [
    'i.equal[0]: unknown key "host" (title, description, severity, integration, labels.<name>)',
  ]);
  assert.deepEqual(problems({ ...rule, target: [{ key: 'title', op: 'IN', values: ['/(a+)+/'] }] }), [
    'i.target[0].values[0]: invalid regex /(a+)+/: nested quantifier',
  ]);
});
