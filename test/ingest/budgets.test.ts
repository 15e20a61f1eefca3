import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { buildConfig } from '../../src/config/load-config.js';
import { RateLimiter } from '../../src/ingest/rate-limiter.js';
import { packageRoot } from '../../src/paths.js';
import { createProducerConnection } from '../../src/queue/redis.js';
import { postJson, redisUrl, startStack, type Stack } from '../support/stack.js';

// A fixed clock: every request falls in the same second and minute however slow the machine is.
const fixedNow = Date.parse('2026-12-02T10:00:10.000Z');

describe('request budget: only accepted requests count', () => {
  const redis = createProducerConnection({ url: redisUrl, prefix: `agtest-${randomBytes(5).toString('hex')}` });
  before(() => redis.connect());
  after(() => redis.quit());

  test('requests answered 429 leave the per-minute budget as it was', async () => {
    let now = fixedNow;
    const limiter = new RateLimiter(redis, `agtest-${randomBytes(5).toString('hex')}`, () => now);
    const config = buildConfig(
      {
        channels: [{ id: 'ops' }],
        integrations: [
          {
            id: 'std',
            adapter: 'standard',
            key: 'key-std-0001',
            channel: 'ops',
            rate_limit: { per_second: 3, per_minute: 5 },
          },
        ],
      },
      'test',
      {},
    );
    const integration = config.integrations[0];
    const offer = async (count: number) =>
      Promise.allSettled(Array.from({ length: count }, () => limiter.check(integration)));
    const first = await offer(6);
    assert.deepEqual(
      first.map((result) => result.status),
      ['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'rejected', 'rejected'],
    );
    const refused = (first[3] as PromiseRejectedResult).reason as { code: string; message: string; headers: object };
    assert.deepEqual(
      [refused.code, refused.message, refused.headers],
      ['RequestTooFrequently', 'integration std is limited to 3 requests per second', { 'Retry-After': '1' }],
    );
    // The next second of the same minute: 3 of 5 were used, the three refused ones cost nothing.
    now += 1000;
    const second = await offer(3);
    assert.deepEqual(
      second.map((result) => result.status),
      ['fulfilled', 'fulfilled', 'rejected'],
    );
    assert.equal(
      ((second[2] as PromiseRejectedResult).reason as Error).message,
      'integration std is limited to 5 requests per minute',
    );
  });
});

describe('alerts/s and bytes/s budgets (real HTTP, real Redis)', () => {
  let stack: Stack;
  const push = (key: string, body: unknown) =>
    postJson(`${stack.baseUrl}/event/push/alert/standard?integration_key=${key}`, body);
  const events = (count: number) =>
    Array.from({ length: count }, (_, i) => ({ title_rule: `t${i}`, event_status: 'Info', alert_key: `a${i}` }));
  before(async () => {
    stack = await startStack({
      store: 'sqlite',
      worker: false,
      clock: () => fixedNow,
      configFile: {
        channels: [{ id: 'ops' }],
        integrations: [
          {
            id: 'alerts',
            adapter: 'standard',
            key: 'alerts-key-1',
            channel: 'ops',
            rate_limit: { per_second: 2, per_minute: 100, alerts_per_second: 10 },
          },
          {
            id: 'big',
            adapter: 'standard',
            key: 'big-key-1',
            channel: 'ops',
            rate_limit: { per_second: 100, per_minute: 100, alerts_per_second: 10 },
          },
          {
            id: 'bytes',
            adapter: 'standard',
            key: 'bytes-key-1',
            channel: 'ops',
            rate_limit: { per_second: 100, per_minute: 100, bytes_per_second: '1kb' },
          },
          {
            id: 'am',
            adapter: 'prometheus',
            key: 'am-key-1',
            channel: 'ops',
            rate_limit: { per_second: 100, per_minute: 100, alerts_per_second: 5 },
          },
        ],
      },
    });
  });
  after(() => stack.close());

  test('alerts over the per-second budget → 429 with Retry-After: 1, and the refused request costs nothing', async () => {
    assert.equal((await push('alerts-key-1', events(8))).status, 200);
    const over = await push('alerts-key-1', events(5));
    assert.equal(over.status, 429);
    assert.equal(over.headers.get('retry-after'), '1');
    assert.deepEqual(over.body.error, {
      code: 'RequestTooFrequently',
      message: 'integration alerts is limited to 10 alerts per second (this payload has 5)',
    });
    // Second request of a 2/s budget: the 429 above gave its place back.
    assert.equal((await push('alerts-key-1', events(2))).status, 200);
    const third = await push('alerts-key-1', events(1));
    assert.equal(third.status, 429);
    assert.equal(
      (third.body.error as { message: string }).message,
      'integration alerts is limited to 2 requests per second',
    );
  });

  test('a payload larger than the whole alerts budget is accepted only into an empty second', async () => {
    assert.equal((await push('big-key-1', events(15))).status, 200);
    assert.equal((await push('big-key-1', events(1))).status, 429);
  });

  test('bytes over the per-second budget → 429', async () => {
    const event = { title_rule: 'x', event_status: 'Info', description: 'd'.repeat(600) };
    assert.equal((await push('bytes-key-1', event)).status, 200);
    const over = await push('bytes-key-1', event);
    assert.equal(over.status, 429);
    assert.match(
      (over.body.error as { message: string }).message,
      /^integration bytes is limited to 1024 bytes per second \(this payload has \d+\)$/,
    );
  });

  test('an adapter payload counts its alerts: a 3-alert Alertmanager push then another is over 5/s', async () => {
    const fixture = JSON.parse(
      readFileSync(join(packageRoot, 'adapters', 'prometheus', 'fixtures', 'firing-batch.input.json'), 'utf8'),
    ) as { body: { alerts: unknown[] } };
    const url = `${stack.baseUrl}/event/push/alert/prometheus?integration_key=am-key-1`;
    assert.equal(fixture.body.alerts.length, 3);
    assert.equal((await postJson(url, fixture.body)).status, 200);
    const over = await postJson(url, fixture.body);
    assert.equal(over.status, 429);
    assert.deepEqual(over.body.error, {
      code: 'RequestTooFrequently',
      message: 'integration am is limited to 5 alerts per second (this payload has 3)',
    });
  });
});
