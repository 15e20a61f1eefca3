import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FilterSubject } from '../../src/rules/filter.js';
import { activeSilence, compileSilences, quickSilence, validateSilence } from '../../src/rules/silence.js';
import { RuleValidationError } from '../../src/rules/rule-error.js';
import type { SilenceRule, WeeklySchedule } from '../../src/rules/types.js';
import { ruleProblemLines } from '../support/rule-problems.js';

const subject: FilterSubject = {
  title: 'disk full',
  severity: 'Warning',
  labels: { host: 'db-1', env: 'prod' },
  integration_id: 'prom',
};
const onHost = [{ key: 'labels.host', op: 'IN' as const, values: ['db-*'] }];
const at = (iso: string): number => Date.parse(iso);
const weeklyRule = (weekly: WeeklySchedule): SilenceRule => ({ id: 'w', if: onHost, weekly });
const isActive = (rule: SilenceRule, iso: string): boolean =>
  activeSilence(compileSilences([rule]), subject, at(iso)) !== undefined;

const oneOff: SilenceRule = {
  id: 'o',
  if: onHost,
  one_off: { start: '2026-11-23T10:00:00+01:00', end: '2026-11-23T12:00:00+01:00' },
};
const windowCases: Array<[string, SilenceRule, string, boolean]> = [
  ['one-off: before the start', oneOff, '2026-11-23T08:59:59Z', false],
  ['one-off: start is inclusive', oneOff, '2026-11-23T09:00:00Z', true],
  ['one-off: end is exclusive', oneOff, '2026-11-23T11:00:00Z', false],
  [
    'one-off: Unix seconds',
    { ...oneOff, one_off: { start: 1795000000, end: 1795003600 } },
    new Date(1795000000_000).toISOString(),
    true,
  ],
  [
    'one-off: Unix milliseconds',
    { ...oneOff, one_off: { start: 1795000000_000, end: 1795003600_000 } },
    new Date(1795003600_000).toISOString(),
    false,
  ],
  // 2026-11-23 is a Monday.
  ...(
    [
      ['weekly: before 09:00', '2026-11-23T08:59:00Z', false],
      ['weekly: 09:00 inclusive', '2026-11-23T09:00:00Z', true],
      ['weekly: 16:59', '2026-11-23T16:59:00Z', true],
      ['weekly: 17:00 exclusive', '2026-11-23T17:00:00Z', false],
      ['weekly: another day', '2026-11-24T10:00:00Z', false],
    ] as const
  ).map(([name, iso, expected]): [string, SilenceRule, string, boolean] => [
    name,
    weeklyRule({ timezone: 'UTC', windows: [{ days: [1], start: '09:00', end: '17:00' }] }),
    iso,
    expected,
  ]),
  // Friday 22:00 → Saturday 06:00.
  ...(
    [
      ['across midnight: Friday 23:00', '2026-11-27T23:00:00Z', true],
      ['across midnight: Saturday 05:59', '2026-11-28T05:59:00Z', true],
      ['across midnight: Saturday 06:00', '2026-11-28T06:00:00Z', false],
      ['across midnight: Saturday 23:00 (not a listed day)', '2026-11-28T23:00:00Z', false],
      ['across midnight: Friday 05:00 (Thursday not listed)', '2026-11-27T05:00:00Z', false],
    ] as const
  ).map(([name, iso, expected]): [string, SilenceRule, string, boolean] => [
    name,
    weeklyRule({ timezone: 'UTC', windows: [{ days: [5], start: '22:00', end: '06:00' }] }),
    iso,
    expected,
  ]),
  [
    'no days = every day',
    weeklyRule({ timezone: 'UTC', windows: [{ start: '00:00', end: '01:00' }] }),
    '2026-11-25T00:30:00Z',
    true,
  ],
  [
    'end = start: a full day from start',
    weeklyRule({ timezone: 'UTC', windows: [{ days: [1], start: '12:00', end: '12:00' }] }),
    '2026-11-24T11:59:00Z',
    true,
  ],
  [
    '24:00 ends the day',
    weeklyRule({ timezone: 'UTC', windows: [{ days: [1], start: '20:00', end: '24:00' }] }),
    '2026-11-23T23:59:00Z',
    true,
  ],
  [
    'time zone applies: 09:00 Berlin is 08:00 UTC',
    weeklyRule({ timezone: 'Europe/Berlin', windows: [{ days: [1], start: '09:00', end: '10:00' }] }),
    '2026-11-23T08:30:00Z',
    true,
  ],
  // Berlin, 2026-03-29 (Sunday) 02:00 CET → 03:00 CEST: a Saturday 22:00–06:00 window ends at 04:00 UTC, not 05:00.
  ...(
    [
      ['Berlin spring DST: Saturday 22:30 CET', '2026-03-28T21:30:00Z', true],
      ['Berlin spring DST: Sunday 05:59 CEST', '2026-03-29T03:59:00Z', true],
      ['Berlin spring DST: Sunday 06:00 CEST', '2026-03-29T04:00:00Z', false],
      ['Berlin spring DST: 05:30 UTC+1 would be inside, it is 06:30 CEST', '2026-03-29T04:30:00Z', false],
    ] as const
  ).map(([name, iso, expected]): [string, SilenceRule, string, boolean] => [
    name,
    weeklyRule({ timezone: 'Europe/Berlin', windows: [{ days: [6], start: '22:00', end: '06:00' }] }),
    iso,
    expected,
  ]),
  // Berlin, 2026-10-25 (Sunday) 03:00 CEST → 02:00 CET: 02:00–03:00 happens twice, both silenced.
  ...(
    [
      ['Berlin autumn DST: first 02:30 (CEST)', '2026-10-25T00:30:00Z', true],
      ['Berlin autumn DST: second 02:30 (CET)', '2026-10-25T01:30:00Z', true],
      ['Berlin autumn DST: 03:00 CET', '2026-10-25T02:00:00Z', false],
    ] as const
  ).map(([name, iso, expected]): [string, SilenceRule, string, boolean] => [
    name,
    weeklyRule({ timezone: 'Europe/Berlin', windows: [{ days: [0], start: '02:00', end: '03:00' }] }),
    iso,
    expected,
  ]),
  // New York, 2026-03-08 (Sunday) 02:00 EST → 03:00 EDT: Saturday 23:00 → Sunday 03:30 lasts 3.5 real hours.
  ...(
    [
      ['New York spring DST: Saturday 23:00 EST', '2026-03-08T04:00:00Z', true],
      ['New York spring DST: Sunday 01:59 EST', '2026-03-08T06:59:00Z', true],
      ['New York spring DST: Sunday 03:00 EDT', '2026-03-08T07:00:00Z', true],
      ['New York spring DST: Sunday 03:30 EDT', '2026-03-08T07:30:00Z', false],
    ] as const
  ).map(([name, iso, expected]): [string, SilenceRule, string, boolean] => [
    name,
    weeklyRule({ timezone: 'America/New_York', windows: [{ days: [6], start: '23:00', end: '03:30' }] }),
    iso,
    expected,
  ]),
  // New York, 2026-11-01 (Sunday) 02:00 EDT → 01:00 EST: 00:00–02:00 lasts three real hours.
  ...(
    [
      ['New York autumn DST: 01:30 EDT', '2026-11-01T05:30:00Z', true],
      ['New York autumn DST: 01:30 EST', '2026-11-01T06:30:00Z', true],
      ['New York autumn DST: 02:00 EST', '2026-11-01T07:00:00Z', false],
    ] as const
  ).map(([name, iso, expected]): [string, SilenceRule, string, boolean] => [
    name,
    weeklyRule({ timezone: 'America/New_York', windows: [{ days: [0], start: '00:00', end: '02:00' }] }),
    iso,
    expected,
  ]),
];
for (const [name, rule, iso, expected] of windowCases) {
  test(`silence window: ${name}`, () => assert.equal(isActive(rule, iso), expected));
}

test('activeSilence: first active matching rule in list order; conditions must match', () => {
  const rules = compileSilences([
    { id: 'other-host', if: [{ key: 'labels.host', op: 'IN', values: ['web-*'] }], one_off: { start: 0, end: 4e12 } },
    { id: 'expired', if: onHost, one_off: { start: 0, end: 1000 } },
    { id: 'hit', if: onHost, mode: 'drop', one_off: { start: 0, end: 4e12 } },
    { id: 'later', if: onHost, one_off: { start: 0, end: 4e12 } },
  ]);
  assert.equal(activeSilence(rules, subject, at('2026-11-23T10:00:00Z'))?.id, 'hit');
  assert.equal(
    activeSilence(rules, { ...subject, labels: { host: 'cache-1' } }, at('2026-11-23T10:00:00Z')),
    undefined,
  );
});

const invalid: Array<[string, SilenceRule, string[]]> = [
  ['neither window', { id: 's', if: onHost }, ['s: needs exactly one of one_off and weekly']],
  [
    'both windows',
    {
      id: 's',
      if: onHost,
      one_off: { start: 0, end: 1 },
      weekly: { timezone: 'UTC', windows: [{ start: '00:00', end: '01:00' }] },
    },
    ['s: needs exactly one of one_off and weekly'],
  ],
  ['empty conditions', { id: 's', if: [], one_off: { start: 0, end: 1 } }, ['s.if: must have at least one condition']],
  [
    'ISO without offset',
    { id: 's', if: onHost, one_off: { start: '2026-11-23T10:00:00', end: 5 } },
    ['s.one_off.start: must be ISO 8601 with Z or an offset, or Unix seconds/milliseconds'],
  ],
  ['end before start', { id: 's', if: onHost, one_off: { start: 10, end: 5 } }, ['s.one_off.end: must be after start']],
  [
    'unknown time zone',
    weeklyRule({ timezone: 'Mars/Olympus', windows: [{ start: '00:00', end: '01:00' }] }),
    ['s.weekly.timezone: unknown time zone "Mars/Olympus"'],
  ],
  [
    'bad day and times',
    weeklyRule({ timezone: 'UTC', windows: [{ days: [7], start: '24:00', end: '9:00' }] }),
    [
      's.weekly.windows[0].days[0]: must be 0 (Sunday)..6 (Saturday)',
      's.weekly.windows[0].start: must be HH:MM (00:00..23:59)',
      's.weekly.windows[0].end: must be HH:MM (00:00..24:00)',
    ],
  ],
  ['no windows', weeklyRule({ timezone: 'UTC', windows: [] }), ['s.weekly.windows: must be a non-empty list']],
];
for (const [name, rule, problems] of invalid) {
  test(`silence problems: ${name}`, () =>
    assert.deepEqual(ruleProblemLines('silence', rule, 's', validateSilence), problems));
}

test("a silence's filter values are checked with their paths; an unchecked one never compiles", () => {
  const unsafe = { id: 'x', if: [{ key: 'title', op: 'IN', values: ['/(a+)+/'] }], one_off: { start: 0, end: 1 } };
  assert.deepEqual(ruleProblemLines('silence', unsafe, 'channels[0].silences[1]', validateSilence), [
    'channels[0].silences[1].if[0].values[0]: invalid regex /(a+)+/: nested quantifier',
  ]);
  assert.throws(() => compileSilences([oneOff, unsafe as SilenceRule]), /nested quantifier/);
});

test('quick silence: integration and identifying labels (stable values only) for one day by default', () => {
  const now = at('2026-11-23T10:00:00Z');
  const labels = {
    alertname: 'HighLatency',
    host: 'db-1',
    env: 'prod',
    team: 'payments',
    description: 'p99 is 1.7s',
    summary: 'latency high',
    value: '1.7',
    instance: '10',
    job: 'a*b',
    cluster: 'x'.repeat(200),
    region: '',
  };
  const rule = quickSilence({
    id: 'q1',
    alert: { integration_id: 'prom', title: 'HighLatency on db-1', labels, short_id: 'A12' },
    groupingLabels: ['team'],
    now,
  });
  assert.deepEqual(rule, {
    id: 'q1',
    name: 'Quick Silence - A12',
    if: [
      { key: 'integration', op: 'IN', values: ['prom'] },
      { key: 'labels.alertname', op: 'IN', values: ['HighLatency'] },
      { key: 'labels.env', op: 'IN', values: ['prod'] },
      { key: 'labels.host', op: 'IN', values: ['db-1'] },
      { key: 'labels.team', op: 'IN', values: ['payments'] },
    ],
    mode: 'mark',
    one_off: { start: '2026-11-23T10:00:00.000Z', end: '2026-11-24T10:00:00.000Z' },
  });
  const [compiled] = compileSilences([rule]);
  const next = { ...subject, integration_id: 'prom', labels: { ...labels, description: 'p99 is 2.3s', value: '2.3' } };
  assert.equal(activeSilence([compiled], next, now + 1000)?.id, 'q1', 'the next occurrence, other values');
  assert.equal(activeSilence([compiled], { ...next, severity: 'Critical' }, now + 1000)?.id, 'q1');
  assert.equal(activeSilence([compiled], next, now + 86_400_000), undefined);
  assert.equal(activeSilence([compiled], { ...next, integration_id: 'other' }, now), undefined);
});

test('quick silence of an alert without identifying labels matches its integration and title', () => {
  const rule = quickSilence({
    id: 'q4',
    alert: { integration_id: 'std', title: 'disk full', labels: { note: 'x' } },
    now: 0,
  });
  assert.deepEqual(rule.if, [
    { key: 'integration', op: 'IN', values: ['std'] },
    { key: 'title', op: 'IN', values: ['disk full'] },
  ]);
});

test('quick silence: custom duration, name and mode; a bad duration throws', () => {
  const rule = quickSilence({
    id: 'q2',
    alert: { integration_id: 'std', title: 't', labels: {} },
    now: 0,
    duration: '2h',
    name: 'n',
    mode: 'drop',
  });
  assert.deepEqual([rule.name, rule.mode, rule.one_off?.end], ['n', 'drop', '1970-01-01T02:00:00.000Z']);
  assert.throws(
    () =>
      quickSilence({ id: 'q3', alert: { integration_id: 'std', title: 't', labels: {} }, now: 0, duration: 'soon' }),
    RuleValidationError,
  );
});
