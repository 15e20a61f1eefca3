import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildConfig, ConfigError } from '../../src/config/load-config.js';
import type { ConfigFile } from '../../src/config/types.js';
import { isForbiddenAddress } from '../../src/notify/address-guard.js';
import { expectedRetrySpanMs, retryCeilingMs, retryDelayMs } from '../../src/notify/backoff.js';
import { createIdGenerator } from '../../src/events/ids.js';
import { deliveryId } from '../../src/notify/outbox.js';
import { retryAfterMs } from '../../src/notify/sender.js';
import { signatureHeader } from '../../src/notify/signature.js';

const base: ConfigFile = { channels: [{ id: 'ops' }, { id: 'db-team' }] };

function problemsOf(file: ConfigFile): string[] {
  try {
    buildConfig(file, 'test', {});
    return [];
  } catch (error) {
    return (error as ConfigError).problems;
  }
}

test('a receiver gets its defaults: alertgate format, incident events, all channels, 5 s, 30 attempts', () => {
  const config = buildConfig({ ...base, webhooks: [{ id: 'mine', url: 'https://example.com/hook' }] }, 'test', {});
  const [webhook] = config.webhooks;
  assert.equal(webhook.format, 'alertgate');
  assert.deepEqual(webhook.events, [
    'i_new',
    'i_ack',
    'i_unack',
    'i_rslv',
    'i_reopen',
    'i_storm',
    'i_m_flapping',
    'i_repeat',
  ]);
  assert.equal(webhook.channels, null);
  assert.equal(webhook.timeoutMs, 5_000);
  assert.equal(webhook.maxAttempts, 30);
  assert.equal(webhook.allowPrivateNetwork, false);
});

test('receiver configuration problems are refused, each with its path', () => {
  assert.deepEqual(
    problemsOf({
      ...base,
      webhooks: [
        { id: 'a', url: 'https://example.com/a', channels: ['db-teem'] },
        { id: 'a', url: 'https://example.com/b', format: 'pagerduty' },
      ],
    }),
    [
      'webhooks[0].channels[0]: unknown channel "db-teem"; did you mean "db-team"?',
      'webhooks[1].id: duplicate webhook id "a"',
      'webhooks[1].routing_key: required with format pagerduty',
    ],
  );
  const schema = problemsOf({ ...base, webhooks: [{ id: 'b', url: 'ftp://example.com', events: ['i_nwe'] }] } as never);
  assert.equal(schema.length, 2, schema.join('\n'));
  assert.ok(schema.some((problem) => problem.startsWith('webhooks[0].url')));
  assert.ok(schema.some((problem) => problem.startsWith('webhooks[0].events[0]')));
});

test('link-local and metadata addresses are forbidden, others are not', () => {
  for (const address of ['169.254.169.254', '169.254.0.1', 'fe80::1', 'fd00:ec2::254', '::ffff:169.254.169.254'])
    assert.equal(isForbiddenAddress(address), true, address);
  for (const address of ['127.0.0.1', '10.0.0.1', '8.8.8.8', '::1', 'fd00:ec2::253', 'example.com'])
    assert.equal(isForbiddenAddress(address), false, address);
});

test('backoff: full jitter under a doubling ceiling capped at 2.5 h; 30 attempts span about 24 h', () => {
  assert.equal(retryCeilingMs(1), 5_000);
  assert.equal(retryCeilingMs(4), 40_000);
  assert.equal(retryCeilingMs(20), 9_000_000);
  assert.equal(
    retryDelayMs(3, () => 0.5),
    10_000,
  );
  assert.equal(
    retryDelayMs(3, () => 0),
    100,
  );
  const hours = expectedRetrySpanMs(30) / 3_600_000;
  assert.ok(hours > 23 && hours < 25, String(hours));
});

test('Retry-After as seconds or an HTTP date', () => {
  assert.equal(retryAfterMs('3', 0), 3_000);
  assert.equal(retryAfterMs(new Date(10_000).toUTCString(), 4_000), 6_000);
  assert.equal(retryAfterMs('soon', 0), undefined);
  assert.equal(retryAfterMs(undefined, 0), undefined);
});

const newIdAt = (ms: number): string => createIdGenerator(() => ms)();

test('delivery ids are deterministic per receiver and change; the signature covers time and body', () => {
  assert.equal(deliveryId('hook', 'E1.ops.0'), deliveryId('hook', 'E1.ops.0'));
  assert.notEqual(deliveryId('hook', 'E1.ops.0'), deliveryId('other', 'E1.ops.0'));
  assert.match(deliveryId('hook', 'x'), /^d[0-9a-f]{31}$/);
  // Changes with ids made by newId: the delivery id starts with their time, so later changes' ids sort after.
  const earlier = deliveryId('hook', `${newIdAt(1_700_000_000_000)}.ops.0`);
  const later = deliveryId('hook', `${newIdAt(1_700_000_000_001)}.ops.0`);
  assert.match(earlier, /^d[0-9A-Z]{10}[0-9a-f]{21}$/);
  assert.ok(earlier < later);
  assert.ok(deliveryId('zzz', `${newIdAt(1_700_000_000_000)}.ops.0`) < later, 'whatever the receiver');
  // Computed with Python's hmac module: HMAC-SHA256("secret", "1700000000.{\"a\":1}").
  assert.equal(
    signatureHeader('secret', '{"a":1}', 1700000000),
    't=1700000000,v1=49f24e537407743fa4a0242bb63b94b9a47ee99cbbe071ccd8a22550ae411686',
  );
});

test('a receiver template is compiled at load: a bad one is refused with its line and column; only alertgate takes one', () => {
  const problems = problemsOf({
    ...base,
    webhooks: [
      { id: 'bad', url: 'https://example.com/hook', template: '{\n  "text": incident.title &\n}' },
      { id: 'chat', url: 'https://example.com/hook', format: 'slack', template: '{ "text": incident.title }' },
      { id: 'good', url: 'https://example.com/hook', template: '{ "text": incident.title }' },
    ],
  });
  assert.equal(problems.length, 2, problems.join('\n'));
  assert.match(problems[0], /^webhooks\[0\]\.template:3:\d+: JSONata /);
  assert.equal(
    problems[1],
    'webhooks[1].template: only the alertgate format takes a template (slack has its own body)',
  );
});
