import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyEnrichment, compileEnrichRules, validateEnrichRule, type RuleEvent } from '../../src/rules/enrich.js';
import { renderLabelTemplate } from '../../src/rules/label-template.js';
import type { EnrichRule } from '../../src/rules/types.js';
import { ruleProblemLines } from '../support/rule-problems.js';

const event: RuleEvent = {
  title: 'High latency on checkout-7 (p99 850ms)',
  description: 'region=eu-west env=prod',
  event_status: 'Warning',
  labels: { service: 'checkout', env: 'prod', region: 'eu' },
  integration_id: 'prom',
};
const run = (rules: EnrichRule[], input: RuleEvent = event) => applyEnrichment(compileEnrichRules(rules), input);

const cases: Array<[string, EnrichRule[], Record<string, string>, string[]]> = [
  [
    'extract: named group result',
    [{ extract: { source: 'title', pattern: 'p99 (?P<result>\\d+)ms', target: 'p99' } }],
    { ...event.labels, p99: '850' },
    ['enrich[0]'],
  ],
  [
    'extract: whole match without a result group',
    [{ extract: { source: 'title', pattern: 'checkout-\\d{1,5}', target: 'pod' } }],
    { ...event.labels, pod: 'checkout-7' },
    ['enrich[0]'],
  ],
  [
    'extract: from description',
    [{ extract: { source: 'description', pattern: 'region=(?<result>[a-z-]+)', target: 'zone' } }],
    { ...event.labels, zone: 'eu-west' },
    ['enrich[0]'],
  ],
  [
    'extract: from a label',
    [{ extract: { source: 'labels.service', pattern: '^(?P<result>[a-z]{1,3})', target: 'short' } }],
    { ...event.labels, short: 'che' },
    ['enrich[0]'],
  ],
  [
    'extract: no match changes nothing',
    [{ extract: { source: 'title', pattern: 'nothing-here', target: 'x' } }],
    event.labels,
    [],
  ],
  [
    'extract: existing label kept without overwrite',
    [{ extract: { source: 'description', pattern: 'env=(?P<result>\\w+)', target: 'region' } }],
    event.labels,
    [],
  ],
  [
    'extract: overwrite replaces',
    [{ overwrite: true, extract: { source: 'description', pattern: 'region=(?P<result>[a-z-]+)', target: 'region' } }],
    { ...event.labels, region: 'eu-west' },
    ['enrich[0]'],
  ],
  [
    'compose: Go template',
    [{ id: 'loc', compose: { target: 'location', template: '{{.labels.region}}-{{.labels.env}}' } }],
    { ...event.labels, location: 'eu-prod' },
    ['loc'],
  ],
  [
    'compose: ${x} and fields',
    [{ compose: { target: 'summary', template: '${service}: {{.severity}} {{ .Title }}' } }],
    { ...event.labels, summary: 'checkout: Warning High latency on checkout-7 (p99 850ms)' },
    ['enrich[0]'],
  ],
  [
    'compose: an empty result sets nothing',
    [{ compose: { target: 'x', template: '{{.labels.missing}} ${nope}' } }],
    event.labels,
    [],
  ],
  [
    'map: table lookup on two labels',
    [
      {
        map: {
          source_labels: ['service', 'env'],
          target_labels: ['team', 'owner'],
          table: [
            { service: 'checkout', env: 'dev', team: 'x', owner: 'y' },
            { service: 'checkout', env: 'prod', team: 'payments', owner: 'bob' },
          ],
        },
      },
    ],
    { ...event.labels, team: 'payments', owner: 'bob' },
    ['enrich[0]'],
  ],
  [
    'map: first matching row wins',
    [
      {
        map: {
          source_labels: ['service'],
          target_labels: ['team'],
          table: [
            { service: 'checkout', team: 'first' },
            { service: 'checkout', team: 'second' },
          ],
        },
      },
    ],
    { ...event.labels, team: 'first' },
    ['enrich[0]'],
  ],
  [
    'map: no row',
    [{ map: { source_labels: ['service'], target_labels: ['team'], table: [{ service: 'search', team: 't' }] } }],
    event.labels,
    [],
  ],
  [
    'map: a missing source label',
    [{ map: { source_labels: ['cluster'], target_labels: ['team'], table: [{ cluster: '', team: 't' }] } }],
    event.labels,
    [],
  ],
  [
    'drop: removes labels, ignores missing ones',
    [{ drop: { labels: ['env', 'missing'] } }],
    { service: 'checkout', region: 'eu' },
    ['enrich[0]'],
  ],
  ['drop: nothing to remove', [{ drop: { labels: ['missing'] } }], event.labels, []],
  [
    'if: a rule whose condition fails is skipped',
    [{ if: [{ key: 'labels.env', op: 'IN', values: ['dev'] }], drop: { labels: ['env'] } }],
    event.labels,
    [],
  ],
  [
    'chain: a rule sees the labels of the rules before it',
    [
      { extract: { source: 'title', pattern: 'on (?P<result>[a-z]+-\\d{1,4})', target: 'pod' } },
      {
        if: [{ key: 'labels.pod', op: 'IN', values: ['*'] }],
        compose: { target: 'where', template: '{{.labels.pod}}@{{.labels.region}}' },
      },
      { drop: { labels: ['pod'] } },
    ],
    { ...event.labels, where: 'checkout-7@eu' },
    ['enrich[0]', 'enrich[1]', 'enrich[2]'],
  ],
];
for (const [name, rules, labels, applied] of cases) {
  test(`enrich: ${name}`, () => {
    const result = run(rules);
    assert.deepEqual(result.event.labels, labels);
    assert.deepEqual(result.applied, applied);
  });
}

test('enrich: the input event is not changed; other fields are kept', () => {
  const input: RuleEvent = { ...event, labels: { ...event.labels } };
  const result = run([{ drop: { labels: ['env'] } }], input);
  assert.equal(input.labels.env, 'prod');
  assert.equal(result.event.title, input.title);
});

test('enrich: a label named __proto__ stays a label', () => {
  const result = run([{ compose: { target: '__proto__', template: 'x' } }]);
  assert.equal(Object.getPrototypeOf(result.event.labels), Object.prototype);
  assert.deepEqual(Object.entries(result.event.labels).at(-1), ['__proto__', 'x']);
});

test('enrich: values are cut to 2048 characters', () => {
  const result = run([{ extract: { source: 'title', pattern: '.+', target: 'all' } }], {
    ...event,
    title: 'x'.repeat(3000),
  });
  assert.equal(result.event.labels.all.length, 2048);
});

const invalid: Array<[string, unknown, string[]]> = [
  ['no kind', {}, ['e: needs exactly one of extract, compose, map, drop']],
  [
    'two kinds',
    { drop: { labels: ['a'] }, compose: { target: 'b', template: 'c' } },
    ['e: needs exactly one of extract, compose, map, drop'],
  ],
  [
    'unsafe pattern',
    { extract: { source: 'title', pattern: '(a+)+', target: 'x' } },
    ['e.extract.pattern: invalid regex /(a+)+/: nested quantifier'],
  ],
  [
    'bad source and target',
    { extract: { source: 'labels', pattern: 'x', target: '1x' } },
    [
      'e.extract.source: must be title, description or labels.<name>',
      'e.extract.target: must be a label name: letters, digits and _, not starting with a digit',
    ],
  ],
  [
    'long template',
    { compose: { target: 'x', template: 'y'.repeat(501) } },
    ['e.compose.template: must be at most 500 characters'],
  ],
  [
    'map overlap and missing column',
    { map: { source_labels: ['a'], target_labels: ['a', 'b'], table: [{ a: '1' }] } },
    ['e.map: source_labels and target_labels overlap', 'e.map.table[0]: missing b'],
  ],
  [
    'map without table or file',
    { map: { source_labels: ['a'], target_labels: ['b'] } },
    ['e.map: needs table or file'],
  ],
  [
    'map too many sources',
    { map: { source_labels: ['a', 'b', 'c', 'd'], target_labels: ['e'], file: 'm.csv' } },
    ['e.map.source_labels: at most 3 labels'],
  ],
  [
    'bad condition',
    { if: [{ key: 'nope', op: 'IN', values: ['x'] }], drop: { labels: ['a'] } },
    ['e.if[0].key: unknown key "nope" (title, description, severity, integration, labels.<name>)'],
  ],
];
for (const [name, rule, problems] of invalid) {
  test(`enrich rule problems: ${name}`, () =>
    assert.deepEqual(ruleProblemLines('enrichRule', rule, 'e', validateEnrichRule), problems));
}

test('label templates: unknown expressions stay verbatim, index works, a value is not rendered twice', () => {
  const subject = { title: 't', severity: 'Info', labels: { a: '{{.title}}', b: 'B' }, integration_id: 'i' };
  assert.equal(
    renderLabelTemplate('{{.labels.a}}|{{index .labels "b"}}|{{.Unknown}}|${ b }', subject),
    '{{.title}}|B|{{.Unknown}}|B',
  );
});
