import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Ajv } from 'ajv';
import type { Definitions } from '../../src/generated/rules.js';
import { schemasDir } from '../../src/paths.js';
import type {
  DropRule,
  EnrichRule,
  FilterCondition,
  FlappingSettings,
  GroupingSettings,
  InhibitionRule,
  PipelineRule,
  RouteCase,
  SilenceRule,
} from '../../src/rules/types.js';
import { ruleDefinitionValidator } from '../../src/schemas.js';

// The TypeScript types of these shapes are generated from the schema (src/generated/rules.ts), so the compiler keeps
// them aligned; these cases pin what the schema itself accepts and refuses.
const schema = JSON.parse(readFileSync(join(schemasDir, 'rules.schema.json'), 'utf8')) as { $id: string };
const validatorFor = (name: keyof Definitions) => ruleDefinitionValidator(name);
const cond: FilterCondition = { key: 'labels.host', op: 'IN', values: ['db-*', '/x/', 'cidr:10.0.0.0/8', 'num:gt:1'] };

const valid: Array<[keyof Definitions, unknown]> = [
  ['filter', [cond]],
  ['filter', [[cond], [cond]]],
  ['filter', []],
  [
    'grouping',
    {
      method: 'rules',
      equals: [['labels.check']],
      cases: [{ if: [cond], equals: [['labels.service', 'title']] }],
      strict: false,
      time_window: '10m',
      window_type: 'tumbling',
      similarity: { keys: ['title', 'labels.service'], threshold: 0.9 },
    } satisfies GroupingSettings,
  ],
  ['flapping', { mode: 'alert-then-silence', max_changes: 4, in_mins: 60, mute_mins: 120 } satisfies FlappingSettings],
  ['storm_thresholds', [50, 500]],
  [
    'silence',
    {
      id: 's1',
      name: 'n',
      description: 'd',
      if: [cond],
      mode: 'drop',
      one_off: { start: '2026-01-01T00:00:00Z', end: 1767225600 },
    } satisfies SilenceRule,
  ],
  [
    'silence',
    {
      id: 's2',
      if: [[cond]],
      weekly: {
        timezone: 'Europe/Berlin',
        windows: [
          { days: [0, 6], start: '22:00', end: '06:00' },
          { start: '12:00', end: '24:00' },
        ],
      },
    } satisfies SilenceRule,
  ],
  [
    'inhibition',
    {
      id: 'i',
      name: 'n',
      source: [cond],
      target: [cond],
      equal: ['labels.host'],
      mode: 'mark',
    } satisfies InhibitionRule,
  ],
  ['dropRule', { id: 'd', name: 'n', if: [cond] } satisfies DropRule],
  [
    'enrichRule',
    {
      id: 'e',
      if: [cond],
      overwrite: true,
      extract: { source: 'title', pattern: '(?P<result>\\d+)', target: 'n' },
    } satisfies EnrichRule,
  ],
  ['enrichRule', { compose: { target: 'loc', template: '{{.labels.region}}-{{.labels.env}}' } } satisfies EnrichRule],
  [
    'enrichRule',
    {
      map: {
        source_labels: ['service'],
        target_labels: ['team'],
        table: [{ service: 'a', team: 'b' }],
        file: 'teams.csv',
      },
    } satisfies EnrichRule,
  ],
  ['enrichRule', { drop: { labels: ['secret'] } } satisfies EnrichRule],
  ['pipelineRule', { id: 'p', if: [cond], action: 'title', value: '[TPL]${host}' } satisfies PipelineRule],
  ['pipelineRule', { action: 'inhibit', source: [cond], equal: ['labels.host'] } satisfies PipelineRule],
  ['pipeline', [{ action: 'drop' }, { action: 'severity', value: 'Info' }]],
  [
    'routes',
    [
      { if: [cond], channels: ['ops'], continue: true },
      { if: [cond], channel_label: 'team' },
    ] satisfies RouteCase[],
  ],
  ['default_channels', ['ops']],
];
for (const [name, value] of valid) {
  test(`rules schema: a valid ${name} passes`, () => {
    const validate = validatorFor(name);
    assert.equal(validate(value), true, JSON.stringify(validate.errors));
  });
}

const invalid: Array<[string, keyof Definitions, unknown]> = [
  ['unknown operator', 'condition', { key: 'title', op: 'EQ', values: ['x'] }],
  ['unknown key', 'condition', { key: 'host', op: 'IN', values: ['x'] }],
  ['no values', 'condition', { key: 'title', op: 'IN', values: [] }],
  [
    'six dimensions',
    'grouping',
    { method: 'rules', equals: [['title', 'description', 'severity', 'integration', 'labels.a', 'labels.b']] },
  ],
  ['flapping mode', 'flapping', { mode: 'sometimes' }],
  ['storm threshold 1', 'storm_thresholds', [1]],
  ['six storm thresholds', 'storm_thresholds', [2, 3, 4, 5, 6, 7]],
  [
    'silence with both windows',
    'silence',
    {
      id: 's',
      if: [cond],
      one_off: { start: 0, end: 1 },
      weekly: { timezone: 'UTC', windows: [{ start: '00:00', end: '01:00' }] },
    },
  ],
  ['silence without conditions', 'silence', { id: 's', if: [], one_off: { start: 0, end: 1 } }],
  [
    'silence start 24:00',
    'silence',
    { id: 's', if: [cond], weekly: { timezone: 'UTC', windows: [{ start: '24:00', end: '01:00' }] } },
  ],
  ['inhibition without equal', 'inhibition', { id: 'i', source: [cond], target: [cond], equal: [] }],
  ['enrich with two kinds', 'enrichRule', { drop: { labels: ['a'] }, compose: { target: 'b', template: 'c' } }],
  ['map without table or file', 'enrichRule', { map: { source_labels: ['a'], target_labels: ['b'] } }],
  ['title without value', 'pipelineRule', { action: 'title' }],
  ['bad severity', 'pipelineRule', { action: 'severity', value: 'High' }],
  ['inhibit without source', 'pipelineRule', { action: 'inhibit', equal: ['labels.host'] }],
  ['route without a channel', 'routes', [{ if: [cond] }]],
];
for (const [name, definition, value] of invalid) {
  test(`rules schema refuses: ${name}`, () => assert.equal(validatorFor(definition)(value), false));
}

test('rules schema: config.schema.json can $ref its definitions by relative path', () => {
  const local = new Ajv({ allowUnionTypes: true });
  local.addKeyword({ keyword: 'errorMessage', schemaType: ['string', 'object'] });
  local.addSchema(schema);
  const validate = local.compile({
    $id: 'https://alertgate.dev/schemas/example.json',
    type: 'array',
    items: { $ref: 'rules.schema.json#/definitions/silence' },
  });
  assert.equal(validate([{ id: 's', if: [cond], one_off: { start: 0, end: 1 } }]), true);
  assert.equal(validate([{ id: 's', if: [cond] }]), false);
});
