import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { AdapterRegistry } from '../../src/adapters/registry.js';
import { jobsHolding, queuedEventsOf } from '../support/queued.js';
import { makeSnsSigningPair, signSnsMessage } from '../../src/adapters/sns-fixture-signing.js';
import { postJson, startStack, type Stack } from '../support/stack.js';
import { manifestFor, tempAdaptersDir } from '../support/temp-adapters.js';

const allTypes = ['application/json', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data'];
const temp = tempAdaptersDir({
  echo: {
    manifest: manifestFor('echo', { content_types: allTypes, methods: ['POST', 'GET'], multipart_field: 'payload' }),
    mapping: `(
  $in := $exists(body.title) or $exists(body.alerts) ? body : query;
  $exists($in.alerts) ? [$in.alerts.{ "title": title, "event_status": status, "alert_key": key }] : {
    "title": $in.title,
    "event_status": $in.status,
    "alert_key": $in.key,
    "labels": {
      "via": headers."x-via",
      "auth": headers.authorization,
      "integration_key": query.integration_key,
      "integration": $integration.id,
      "received": $string($receivedAt)
    }
  }
)`,
  },
  signed: {
    manifest: manifestFor('signed', {
      signature: { type: 'hmac-sha256', header: 'X-Signature', encoding: 'hex', prefix: 'sha256=' },
    }),
    mapping: '{ "title": body.title, "event_status": "Info" }',
  },
  sns: {
    manifest: manifestFor('sns', { content_types: ['text/plain', 'application/json'], signature: { type: 'aws-sns' } }),
    mapping: `body.Type = 'Notification' ? { "title": body.Subject, "event_status": "Warning", "alert_key": body.MessageId } : []`,
  },
  loop: { manifest: manifestFor('loop'), mapping: '(\n  $loop := function($n) { $loop($n + 1) };\n  $loop(0)\n)' },
});

const secret = 's3cret-value';
const limits = { rate_limit: { per_second: 100000, per_minute: 1000000 } };
const integrations = [
  { id: 'echo-int', adapter: 'echo', key: 'echo-key-0001', channel: 'ops', ...limits },
  { id: 'signed-int', adapter: 'signed', key: 'signed-key-0001', channel: 'ops', secret, ...limits },
  { id: 'unsigned-int', adapter: 'signed', key: 'unsigned-key-01', channel: 'ops', ...limits },
  { id: 'sns-int', adapter: 'sns', key: 'sns-key-000001', channel: 'ops', ...limits },
  { id: 'loop-int', adapter: 'loop', key: 'loop-key-00001', channel: 'ops', ...limits },
];

describe('POST /event/push/alert/{adapter} (real HTTP, real Redis)', () => {
  const sns = makeSnsSigningPair();
  const fetched: string[] = [];
  let failFetch = false;
  let stack: Stack;
  const push = (adapter: string, key: string, query = '') =>
    `${stack.baseUrl}/event/push/alert/${adapter}?integration_key=${key}${query}`;
  const echo = (query = '') => push('echo', 'echo-key-0001', query);
  const fetchUrl = async (url: string) => {
    if (failFetch) throw new Error('connect ECONNREFUSED');
    fetched.push(url);
  };

  before(async () => {
    const adapters = AdapterRegistry.load({ dir: temp.dir });
    stack = await startStack({
      store: 'sqlite',
      worker: false,
      clock: () => 1767225600000,
      configFile: { defaults: { payload_limit: 4096 }, channels: [{ id: 'ops' }], integrations },
      app: { adapters, fetchUrl, fetchCertificate: async () => sns.certPem },
    });
  });
  after(async () => {
    await stack.close();
    temp.remove();
  });

  async function eventsOf(res: { body: Record<string, unknown> }) {
    return queuedEventsOf(stack, String(res.body.request_id));
  }

  test('a JSON object → 200 alert_key; the mapping sees headers, bindings, and no credentials', async () => {
    const res = await postJson(
      `${stack.baseUrl}/event/push/alert/echo`,
      { title: 'cpu', status: 'Critical', key: 'k-1' },
      { authorization: 'Bearer echo-key-0001', 'x-via': 'json' },
    );
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.data, { alert_key: 'k-1' });
    const [event] = await eventsOf(res);
    assert.deepEqual(event.labels, { via: 'json', integration: 'echo-int', received: '1767225600000' });
    assert.equal(event.integration_type, 'echo');
  });

  test('a list of 50 events → alert_keys in order, all in ONE queue job', async () => {
    const alerts = Array.from({ length: 50 }, (_, i) => ({ title: `a${i}`, status: 'Warning', key: `k${i}` }));
    const res = await postJson(echo(), { alerts });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.data, { alert_keys: alerts.map((alert) => alert.key) });
    assert.equal((await eventsOf(res)).length, 50);
    assert.equal(await jobsHolding(stack, String(res.body.request_id)), 1);
  });

  test('an empty list is accepted with nothing queued', async () => {
    const res = await postJson(echo(), { alerts: [] });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.data, { alert_keys: [] });
    assert.deepEqual(await eventsOf(res), []);
  });

  const bodies: Array<[string, () => RequestInit]> = [
    [
      'form-urlencoded',
      () => ({ method: 'POST', body: new URLSearchParams({ title: 'disk', status: 'Warning', key: 'k-form' }) }),
    ],
    [
      'multipart with a JSON field',
      () => {
        const form = new FormData();
        form.set('payload', JSON.stringify({ title: 'disk', status: 'Warning', key: 'k-multipart' }));
        return { method: 'POST', body: form };
      },
    ],
    [
      'text/plain holding JSON',
      () => ({
        method: 'POST',
        headers: { 'content-type': 'text/plain; charset=UTF-8' },
        body: JSON.stringify({ title: 'disk', status: 'Warning', key: 'k-text' }),
      }),
    ],
  ];
  for (const [name, init] of bodies) {
    test(`a ${name} body is parsed for the mapping`, async () => {
      const response = await fetch(echo(), init());
      const body = (await response.json()) as { data: { alert_key: string } };
      assert.equal(response.status, 200, JSON.stringify(body));
      assert.match(body.data.alert_key, /^k-(form|multipart|text)$/);
    });
  }

  test('GET with query parameters, where the manifest allows it', async () => {
    const response = await fetch(echo('&title=up&status=Ok&key=k-get'));
    assert.equal(response.status, 200);
    assert.deepEqual(((await response.json()) as { data: unknown }).data, { alert_key: 'k-get' });
  });

  test('a method or a content type the manifest does not list → 400', async () => {
    const get = await fetch(push('signed', 'unsigned-key-01'));
    assert.equal(get.status, 400);
    assert.deepEqual(((await get.json()) as { error: unknown }).error, {
      code: 'MethodNotAllowed',
      message: 'GET is not allowed for the signed adapter: use POST',
    });
    const text = await fetch(push('signed', 'unsigned-key-01'), {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: '{}',
    });
    assert.equal(text.status, 400);
    assert.deepEqual(((await text.json()) as { error: unknown }).error, {
      code: 'InvalidContentType',
      message: 'Content-Type must be application/json for the signed adapter, got "text/plain"',
    });
    const multipart = await fetch(echo(), {
      method: 'POST',
      body: (() => {
        const form = new FormData();
        form.set('other', '{}');
        return form;
      })(),
    });
    assert.match(
      ((await multipart.json()) as { error: { message: string } }).error.message,
      /^multipart\/form-data body has no field "payload"; fields: other$/,
    );
  });

  test('query overrides apply to adapter events', async () => {
    const res = await postJson(
      echo('&severity=Info&title_rule=' + encodeURIComponent('[TPL]${via}: {{.Title}}')),
      { title: 'cpu', status: 'Critical', key: 'k-ovr' },
      { 'x-via': 'hook' },
    );
    const [event] = await eventsOf(res);
    assert.equal(event.event_status, 'Info');
    assert.equal(event.title, 'hook: cpu');
  });

  test('an invalid event in a list is named by its index; unknown adapter → 404; wrong adapter → 400', async () => {
    const bad = await postJson(echo(), {
      alerts: [
        { title: 'a', status: 'Info', key: 'a' },
        { title: 'b', status: 'bad', key: 'b' },
      ],
    });
    assert.equal(bad.status, 400);
    assert.match(
      (bad.body.error as { message: string }).message,
      /^\[1\]\.event_status: must be one of Critical, Warning, Info, Ok/,
    );
    const unknown = await postJson(push('nothing', 'echo-key-0001'), {});
    assert.equal(unknown.status, 404);
    assert.equal((unknown.body.error as { code: string }).code, 'RouteNotFound');
    const wrong = await postJson(push('signed', 'echo-key-0001'), {});
    assert.equal(wrong.status, 400);
    assert.match((wrong.body.error as { message: string }).message, /integration echo-int takes echo payloads/);
  });

  test('a body over the payload limit → 413', async () => {
    const res = await postJson(echo(), { title: 'x'.repeat(5000), status: 'Info' });
    assert.equal(res.status, 413);
    assert.equal((res.body.error as { code: string }).code, 'PayloadTooLarge');
  });

  test('HMAC signature: missing or wrong → 401 with the reason; right → 200; no secret → not checked', async () => {
    const body = JSON.stringify({ title: 'signed' });
    const sign = (text: string, key: string) => 'sha256=' + createHmac('sha256', key).update(text).digest('hex');
    const send = (key: string, headers: Record<string, string>) =>
      fetch(push('signed', key), { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    const missing = await send('signed-key-0001', {});
    assert.equal(missing.status, 401);
    assert.deepEqual(((await missing.json()) as { error: unknown }).error, {
      code: 'Unauthorized',
      message: 'request signature (X-Signature): the signature header is missing',
    });
    const wrong = await send('signed-key-0001', { 'x-signature': sign(body, 'other') });
    assert.equal(wrong.status, 401);
    assert.match(
      ((await wrong.json()) as { error: { message: string } }).error.message,
      /the signature does not match the body/,
    );
    assert.equal((await send('signed-key-0001', { 'x-signature': sign(body, secret) })).status, 200);
    assert.equal((await send('unsigned-key-01', {})).status, 200);
  });

  const snsBase = {
    MessageId: 'm-1',
    TopicArn: 'arn:aws:sns:eu-west-1:123456789012:ops',
    Timestamp: '2025-03-02T10:45:12.402Z',
    SignatureVersion: '1',
    SigningCertURL: 'https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-test.pem',
  };
  const confirmation = (subscribeUrl: string) =>
    signSnsMessage(
      { ...snsBase, Type: 'SubscriptionConfirmation', Token: 'tok', Message: 'confirm', SubscribeURL: subscribeUrl },
      sns.keyPem,
    );
  const postSns = (message: Record<string, string>) =>
    fetch(push('sns', 'sns-key-000001'), {
      method: 'POST',
      headers: { 'content-type': 'text/plain; charset=UTF-8' },
      body: JSON.stringify(message),
    });

  test('SNS: a signed notification is accepted; a tampered one → 401', async () => {
    const notification = signSnsMessage(
      { ...snsBase, Type: 'Notification', Subject: 'ALARM', Message: '{}' },
      sns.keyPem,
    );
    const ok = await postSns(notification);
    assert.equal(ok.status, 200);
    assert.deepEqual(((await ok.json()) as { data: unknown }).data, { alert_key: 'm-1' });
    const tampered = await postSns({ ...notification, Subject: 'OK' });
    assert.equal(tampered.status, 401);
    assert.match(
      ((await tampered.json()) as { error: { message: string } }).error.message,
      /^SNS message signature: the SNS signature does not match the message$/,
    );
  });

  test('SNS SubscriptionConfirmation: only a trusted SubscribeURL is fetched, once', async () => {
    fetched.length = 0;
    const trusted =
      'https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:eu-west-1:123456789012:ops&Token=tok';
    const ok = await postSns(confirmation(trusted));
    assert.equal(ok.status, 200);
    assert.deepEqual(((await ok.json()) as { data: unknown }).data, { alert_keys: [] });
    assert.deepEqual(fetched, [trusted]);
    for (const url of [
      'https://evil.example/?Action=ConfirmSubscription',
      'http://169.254.169.254/latest/meta-data',
      'https://sns.eu-west-1.amazonaws.com.evil.example/?Action=ConfirmSubscription',
    ]) {
      const refused = await postSns(confirmation(url));
      assert.equal(refused.status, 400, url);
    }
    const unsigned = await postSns({ ...confirmation(trusted), Signature: 'AAAA' });
    assert.equal(unsigned.status, 401);
    assert.deepEqual(fetched, [trusted], 'nothing else was fetched');
    failFetch = true;
    const unavailable = await postSns(confirmation(trusted));
    failFetch = false;
    assert.equal(unavailable.status, 503, 'SNS retries a confirmation that did not get a 2xx');
  });

  test('a runaway mapping answers 400 quickly with the JSONata error', async () => {
    const started = Date.now();
    const res = await postJson(push('loop', 'loop-key-00001'), {});
    assert.equal(res.status, 400);
    assert.ok(Date.now() - started < 2000);
    assert.match(
      (res.body.error as { message: string }).message,
      /^Evaluation timeout after \d+ milliseconds.*JSONata D1012\)$/,
    );
  });
});
