import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { api, postJson, startStack, type Stack } from '../support/stack.js';

const limits = { rate_limit: { per_second: 100000, per_minute: 1000000 } };
const standardKey = 'proto-standard-01';
const promKey = 'proto-prom-00001';

interface AlertView {
  alert_key: string;
  title: string;
  labels: Record<string, string>;
}

describe('keys named __proto__ are data, never a prototype (real HTTP, worker, store)', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({
      store: 'sqlite',
      configFile: {
        channels: [{ id: 'ops' }],
        integrations: [
          { id: 'std', adapter: 'standard', key: standardKey, channel: 'ops', ...limits },
          { id: 'prom', adapter: 'prometheus', key: promKey, channel: 'ops', ...limits },
        ],
      },
    });
  });
  after(() => stack.close());

  const push = (adapter: string, key: string) => `${stack.baseUrl}/event/push/alert/${adapter}?integration_key=${key}`;

  async function storedAlert(alertKey: string): Promise<AlertView> {
    await stack.waitForIdle();
    const { body } = await api(stack, 'GET', '/alerts?channel=ops');
    const found = (body.data as { items: AlertView[] }).items.find((alert) => alert.alert_key === alertKey);
    assert.ok(found, `alert ${alertKey} is stored`);
    return found;
  }

  test('required fields hidden behind a "__proto__" key are missing: 400 naming them', async () => {
    // JSON.stringify would drop a __proto__ key of an object literal: the body is written out.
    const res = await postJson(
      push('standard', standardKey),
      '{"__proto__": {"title_rule": "x", "event_status": "Critical"}}',
    );
    assert.equal(res.status, 400);
    assert.deepEqual(res.body.error, {
      code: 'InvalidParameter',
      message: 'title_rule: is required; event_status: is required',
    });
    const inList = await postJson(
      push('standard', standardKey),
      '[{"__proto__": {"title_rule": "x", "event_status": "Critical"}}]',
    );
    assert.equal(inList.status, 400);
    assert.match(String((inList.body.error as { message: string }).message), /^\[0\]\.title_rule: is required/);
  });

  test('a label named __proto__ is kept: queued, stored, usable in a title rule, part of the derived alert_key', async () => {
    const body =
      '{"title_rule": "$__proto__::disk full", "event_status": "Warning", "alert_key": "proto-label", "labels": {"__proto__": "db1", "service": "pg"}}';
    const res = await postJson(push('standard', standardKey), body);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const alert = await storedAlert('proto-label');
    assert.equal(alert.title, 'db1 / disk full');
    assert.ok(Object.hasOwn(alert.labels, '__proto__'));
    assert.deepEqual(Object.entries(alert.labels).sort(), [
      ['__proto__', 'db1'],
      ['service', 'pg'],
    ]);
    const keyless = (value: string) =>
      postJson(
        push('standard', standardKey),
        `{"title_rule": "t", "event_status": "Info", "labels": {"__proto__": "${value}"}}`,
      );
    const [a, b] = [await keyless('a'), await keyless('b')];
    assert.notDeepEqual(a.body.data, b.body.data);
  });

  test('a label named __proto__ from an adapter mapping is kept', async () => {
    const alert = {
      status: 'firing',
      labels: { alertname: 'ProtoLabel', severity: 'critical' },
      annotations: {},
      startsAt: '2025-03-02T10:14:07Z',
      fingerprint: 'proto-prom',
    };
    const text = JSON.stringify({ version: '4', status: 'firing', alerts: [alert] }).replace(
      '"alertname"',
      '"__proto__":"pod-1","alertname"',
    );
    const res = await postJson(push('prometheus', promKey), text);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const stored = await storedAlert('proto-prom');
    assert.equal(stored.labels.__proto__, 'pod-1');
    assert.ok(Object.hasOwn(stored.labels, '__proto__'));
  });

  test('silences and dry-run fragments: a "__proto__" field is an unknown field, not a hidden rule', async () => {
    const silence =
      '{"__proto__": {"id": "sneaky", "if": [{"key": "severity", "op": "IN", "values": ["Info"]}], "one_off": {"start": "2025-01-01T00:00:00Z", "end": "2099-01-01T00:00:00Z"}}}';
    const created = await fetch(`${stack.baseUrl}/api/v1/channels/ops/silences`, {
      method: 'POST',
      headers: { authorization: 'Bearer test-admin-token', 'content-type': 'application/json' },
      body: silence,
    });
    assert.equal(created.status, 400, await created.clone().text());
    const dryRun =
      '{"events": [{"integration_id": "std", "__proto__": {"title_rule": "x", "event_status": "Critical"}}]}';
    const ran = await fetch(`${stack.baseUrl}/api/v1/rules/dry-run`, {
      method: 'POST',
      headers: { authorization: 'Bearer test-admin-token', 'content-type': 'application/json' },
      body: dryRun,
    });
    const answer = (await ran.json()) as { error?: { code: string; message: string } };
    assert.equal(ran.status, 400, JSON.stringify(answer));
    assert.match(answer.error?.message ?? '', /title_rule: is required/);
  });
});
