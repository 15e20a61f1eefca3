import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { postJson, startStack, type Stack } from '../support/stack.js';

const key = 'test-key-0001';

describe('POST /event/push/alert/standard (real HTTP, real Redis)', () => {
  let stack: Stack;
  let url: string;
  before(async () => {
    stack = await startStack({
      store: 'sqlite',
      worker: false,
      configFile: {
        defaults: { payload_limit: 2048 },
        channels: [{ id: 'ops' }],
        integrations: [
          {
            id: 'std',
            adapter: 'standard',
            key,
            channel: 'ops',
            rate_limit: { per_second: 100000, per_minute: 1000000 },
          },
          { id: 'off', adapter: 'standard', key: 'disabled-key-1', channel: 'ops', enabled: false },
          {
            id: 'slow',
            adapter: 'standard',
            key: 'limited-key-1',
            channel: 'ops',
            rate_limit: { per_second: 2, per_minute: 1000 },
          },
          {
            id: 'minute',
            adapter: 'standard',
            key: 'minute-key-1',
            channel: 'ops',
            rate_limit: { per_second: 1000, per_minute: 3 },
          },
          { id: 'prom', adapter: 'prometheus', key: 'prom-key-0001', channel: 'ops' },
        ],
      },
    });
    url = `${stack.baseUrl}/event/push/alert/standard?integration_key=${key}`;
  });
  after(() => stack.close());

  test('accepts an event: 200, request_id in body and header, alert_key returned as given', async () => {
    const res = await postJson(url, { title_rule: 'cpu high', event_status: 'Critical', alert_key: 'k-1' });
    assert.equal(res.status, 200);
    assert.match(String(res.body.request_id), /^[0-9a-f]{32}$/);
    assert.equal(res.headers.get('x-request-id'), res.body.request_id);
    assert.deepEqual(res.body.data, { alert_key: 'k-1' });
  });

  test('derives a deterministic alert_key for keyless events (same title and labels → same key)', async () => {
    const event = { title: 'disk full', event_status: 'Warning', labels: { host: 'a', mount: '/' } };
    const first = await postJson(url, event);
    const second = await postJson(url, { ...event, labels: { mount: '/', host: 'a' } });
    const other = await postJson(url, { ...event, labels: { host: 'b', mount: '/' } });
    assert.match(String((first.body.data as { alert_key: string }).alert_key), /^[0-9A-Za-z]{22}$/);
    assert.deepEqual(first.body.data, second.body.data);
    assert.notDeepEqual(first.body.data, other.body.data);
  });

  test('a JSON array of events answers alert_keys in order', async () => {
    const res = await postJson(url, [
      { title_rule: 'a', event_status: 'Info', alert_key: 'a' },
      { title_rule: 'b', event_status: 'Ok', alert_key: 'b' },
    ]);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.data, { alert_keys: ['a', 'b'] });
  });

  test('the key may come as X-Integration-Key or Authorization: Bearer', async () => {
    const bare = `${stack.baseUrl}/event/push/alert/standard`;
    const event = { title_rule: 't', event_status: 'Info', alert_key: 'h' };
    assert.equal((await postJson(bare, event, { 'x-integration-key': key })).status, 200);
    assert.equal((await postJson(bare, event, { authorization: `Bearer ${key}` })).status, 200);
  });

  const errorCases: Array<{ name: string; body: unknown; status?: number; code?: string; message: string | RegExp }> = [
    { name: 'missing title_rule', body: { event_status: 'Critical' }, message: 'title_rule: is required' },
    {
      name: 'empty title_rule counts as absent',
      body: { title_rule: '', event_status: 'Critical' },
      message: 'title_rule: is required',
    },
    { name: 'missing event_status', body: { title_rule: 'x' }, message: 'event_status: is required' },
    {
      name: 'wrong enum case',
      body: { title_rule: 'x', event_status: 'critical' },
      message: 'event_status: must be one of Critical, Warning, Info, Ok (case-sensitive), got "critical"',
    },
    {
      name: 'Ok without alert_key',
      body: { title_rule: 'x', event_status: 'Ok' },
      message: 'alert_key: is required when event_status is Ok',
    },
    {
      name: 'alert_key of 256',
      body: { title_rule: 'x', event_status: 'Info', alert_key: 'k'.repeat(256) },
      message: 'alert_key: must be at most 255 characters',
    },
    {
      name: 'labels not an object',
      body: { title_rule: 'x', event_status: 'Info', labels: ['a'] },
      message: 'labels: must be an object',
    },
    {
      name: 'label value an object',
      body: { title_rule: 'x', event_status: 'Info', labels: { a: { b: 1 } } },
      message: 'labels.a: must be a string',
    },
    {
      name: 'invalid label key',
      body: { title_rule: 'x', event_status: 'Info', labels: { 'host.name': 'a' } },
      message: 'labels: label key "host.name" must match ^[a-zA-Z_][a-zA-Z0-9_]*$',
    },
    {
      name: 'image without src',
      body: { title_rule: 'x', event_status: 'Info', images: [{ alt: 'a' }] },
      message: 'images[0].src: is required',
    },
    {
      name: 'image src not a URL',
      body: { title_rule: 'x', event_status: 'Info', images: [{ src: 'ftp://x' }] },
      message: 'images[0].src: must be an http(s) URL or an image key (img_…)',
    },
    {
      name: 'negative event_time',
      body: { title_rule: 'x', event_status: 'Info', event_time: -5 },
      message: 'event_time: must be a Unix time (seconds or milliseconds), not negative',
    },
    {
      name: 'body is not an object',
      body: '"just a string"',
      message: 'body: must be a JSON object (one standard event)',
    },
    { name: 'invalid JSON', body: '{"title_rule": ', message: /^request body is not valid JSON/ },
    { name: 'empty list', body: [], message: 'body: a list must hold 1 to 100 events, got 0' },
    {
      name: 'bad event in a list names its index',
      body: [
        { title_rule: 'a', event_status: 'Info' },
        { title_rule: 'b', event_status: 'bad' },
      ],
      message: /^\[1\]\.event_status: must be one of/,
    },
    {
      name: 'payload over the limit',
      body: { title_rule: 'x'.repeat(3000), event_status: 'Info' },
      status: 413,
      code: 'PayloadTooLarge',
      message: 'request body is larger than the limit of 2048 bytes',
    },
  ];
  for (const item of errorCases) {
    test(`rejects ${item.name}`, async () => {
      const res = await postJson(url, item.body);
      assert.equal(res.status, item.status ?? 400);
      const error = res.body.error as { code: string; message: string };
      assert.equal(error.code, item.code ?? 'InvalidParameter');
      if (typeof item.message === 'string') assert.equal(error.message, item.message);
      else assert.match(error.message, item.message);
      assert.equal(res.headers.get('x-request-id'), res.body.request_id);
    });
  }

  test('several problems are all named', async () => {
    const labels = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`l${i}`, 'v']));
    const res = await postJson(url, { title_rule: 'x', event_status: 'Bad', labels });
    const { message } = res.body.error as { message: string };
    assert.match(message, /event_status: must be one of/);
    assert.match(message, /labels: at most 50 labels are allowed, got 51/);
  });

  test('wrong content type → 400 InvalidContentType', async () => {
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{}' });
    assert.equal(response.status, 400);
    const body = (await response.json()) as { error: { code: string; message: string } };
    assert.deepEqual(body.error, {
      code: 'InvalidContentType',
      message: 'Content-Type must be application/json, got "text/plain"',
    });
  });

  test('GET on a push path → 400 MethodNotAllowed', async () => {
    const response = await fetch(url);
    assert.equal(response.status, 400);
    assert.equal(((await response.json()) as { error: { code: string } }).error.code, 'MethodNotAllowed');
  });

  test('unknown path → 404 RouteNotFound', async () => {
    const response = await fetch(`${stack.baseUrl}/event/push/nothing`, { method: 'POST' });
    assert.equal(response.status, 404);
    assert.deepEqual(((await response.json()) as { error: unknown }).error, {
      code: 'RouteNotFound',
      message: 'no route for POST /event/push/nothing',
    });
  });

  test('missing key → 401 Unauthorized; unknown key → 400; disabled → 403; other adapter → 400', async () => {
    const event = { title_rule: 'x', event_status: 'Info' };
    const missing = await postJson(`${stack.baseUrl}/event/push/alert/standard`, event);
    assert.equal(missing.status, 401);
    assert.equal((missing.body.error as { code: string }).code, 'Unauthorized');
    const unknown = await postJson(`${stack.baseUrl}/event/push/alert/standard?integration_key=nope-nope`, event);
    assert.equal(unknown.status, 400);
    assert.deepEqual(unknown.body.error, { code: 'InvalidParameter', message: 'integration_key is not a valid one' });
    const disabled = await postJson(`${stack.baseUrl}/event/push/alert/standard?integration_key=disabled-key-1`, event);
    assert.equal(disabled.status, 403);
    assert.deepEqual(disabled.body.error, { code: 'AccessDenied', message: 'integration off is disabled' });
    const wrong = await postJson(`${stack.baseUrl}/event/push/alert/standard?integration_key=prom-key-0001`, event);
    assert.equal(wrong.status, 400);
    assert.match(
      (wrong.body.error as { message: string }).message,
      /integration prom takes prometheus payloads: push to \/event\/push\/alert\/prometheus/,
    );
  });

  test('over the per-second budget → 429 RequestTooFrequently with Retry-After', async () => {
    const limited = `${stack.baseUrl}/event/push/alert/standard?integration_key=limited-key-1`;
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 6; i += 1) {
      const res = await postJson(limited, { title_rule: 'x', event_status: 'Info' });
      statuses.push(res.status);
      if (res.status === 429) {
        retryAfter = res.headers.get('retry-after');
        assert.deepEqual(res.body.error, {
          code: 'RequestTooFrequently',
          message: 'integration slow is limited to 2 requests per second',
        });
      }
    }
    assert.ok(statuses.includes(429), `expected a 429 in ${statuses.join(',')}`);
    assert.equal(retryAfter, '1');
  });

  test('over the per-minute budget → 429 with Retry-After up to the end of the minute', async () => {
    const limited = `${stack.baseUrl}/event/push/alert/standard?integration_key=minute-key-1`;
    const results = await Promise.all(
      Array.from({ length: 5 }, () => postJson(limited, { title_rule: 'x', event_status: 'Info' })),
    );
    const rejected = results.filter((res) => res.status === 429);
    assert.equal(results.filter((res) => res.status === 200).length, 3);
    assert.equal(rejected.length, 2);
    assert.deepEqual(rejected[0].body.error, {
      code: 'RequestTooFrequently',
      message: 'integration minute is limited to 3 requests per minute',
    });
    const wait = Number(rejected[0].headers.get('retry-after'));
    assert.ok(wait >= 1 && wait <= 60, `Retry-After ${wait}`);
  });

  test('an unexpected failure is a 500 InternalError naming the request id, never a crash', async () => {
    const broken = await startStack({ store: 'sqlite', worker: false });
    await broken.testStore.store.close();
    const response = await fetch(`${broken.baseUrl}/api/v1/incidents`, {
      headers: { authorization: 'Bearer test-admin-token' },
    });
    const body = (await response.json()) as { request_id: string; error: { code: string; message: string } };
    assert.equal(response.status, 500);
    assert.equal(body.error.code, 'InternalError');
    assert.equal(body.error.message, `internal error; see the server log for request_id ${body.request_id}`);
    assert.equal((await fetch(`${broken.baseUrl}/healthz`)).status, 200, 'the process still serves');
    const dispose = broken.testStore.dispose;
    broken.testStore.dispose = () => dispose().catch(() => undefined);
    await broken.close();
  });

  test('query severity overrides non-Ok status; an invalid one is rejected', async () => {
    const ok = await postJson(`${url}&severity=Info`, { title_rule: 'x', event_status: 'Critical', alert_key: 'sev' });
    assert.equal(ok.status, 200);
    const bad = await postJson(`${url}&severity=info`, { title_rule: 'x', event_status: 'Critical' });
    assert.equal(bad.status, 400);
    assert.equal(
      (bad.body.error as { message: string }).message,
      'severity (query): must be one of Critical, Warning, Info (case-sensitive), got "info"',
    );
  });
});

describe('push when Redis is down', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({ store: 'sqlite', worker: false, redisUrl: 'redis://127.0.0.1:1' });
  });
  after(() => stack.close());

  test('fails fast with 503 ServiceUnavailable, never 200', async () => {
    const started = Date.now();
    const res = await postJson(`${stack.baseUrl}/event/push/alert/standard?integration_key=test-key-0001`, {
      title_rule: 'x',
      event_status: 'Info',
    });
    assert.equal(res.status, 503);
    assert.equal((res.body.error as { code: string }).code, 'ServiceUnavailable');
    assert.ok(res.headers.get('retry-after'));
    assert.ok(Date.now() - started < 5000, 'answered without hanging');
  });
});
