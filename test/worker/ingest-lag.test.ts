import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { QueuedEvent } from '../../src/events/types.js';
import { IngestLag } from '../../src/worker/ingest-lag.js';

/* The worker's lag as retention reads it, on a fake clock. */

const received = (...times: number[]) => times.map((received_at) => ({ received_at }) as QueuedEvent);

test('no events: no lag', () => {
  const lag = new IngestLag(
    () => 1000,
    () => undefined,
  );
  assert.equal(lag.current(), 0);
});

test('an event held but not stored counts from when the gateway received it', () => {
  let now = 1000;
  let oldest: number | undefined = 900;
  const lag = new IngestLag(
    () => now,
    () => oldest,
  );
  assert.equal(lag.current(), 100);
  now = 1300;
  assert.equal(lag.current(), 400);
  oldest = undefined;
  assert.equal(lag.current(), 0);
});

test("a stored batch's lag counts for a while: the wait in the queue, which the worker cannot see", () => {
  let now = 10_000;
  const lag = new IngestLag(
    () => now,
    () => undefined,
    1000,
  );
  lag.stored(received(9_700, 9_400, 9_900));
  assert.equal(lag.current(), 600, 'from its oldest event');
  now += 1000;
  assert.equal(lag.current(), 600);
  now += 1;
  assert.equal(lag.current(), 0, 'a stored lag with no newer batch fades');
  lag.stored(received(10_990));
  assert.equal(lag.current(), 11, 'a newer batch replaces it');
});

test('the larger of held and stored lag', () => {
  const lag = new IngestLag(
    () => 5000,
    () => 4000,
  );
  lag.stored(received(4800));
  assert.equal(lag.current(), 1000);
});
