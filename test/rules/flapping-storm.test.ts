import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evaluateFlapping, recordStatusChange } from '../../src/rules/flapping.js';
import { stormThresholdsCrossed } from '../../src/rules/storm.js';
import type { FlappingSettings } from '../../src/rules/types.js';
import { ruleProblemLines } from '../support/rule-problems.js';

const minute = 60_000;
const alertOnly: FlappingSettings = { mode: 'alert-only' };
const thenSilence: FlappingSettings = { mode: 'alert-then-silence' };

const flapCases: Array<
  [string, number[], number, FlappingSettings, { flapping: boolean; muteUntil?: number }, number?]
> = [
  ['3 changes in an hour: not yet', [0, 10, 20].map((m) => m * minute), 20 * minute, alertOnly, { flapping: false }],
  [
    'the 4th change within 60 minutes flaps',
    [0, 10, 20, 30].map((m) => m * minute),
    30 * minute,
    alertOnly,
    { flapping: true },
  ],
  [
    '4 changes over more than 60 minutes: no',
    [0, 10, 20, 61].map((m) => m * minute),
    61 * minute,
    alertOnly,
    { flapping: false },
  ],
  [
    'a change exactly 60 minutes old is out of the window',
    [0, 10, 20, 60].map((m) => m * minute),
    60 * minute,
    alertOnly,
    { flapping: false },
  ],
  ['off never flaps', [0, 1, 2, 3, 4].map((m) => m * minute), 4 * minute, { mode: 'off' }, { flapping: false }],
  [
    'custom max_changes and in_mins',
    [0, 4].map((m) => m * minute),
    4 * minute,
    { mode: 'alert-only', max_changes: 2, in_mins: 5 },
    { flapping: true },
  ],
  [
    'alert-then-silence mutes for 120 minutes',
    [0, 10, 20, 30].map((m) => m * minute),
    30 * minute,
    thenSilence,
    { flapping: true, muteUntil: 150 * minute },
  ],
  [
    'a running mute is kept, not extended',
    [0, 10, 20, 30, 40].map((m) => m * minute),
    40 * minute,
    thenSilence,
    { flapping: true, muteUntil: 150 * minute },
    150 * minute,
  ],
  [
    'an expired mute starts again',
    [0, 10, 20, 30, 40].map((m) => m * minute),
    40 * minute,
    thenSilence,
    { flapping: true, muteUntil: 160 * minute },
    35 * minute,
  ],
  [
    'mute_mins 0: flapping without a mute',
    [0, 10, 20, 30].map((m) => m * minute),
    30 * minute,
    { mode: 'alert-then-silence', mute_mins: 0 },
    { flapping: true },
  ],
  ['not flapping: no mute', [0, 10].map((m) => m * minute), 10 * minute, thenSilence, { flapping: false }],
];
for (const [name, history, now, settings, expected, mutedUntil] of flapCases) {
  test(`flapping: ${name}`, () => assert.deepEqual(evaluateFlapping(history, now, settings, mutedUntil), expected));
}

test('recordStatusChange appends, sorts and prunes changes older than the window', () => {
  assert.deepEqual(recordStatusChange([0, 30 * minute], 70 * minute), [30 * minute, 70 * minute]);
  assert.deepEqual(recordStatusChange([5 * minute], 3 * minute, { in_mins: 10 }), [3 * minute, 5 * minute]);
  const long = Array.from({ length: 150 }, (_, index) => index);
  assert.equal(recordStatusChange(long, 200).length, 100);
});

test('recorded changes flap on the 4th', () => {
  let history: number[] = [];
  const verdicts = [0, 5, 10, 15].map((m) => {
    history = recordStatusChange(history, m * minute);
    return evaluateFlapping(history, m * minute, alertOnly).flapping;
  });
  assert.deepEqual(verdicts, [false, false, false, true]);
});

const stormCases: Array<[string, number[], number, number, number[], number[]?]> = [
  ['reaching a threshold', [50, 500], 49, 50, [50]],
  ['already past it', [50, 500], 50, 51, []],
  ['a jump crosses several at once', [50, 500], 49, 600, [50, 500]],
  ['unsorted and repeated thresholds', [500, 50, 50], 0, 1000, [50, 500]],
  ['below every threshold', [50], 0, 1, []],
  ['each only once', [50, 500], 0, 600, [500], [50]],
  ['count going down raises nothing', [50], 60, 40, []],
];
for (const [name, thresholds, before, after, expected, raised] of stormCases) {
  test(`storm: ${name}`, () => assert.deepEqual(stormThresholdsCrossed(thresholds, before, after, raised), expected));
}

test('storm thresholds are validated', () => {
  assert.deepEqual(ruleProblemLines('storm_thresholds', [2, 10_000], 'storm_thresholds'), []);
  assert.deepEqual(ruleProblemLines('storm_thresholds', [1, 10_001, 2.5], 's'), [
    's[0]: must be an integer 2..10000',
    's[1]: must be an integer 2..10000',
    's[2]: must be an integer 2..10000',
  ]);
  assert.deepEqual(ruleProblemLines('storm_thresholds', [2, 3, 4, 5, 6, 7], 's'), ['s: at most 5 thresholds']);
});
