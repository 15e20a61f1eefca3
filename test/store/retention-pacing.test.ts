import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  sqlitePacing,
  nextBatchSize,
  pauseAfter,
  retentionShare,
  type RetentionPacing,
} from '../../src/store/retention-pacing.js';

/* Retention's pacing as pure functions: batch sizes from measured durations, pauses from the worker's lag. */

const pacing: RetentionPacing = { ...sqlitePacing, targetBatchMs: 5, minBatchSize: 10, maxBatchSize: 1000 };

describe('batch size from the last batch', () => {
  const cases: Array<{ name: string; size: number; filled: boolean; tookMs: number; next: number }> = [
    { name: 'on target: stays', size: 200, filled: true, tookMs: 5, next: 200 },
    { name: 'twice as slow as the target: halves', size: 200, filled: true, tookMs: 10, next: 100 },
    { name: 'a little fast: grows to fit the target', size: 200, filled: true, tookMs: 4, next: 250 },
    { name: 'much faster: at most doubles', size: 200, filled: true, tookMs: 0.5, next: 400 },
    { name: 'much slower (a stall): at most halves', size: 200, filled: true, tookMs: 500, next: 100 },
    { name: 'took no measurable time: doubles', size: 200, filled: true, tookMs: 0, next: 400 },
    { name: 'never below the least size', size: 12, filled: true, tookMs: 50, next: 10 },
    { name: 'never above the largest size', size: 800, filled: true, tookMs: 1, next: 1000 },
    { name: 'a batch that ran out of rows says nothing: stays', size: 200, filled: false, tookMs: 0.1, next: 200 },
  ];
  for (const c of cases) test(c.name, () => assert.equal(nextBatchSize(pacing, c.size, c.filled, c.tookMs), c.next));

  test('batches of a steady cost settle on the target', () => {
    // 40 µs a row: 125 rows fit in 5 ms.
    let size = pacing.initialBatchSize;
    for (let i = 0; i < 20; i += 1) size = nextBatchSize(pacing, size, true, size * 0.04);
    assert.equal(size, 125);
  });
});

describe('pause after a batch', () => {
  test('while the worker keeps up, retention takes half the time: the pause lasts as long as the batch', () => {
    assert.equal(retentionShare(pacing, 0), 0.5);
    assert.equal(pauseAfter(pacing, 8, 0), 8);
    assert.equal(pauseAfter(pacing, 8, pacing.keepingUpMs), 8);
  });

  test('while the worker lags, retention steps back to its lagging share', () => {
    assert.equal(retentionShare(pacing, pacing.laggingMs), pacing.laggingShare);
    assert.equal(retentionShare(pacing, 60_000), pacing.laggingShare);
    // A share of 0.2: four times the batch's duration.
    assert.equal(pauseAfter({ ...pacing, laggingShare: 0.2 }, 8, 60_000), 32);
  });

  test('in between, the share goes down with the lag', () => {
    const middle = (pacing.keepingUpMs + pacing.laggingMs) / 2;
    assert.equal(retentionShare(pacing, middle), (pacing.share + pacing.laggingShare) / 2);
    const pauses = [0, pacing.keepingUpMs + 1, middle, pacing.laggingMs - 1, pacing.laggingMs].map((lag) =>
      pauseAfter(pacing, 5, lag),
    );
    assert.deepEqual(
      [...pauses].sort((a, b) => a - b),
      pauses,
      'never a shorter pause for a larger lag',
    );
  });

  test('a pause lasts at least the least pause, however short the batch', () => {
    assert.equal(pauseAfter(pacing, 0.1, 0), pacing.minPauseMs);
  });
});
