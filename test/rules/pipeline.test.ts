import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { InhibitionCandidate } from '../../src/rules/inhibition.js';
import { applyPipeline, compilePipeline, validatePipelineRule, type PipelineEvent } from '../../src/rules/pipeline.js';
import type { PipelineRule } from '../../src/rules/types.js';
import { ruleProblemLines } from '../support/rule-problems.js';

const now = 1_000_000;
const event: PipelineEvent = {
  title: 'Problem: disk',
  description: 'raw',
  event_status: 'Warning',
  labels: { host: 'db-1', trigger: 'High' },
  integration_id: 'zabbix',
  alert_key: 'k1',
};
const critical: InhibitionCandidate = {
  subject: { title: 'host down', severity: 'Critical', labels: { host: 'db-1' }, integration_id: 'zabbix' },
  last_time: now - 1000,
  acked: false,
  recovered: false,
  alert_key: 'k0',
};
const run = (rules: PipelineRule[], input: PipelineEvent = event, sources: InhibitionCandidate[] = []) =>
  applyPipeline(compilePipeline(rules), input, { now, sources, integrationName: 'Zabbix' });

test('pipeline: title reset with a [TPL] template', () => {
  const outcome = run([{ id: 't', action: 'title', value: '[TPL]${host}: {{.Title}} via {{.IntegrationName}}' }]);
  assert.deepEqual(outcome, {
    kind: 'event',
    event: { ...event, title: 'db-1: Problem: disk via Zabbix' },
    applied: ['t'],
  });
});

test('pipeline: description and severity reset; rules run in order on the previous output', () => {
  const outcome = run([
    { if: [{ key: 'labels.trigger', op: 'IN', values: ['High'] }], action: 'severity', value: 'Critical' },
    {
      if: [{ key: 'severity', op: 'IN', values: ['Critical'] }],
      action: 'description',
      value: '[TPL]{{.EventStatus}} on ${host}',
    },
    { if: [{ key: 'severity', op: 'IN', values: ['Warning'] }], action: 'title', value: 'never' },
  ]);
  assert.equal(outcome.kind, 'event');
  if (outcome.kind !== 'event') return;
  assert.deepEqual(
    [outcome.event.event_status, outcome.event.description, outcome.event.title],
    ['Critical', 'Critical on db-1', 'Problem: disk'],
  );
  assert.deepEqual(outcome.applied, ['pipeline[0]', 'pipeline[1]']);
});

test('pipeline: plain text and $a::$b titles render as title rules', () => {
  const outcome = run([{ action: 'title', value: '$host::$trigger' }]);
  assert.equal(outcome.kind === 'event' && outcome.event.title, 'db-1 / High');
});

test('pipeline: rendered title and description are cut to 512 / 2048', () => {
  const long = { ...event, labels: { ...event.labels, big: 'x'.repeat(3000) } };
  const outcome = run(
    [
      { action: 'title', value: '[TPL]${big}' },
      { action: 'description', value: '[TPL]${big}' },
    ],
    long,
  );
  assert.ok(outcome.kind === 'event');
  assert.deepEqual([outcome.event.title.length, outcome.event.description?.length], [512, 2048]);
});

test('pipeline: drop stops with the rule id', () => {
  const outcome = run([
    { action: 'title', value: 'x', id: 'a' },
    { id: 'noise', if: [{ key: 'title', op: 'IN', values: ['x'] }], action: 'drop' },
    { action: 'title', value: 'y' },
  ]);
  assert.deepEqual(outcome, { kind: 'drop', rule_id: 'noise', applied: ['a'] });
});

const inhibit: PipelineRule = {
  id: 'inh',
  if: [{ key: 'severity', op: 'IN', values: ['Warning'] }],
  action: 'inhibit',
  source: [{ key: 'severity', op: 'IN', values: ['Critical'] }],
  equal: ['labels.host'],
};
test('pipeline: inhibit by an active source of the integration', () => {
  assert.deepEqual(run([inhibit], event, [critical]), {
    kind: 'inhibit',
    rule_id: 'inh',
    source: critical,
    applied: [],
  });
});

test('pipeline: inhibit without a fresh source goes on to the next rule', () => {
  const stale = { ...critical, last_time: now - 601_000 };
  const outcome = run([inhibit, { action: 'title', value: 'next' }], event, [stale]);
  assert.equal(outcome.kind === 'event' && outcome.event.title, 'next');
});

test("pipeline: the event's own alert is not its inhibiting source", () => {
  const own = { ...critical, alert_key: 'k1' };
  assert.equal(run([inhibit], event, [own]).kind, 'event');
});

test('pipeline: Ok events pass untouched', () => {
  const ok = { ...event, event_status: 'Ok' };
  assert.deepEqual(run([{ action: 'drop' }, { action: 'title', value: 'x' }], ok), {
    kind: 'event',
    event: ok,
    applied: [],
  });
});

const invalid: Array<[string, unknown, string[]]> = [
  ['missing value', { action: 'title' }, ['p: action title, description or severity needs a value']],
  ['bad severity', { action: 'severity', value: 'High' }, ['p.value: must be one of Critical, Warning, Info']],
  ['unknown action', { action: 'mute' }, ['p.action: must be one of title, description, severity, drop, inhibit']],
  ['long title', { action: 'title', value: 'x'.repeat(513) }, ['p.value: must be at most 512 characters']],
  ['inhibit without source and equal', { action: 'inhibit' }, ['p: action inhibit needs source and equal']],
  [
    'inhibit with an unsafe source',
    { action: 'inhibit', source: [{ key: 'title', op: 'IN', values: ['/(a+)+/'] }], equal: ['labels.host'] },
    ['p.source[0].values[0]: invalid regex /(a+)+/: nested quantifier'],
  ],
];
for (const [name, rule, problems] of invalid) {
  test(`pipeline rule problems: ${name}`, () =>
    assert.deepEqual(ruleProblemLines('pipelineRule', rule, 'p', validatePipelineRule), problems));
}

test('pipeline: at most 50 rules', () => {
  assert.deepEqual(
    ruleProblemLines(
      'pipeline',
      Array.from({ length: 51 }, () => ({ action: 'drop' })),
      'pipeline',
    ),
    ['pipeline: at most 50 rules'],
  );
});
