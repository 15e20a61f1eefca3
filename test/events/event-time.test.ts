import assert from 'node:assert/strict';
import { test } from 'node:test';
import { boundEventTime, defaultEventTimeBounds } from '../../src/events/event-time.js';

const received = 1_772_366_400_000;
const minute = 60_000;
const cases: Array<{ name: string; eventTime: number; at: number; reason?: string }> = [
  { name: 'the receive time itself', eventTime: received, at: received },
  { name: 'a minute ago', eventTime: received - minute, at: received - minute },
  { name: 'a backlog 23 hours old', eventTime: received - 23 * 60 * minute, at: received - 23 * 60 * minute },
  { name: 'ahead by the skew allowed', eventTime: received + 5 * minute, at: received + 5 * minute },
  {
    name: 'ahead by more than the skew',
    eventTime: received + 5 * minute + 1000,
    at: received,
    reason: 'event_time is 5m 1s after the receive time (more than 5m)',
  },
  {
    name: 'older than the horizon',
    eventTime: received - 25 * 60 * minute,
    at: received,
    reason: 'event_time is 1d 1h before the receive time (more than 1d)',
  },
  {
    name: 'the epoch',
    eventTime: 0,
    at: received,
    reason: 'event_time is 20513d 12h before the receive time (more than 1d)',
  },
];

for (const item of cases) {
  test(`boundEventTime: ${item.name}`, () => {
    const bounded = boundEventTime(item.eventTime, received, defaultEventTimeBounds);
    assert.equal(bounded.at, item.at);
    assert.equal(bounded.source, item.reason ? 'received_at' : 'event_time');
    if (bounded.source === 'received_at') assert.equal(bounded.reason, item.reason);
  });
}

test('boundEventTime: configured bounds', () => {
  const bounds = { maxAgeMs: 60 * minute, maxSkewMs: 0 };
  assert.equal(boundEventTime(received - 61 * minute, received, bounds).at, received);
  assert.equal(boundEventTime(received - 59 * minute, received, bounds).at, received - 59 * minute);
  assert.equal(boundEventTime(received + 1000, received, bounds).at, received);
});
