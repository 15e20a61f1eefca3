import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { createChangeQueue } from '../../src/changes/change-queue.js';
import { redisUrl, startStack, type Stack } from '../support/stack.js';

/** Bodies real clients and attackers send: wrong types, odd numbers, prototype keys, NUL, depth, truncation. */
const hostileBodies: string[] = [
  '',
  'null',
  '[]',
  '[null]',
  '{',
  '"a string"',
  '12',
  '{"title": {"a": 1}, "change_key": [], "change_status": 5}',
  '{"title": "t", "change_key": "k", "change_status": "Done", "event_time": 1e25}',
  '{"title": "t", "change_key": "k", "change_status": "Done", "event_time": -5}',
  '{"title": "t", "change_key": "k", "change_status": "Done", "event_time": "soon"}',
  '{"title": "t\\u0000x", "change_key": "k\\u0000", "change_status": "Done", "labels": {"a": "\\u0000"}}',
  '{"__proto__": {"title": "t", "change_key": "k", "change_status": "Done"}}',
  '{"title": "t", "change_key": "proto", "change_status": "Done", "labels": {"__proto__": "x", "constructor": "y"}}',
  '{"title": "t", "change_key": "k", "change_status": "Done", "labels": {"a": {"b": 1}}}',
  '{"title": "t", "change_key": "k", "change_status": "Done", "link": "javascript:alert(1)"}',
  `{"title": "${'x'.repeat(100_000)}", "change_key": "long", "change_status": "Done"}`,
  `${'['.repeat(200)}${']'.repeat(200)}`,
  '{"webhookEvent": "jira:issue_updated", "issue": {"key": "A-1", "fields": {"labels": ["__proto__:x", 5, null], "status": "x", "components": [1, {"name": 2}]}, "self": 7}, "changelog": {"items": [null, {"field": "status", "toString": 5}]}}',
  '{"webhookEvent": "jira:issue_created", "issue": {"key": {"a": 1}}}',
  '{"webhookEvent": ["jira:issue_created"], "issue": null}',
];

describe('hostile change events and pings never answer 5xx', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({
      store: 'sqlite',
      configFile: {
        channels: [{ id: 'ops' }],
        integrations: [
          { id: 'deploys', adapter: 'change-standard', key: 'deploy-key-0001', rate_limit: { per_second: 10000 } },
          { id: 'jira', adapter: 'change-jira', key: 'jira-key-00001', rate_limit: { per_second: 10000 } },
        ],
        heartbeats: [
          { id: 'backup', channel: 'ops', interval: '1h', key: 'hb-key-00001' },
          { id: 'off', channel: 'ops', interval: '1h', key: 'hb-key-00009', enabled: false },
        ],
      },
    });
  });
  after(async () => {
    const redis = new Redis(redisUrl);
    await createChangeQueue(redis, stack.prefix)
      .obliterate({ force: true })
      .catch(() => undefined);
    redis.disconnect();
    await stack.close();
  });

  test('every body on both change endpoints: 200 or a 4xx with the error shape', async () => {
    for (const [path, key] of [
      ['standard', 'deploy-key-0001'],
      ['jira', 'jira-key-00001'],
    ]) {
      for (const body of hostileBodies) {
        for (const contentType of ['application/json', 'text/plain']) {
          const res = await fetch(`${stack.baseUrl}/event/push/change/${path}?integration_key=${key}`, {
            method: 'POST',
            headers: { 'content-type': contentType },
            body,
          });
          const answer = (await res.json()) as { error?: { code: string; message: string } };
          assert.ok(res.status < 500, `${path} ${contentType} ${body.slice(0, 60)} → ${res.status}`);
          if (res.status !== 200) assert.equal(typeof answer.error?.code, 'string');
        }
      }
    }
  });

  test('pings with odd ids, keys and methods: never 5xx', async () => {
    for (const path of ['backup', '%E0%A4%A', '..%2F..%2Fetc', '__proto__', 'constructor', 'a'.repeat(5000)])
      for (const key of ['hb-key-00001', '', '%00', 'x'.repeat(10_000)])
        for (const method of ['GET', 'POST', 'DELETE']) {
          const res = await fetch(`${stack.baseUrl}/heartbeat/${path}?integration_key=${key}`, { method });
          assert.ok(res.status < 500, `${method} ${path.slice(0, 20)} ${key.slice(0, 20)} → ${res.status}`);
        }
  });

  test('a disabled heartbeat answers 403 AccessDenied, as a disabled integration does', async () => {
    const res = await fetch(`${stack.baseUrl}/heartbeat/off?integration_key=hb-key-00009`);
    assert.equal(res.status, 403);
    assert.deepEqual(((await res.json()) as { error: unknown }).error, {
      code: 'AccessDenied',
      message: 'heartbeat off is disabled',
    });
  });
});
