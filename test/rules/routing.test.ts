import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FilterSubject } from '../../src/rules/filter.js';
import { compileRouting, routeEvent, validateRouting, type RoutingDecision } from '../../src/rules/routing.js';
import { compileDropRules, matchingDropRule, validateDropRule } from '../../src/rules/drop.js';
import type { RoutingTable } from '../../src/rules/types.js';
import { ruleProblemLines } from '../support/rule-problems.js';

const known = new Set(['ops', 'db', 'payments', 'fallback']);
const event = (labels: Record<string, string>, severity = 'Critical'): FilterSubject => ({
  title: 't',
  severity,
  labels,
  integration_id: 'shared',
});
const prod = [{ key: 'labels.env', op: 'IN' as const, values: ['prod'] }];
const hasTeam = [{ key: 'labels.team', op: 'IN' as const, values: ['*'] }];

const table = (over: Partial<RoutingTable>): RoutingTable => ({ routes: [], ...over });
const cases: Array<[string, RoutingTable, FilterSubject, RoutingDecision]> = [
  [
    'first match stops',
    table({
      routes: [
        { if: prod, channels: ['ops'] },
        { if: hasTeam, channels: ['db'] },
      ],
      default_channels: ['fallback'],
    }),
    event({ env: 'prod', team: 'x' }),
    { channels: ['ops'], matched: [0], usedDefault: false },
  ],
  [
    'continue adds the next matching case',
    table({
      routes: [
        { if: prod, channels: ['ops'], continue: true },
        { if: hasTeam, channels: ['db', 'ops'] },
      ],
    }),
    event({ env: 'prod', team: 'x' }),
    { channels: ['ops', 'db'], matched: [0, 1], usedDefault: false },
  ],
  [
    'continue past a case that does not match',
    table({
      routes: [
        { if: prod, channels: ['ops'], continue: true },
        { if: [{ key: 'severity', op: 'IN', values: ['Info'] }], channels: ['db'] },
      ],
    }),
    event({ env: 'prod' }),
    { channels: ['ops'], matched: [0], usedDefault: false },
  ],
  [
    'no match: default route',
    table({ routes: [{ if: prod, channels: ['ops'] }], default_channels: ['fallback'] }),
    event({ env: 'dev' }),
    { channels: ['fallback'], matched: [], usedDefault: true },
  ],
  [
    'a match skips the default route',
    table({ routes: [{ if: prod, channels: ['ops'] }], default_channels: ['fallback'] }),
    event({ env: 'prod' }),
    { channels: ['ops'], matched: [0], usedDefault: false },
  ],
  [
    'no match and no default: rejected',
    table({ routes: [{ if: prod, channels: ['ops'] }] }),
    event({ env: 'dev' }),
    { rejected: 'no route matched and no default route', matched: [] },
  ],
  [
    'no routes at all: rejected',
    table({}),
    event({}),
    { rejected: 'no route matched and no default route', matched: [] },
  ],
  [
    'label-named channel',
    table({ routes: [{ if: hasTeam, channel_label: 'team' }], default_channels: ['fallback'] }),
    event({ team: 'payments' }),
    { channels: ['payments'], matched: [0], usedDefault: false },
  ],
  [
    'label naming no channel falls back to the default',
    table({ routes: [{ if: hasTeam, channel_label: 'team' }], default_channels: ['fallback'] }),
    event({ team: 'marketing' }),
    { channels: ['fallback'], matched: [0], usedDefault: true },
  ],
  [
    'label naming no channel and no default: rejected',
    table({ routes: [{ if: hasTeam, channel_label: 'team' }] }),
    event({ team: 'marketing' }),
    { rejected: 'routes 0 matched but named no existing channel, and no default route', matched: [0] },
  ],
  [
    'fixed channels plus label-named channel',
    table({ routes: [{ if: hasTeam, channels: ['ops'], channel_label: 'team' }] }),
    event({ team: 'db' }),
    { channels: ['ops', 'db'], matched: [0], usedDefault: false },
  ],
  [
    'an unknown fixed channel is skipped',
    table({ routes: [{ if: prod, channels: ['gone', 'ops'] }] }),
    event({ env: 'prod' }),
    { channels: ['ops'], matched: [0], usedDefault: false },
  ],
];
for (const [name, routing, subject, expected] of cases) {
  test(`routing: ${name}`, () => assert.deepEqual(routeEvent(compileRouting(routing), subject, known), expected));
}

test('routing problems: the shape of the cases, then the channels they name', () => {
  assert.deepEqual(
    ruleProblemLines(
      'routes',
      [{ if: prod }, { if: prod, channel_label: 'a-b', channels: ['ops'] }],
      'integrations[1].routes',
    ),
    [
      'integrations[1].routes[0]: needs channels or channel_label',
      'integrations[1].routes[1].channel_label: must be a label name: letters, digits and _, not starting with a digit',
    ],
  );
  assert.deepEqual(
    validateRouting(
      table({
        routes: [{ if: prod }, { if: prod, channel_label: 'team', channels: ['nope'] }],
        default_channels: ['gone'],
      }),
      'integrations[1]',
      known,
    ).map((problem) => `${problem.path}: ${problem.message}`),
    [
      'integrations[1].routes[1].channels[0]: unknown channel "nope"',
      'integrations[1].default_channels[0]: unknown channel "gone"',
    ],
  );
});

test('drop rules: first match in order; none = keep', () => {
  const rules = compileDropRules([
    { id: 'info', if: [{ key: 'severity', op: 'IN', values: ['Info'] }] },
    { id: 'test-env', if: [{ key: 'labels.env', op: 'IN', values: ['test*'] }] },
  ]);
  assert.equal(matchingDropRule(rules, event({ env: 'testing' }, 'Info'))?.id, 'info');
  assert.equal(matchingDropRule(rules, event({ env: 'testing' }))?.id, 'test-env');
  assert.equal(matchingDropRule(rules, event({ env: 'prod' })), undefined);
  assert.deepEqual(ruleProblemLines('dropRule', { id: 'x', if: [] }, 'channels[0].drop[0]', validateDropRule), [
    'channels[0].drop[0].if: must have at least one condition',
  ]);
});
