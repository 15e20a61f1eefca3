import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { queuedEventsOf } from '../support/queued.js';
import { api, postJson, startStack, type Stack } from '../support/stack.js';

const routingKey = 'R0123456789abcdef0123456789abcde';
const genieKey = 'genie-key-00000001';
const limits = { rate_limit: { per_second: 10000, per_minute: 100000 } };

describe('native drop-in routes: PagerDuty Events API, Opsgenie Alert API', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({
      store: 'sqlite',
      worker: false,
      configFile: {
        channels: [{ id: 'ops' }],
        integrations: [
          { id: 'pd', adapter: 'pagerduty', key: routingKey, channel: 'ops', ...limits },
          { id: 'og', adapter: 'opsgenie', key: genieKey, channel: 'ops', ...limits },
          { id: 'std', adapter: 'standard', key: 'standard-key-01', channel: 'ops', ...limits },
        ],
      },
    });
  });
  after(() => stack.close());

  const trigger = {
    routing_key: routingKey,
    event_action: 'trigger',
    dedup_key: 'db-7/disk',
    payload: { summary: 'Disk 95% on db-7', source: 'db-7', severity: 'critical' },
  };
  const requestIdOf = (headers: Headers) => String(headers.get('x-request-id'));

  test('POST /v2/enqueue → 202 {status, message, dedup_key} and the event is queued', async () => {
    const res = await postJson(`${stack.baseUrl}/v2/enqueue`, trigger);
    assert.equal(res.status, 202);
    assert.deepEqual(res.body, { status: 'success', message: 'Event processed', dedup_key: 'db-7/disk' });
    const [event] = await queuedEventsOf(stack, requestIdOf(res.headers));
    assert.deepEqual(
      [event.title, event.event_status, event.alert_key, event.integration_id],
      ['Disk 95% on db-7', 'Critical', 'db-7/disk', 'pd'],
    );
  });

  test('a trigger without dedup_key gets a derived one; an acknowledge answers its own key and queues no event', async () => {
    const keyless = await postJson(`${stack.baseUrl}/v2/enqueue`, { ...trigger, dedup_key: undefined });
    assert.match(String(keyless.body.dedup_key), /^[0-9A-Za-z]{22}$/);
    const ack = await postJson(`${stack.baseUrl}/v2/enqueue`, {
      routing_key: routingKey,
      event_action: 'acknowledge',
      dedup_key: 'db-7/disk',
    });
    assert.equal(ack.status, 202);
    assert.equal(ack.body.dedup_key, 'db-7/disk');
    assert.deepEqual(await queuedEventsOf(stack, requestIdOf(ack.headers)), []);
  });

  const pagerDutyErrors: Array<[string, unknown, number, string]> = [
    [
      'an invalid event',
      { routing_key: routingKey, event_action: 'snooze' },
      400,
      'not a PagerDuty Events API v1 or v2 event',
    ],
    ['a missing routing_key', { event_action: 'trigger' }, 400, "'routing_key' is missing or blank"],
    [
      'an unknown routing_key',
      { ...trigger, routing_key: 'unknown-key-0000' },
      400,
      'integration_key is not a valid one',
    ],
    [
      'a routing_key of another kind of integration',
      { ...trigger, routing_key: 'standard-key-01' },
      400,
      'integration std takes standard payloads',
    ],
    ['a body that is not JSON', '{"routing_key": ', 400, 'the request body is not valid JSON'],
  ];
  for (const [name, body, status, message] of pagerDutyErrors) {
    test(`PagerDuty: ${name} → ${status} in PagerDuty's error shape`, async () => {
      const res = await postJson(`${stack.baseUrl}/v2/enqueue`, body);
      assert.equal(res.status, status);
      assert.equal(res.body.status, 'invalid event');
      assert.equal(res.body.message, 'Event object is invalid');
      assert.ok((res.body.errors as string[])[0].includes(message), JSON.stringify(res.body));
    });
  }

  test('PagerDuty v1 POST /generic/2010-04-15/create_event.json → 200 {status, message, incident_key}', async () => {
    const res = await postJson(`${stack.baseUrl}/generic/2010-04-15/create_event.json`, {
      service_key: routingKey,
      event_type: 'resolve',
      incident_key: 'srv-1/cpu',
    });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { status: 'success', message: 'Event processed', incident_key: 'srv-1/cpu' });
    const [event] = await queuedEventsOf(stack, requestIdOf(res.headers));
    assert.equal(event.event_status, 'Ok');
  });

  const genie = { authorization: `GenieKey ${genieKey}` };

  test('Opsgenie POST /v2/alerts → 202 {result, took, requestId}; alias is the alert_key', async () => {
    const res = await postJson(
      `${stack.baseUrl}/v2/alerts`,
      { message: 'Checkout latency high', alias: 'checkout-latency', priority: 'P1' },
      genie,
    );
    assert.equal(res.status, 202);
    assert.equal(res.body.result, 'Request will be processed');
    assert.equal(typeof res.body.took, 'number');
    assert.equal(res.body.requestId, requestIdOf(res.headers));
    const [event] = await queuedEventsOf(stack, requestIdOf(res.headers));
    assert.deepEqual(
      [event.title, event.event_status, event.alert_key],
      ['Checkout latency high', 'Critical', 'checkout-latency'],
    );
  });

  test('Opsgenie close by alias, with or without a body, recovers the alert', async () => {
    for (const init of [
      {
        body: JSON.stringify({ user: 'alertmanager', note: 'resolved' }),
        headers: { 'content-type': 'application/json', ...genie },
      },
      { headers: genie },
    ]) {
      const response = await fetch(`${stack.baseUrl}/v2/alerts/checkout-latency/close?identifierType=alias`, {
        method: 'POST',
        ...init,
      });
      assert.equal(response.status, 202);
      const [event] = await queuedEventsOf(stack, requestIdOf(response.headers));
      assert.deepEqual([event.event_status, event.alert_key], ['Ok', 'checkout-latency']);
    }
  });

  test("Opsgenie errors come in Opsgenie's shape: no key → 401, identifierType=id → 400, no message → 400", async () => {
    const anonymous = await postJson(`${stack.baseUrl}/v2/alerts`, { message: 'x' });
    assert.equal(anonymous.status, 401);
    assert.deepEqual(Object.keys(anonymous.body).sort(), ['message', 'requestId', 'took']);
    const byId = await fetch(`${stack.baseUrl}/v2/alerts/123/close?identifierType=id`, {
      method: 'POST',
      headers: genie,
    });
    assert.equal(byId.status, 400);
    assert.equal(((await byId.json()) as { message: string }).message, 'identifierType must be alias, got "id"');
    const empty = await postJson(`${stack.baseUrl}/v2/alerts`, { alias: 'x' }, genie);
    assert.equal(empty.status, 400);
    assert.match(String(empty.body.message), /^an Opsgenie create-alert request needs a message/);
  });
});

describe('credentials in stored payloads', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({
      store: 'sqlite',
      worker: false,
      configFile: {
        channels: [{ id: 'ops' }],
        integrations: [{ id: 'pd', adapter: 'pagerduty', key: routingKey, channel: 'ops', ...limits }],
      },
    });
  });
  after(() => stack.close());

  test('the routing key of a PagerDuty event is not kept in recent or rejected payloads, nor returned by the API', async () => {
    const accepted = await postJson(`${stack.baseUrl}/v2/enqueue`, {
      routing_key: routingKey,
      event_action: 'trigger',
      dedup_key: 'db-7/disk',
      payload: { summary: 'Disk 95% on db-7', source: 'db-7', severity: 'critical' },
    });
    assert.equal(accepted.status, 202);
    const rejected = await postJson(`${stack.baseUrl}/event/push/alert/pagerduty?integration_key=${routingKey}`, {
      routing_key: routingKey,
      event_action: 'trigger',
      payload: { source: 'db-7' },
    });
    assert.equal(rejected.status, 400);
    const recent = await api(stack, 'GET', '/integrations/pd/payloads');
    const kept = await api(stack, 'GET', '/integrations/pd/rejected');
    for (const listing of [recent, kept]) {
      assert.equal(listing.status, 200);
      const text = JSON.stringify(listing.body.data);
      assert.ok(text.includes('<redacted>'), `the field stays, its value is redacted: ${text.slice(0, 300)}`);
      assert.ok(!text.includes(routingKey), 'the routing key is not returned');
    }
  });
});
