import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { QueuedEvent } from '../../src/events/types.js';
import { ApplyLanes } from '../../src/worker/lanes.js';
import { eventually } from '../support/waiting.js';

/* What the lanes tell of the events waiting for them: the worker's lag is read from it. */

const event = (alert_key: string, received_at: number) =>
  ({ integration_id: 'i', alert_key, event_id: `${alert_key}-${received_at}`, received_at }) as QueuedEvent;

test('the oldest event waiting for a lane, not counting the batch being applied', async () => {
  const applying: QueuedEvent[][] = [];
  let release: () => void = () => undefined;
  const lanes = new ApplyLanes(async (events) => {
    applying.push(events);
    await new Promise<void>((resolve) => (release = resolve));
    return [];
  }, 1);
  assert.equal(lanes.oldestWaitingReceivedAt(), undefined, 'nothing waits');

  const first = lanes.submit([event('a', 500)]);
  await eventually('the first batch is being applied', async () => (applying.length === 1 ? true : undefined));
  assert.equal(lanes.oldestWaitingReceivedAt(), undefined, 'the batch in hand does not wait');

  const second = lanes.submit([event('b', 900), event('c', 700)]);
  const third = lanes.submit([event('d', 800)]);
  assert.equal(lanes.oldestWaitingReceivedAt(), 700, 'the oldest of the next batch to apply');

  release();
  await first;
  await eventually('the waiting events are taken together', async () => (applying.length === 2 ? true : undefined));
  assert.equal(applying[1].length, 3);
  assert.equal(lanes.oldestWaitingReceivedAt(), undefined);
  release();
  await Promise.all([second, third]);
});
