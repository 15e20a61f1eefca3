import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FilterSubject } from '../../src/rules/filter.js';
import { bestMatch, diceCoefficient, similarity, tokenSet } from '../../src/rules/similarity.js';

const tokens: Array<[string, string[]]> = [
  ['Disk 91% on db-1', ['disk', '#', 'on', 'db-1']],
  ['Latency 250ms, p99 3.5s', ['latency', '#', 'p99']],
  ['container 4f9d2c1a7b3e crashed', ['container', '#', 'crashed']],
  ['req 123e4567-e89b-12d3-a456-426614174000 failed', ['req', '#', 'failed']],
  ['host es.nj.03 / 10.0.0.1', ['host', 'es.nj.03', '10.0.0.1']],
  ['ÉCHEC du job', ['échec', 'du', 'job']],
  ['', []],
];
for (const [text, expected] of tokens) {
  test(`tokenSet(${JSON.stringify(text)})`, () => assert.deepEqual([...tokenSet(text)], expected));
}

test('dice coefficient', () => {
  assert.equal(diceCoefficient(new Set(['a', 'b', 'c', 'd']), new Set(['a', 'b', 'c', 'e'])), 0.75);
  assert.equal(diceCoefficient(new Set(['a']), new Set()), 0);
  assert.equal(diceCoefficient(new Set(), new Set()), undefined);
});

const subject = (title: string, over: Partial<FilterSubject> = {}): FilterSubject => ({
  title,
  severity: 'Critical',
  labels: {},
  integration_id: 'i',
  ...over,
});
const scores: Array<[string, FilterSubject, FilterSubject, number]> = [
  ['numbers normalised', subject('disk 91% on db-1'), subject('disk 93% on db-1'), 1],
  ['other host', subject('disk 91% on db-1'), subject('disk 91% on db-2'), 0.75],
  ['case and punctuation ignored', subject('CPU high: web-1'), subject('cpu high web-1'), 1],
  ['fields empty on both sides are skipped', subject('a b', { description: undefined }), subject('a b'), 1],
  ['a field present on one side only counts 0', subject('a b', { description: 'x' }), subject('a b'), 0.5],
  [
    'mean over fields',
    subject('a b', { labels: { service: 'pay' } }),
    subject('a b', { labels: { service: 'search' } }),
    0.5,
  ],
  ['nothing in common', subject('alpha'), subject('beta'), 0],
];
for (const [name, a, b, expected] of scores) {
  test(`similarity: ${name}`, () => {
    assert.equal(similarity(a, b), expected);
    assert.equal(similarity(b, a), expected, 'symmetric');
  });
}

test('similarity over chosen keys', () => {
  const a = subject('x', { labels: { service: 'pay', team: 'core' } });
  const b = subject('y', { labels: { service: 'pay', team: 'core' } });
  assert.equal(similarity(a, b, ['labels.service', 'labels.team']), 1);
  assert.equal(similarity(a, b, ['title']), 0);
});

test('bestMatch: highest score at or above the threshold; ties go to the earlier candidate', () => {
  const alert = subject('disk 95% on db-1');
  const candidates = [
    { id: 'other-host', subject: subject('disk 91% on db-2') },
    { id: 'first', subject: subject('disk 91% on db-1') },
    { id: 'second', subject: subject('disk 80% on db-1') },
  ];
  assert.deepEqual(bestMatch(alert, candidates), { candidate: candidates[1], score: 1 });
  assert.equal(bestMatch(alert, candidates.slice(0, 1)), undefined);
  assert.equal(bestMatch(alert, candidates.slice(0, 1), 0.75)?.candidate.id, 'other-host');
  assert.equal(bestMatch(alert, []), undefined);
});
