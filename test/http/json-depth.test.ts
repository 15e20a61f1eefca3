import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { AdapterRegistry } from '../../src/adapters/registry.js';
import { startMappingPool, type MappingPool } from '../../src/adapters/mapping-pool.js';
import { adminToken, startStack, type Stack } from '../support/stack.js';

const limits = { rate_limit: { per_second: 100000, per_minute: 1000000 } };
const keys = {
  standard: 'depth-standard-01',
  prometheus: 'depth-prom-0001',
  cloudwatch: 'depth-cloudwatch-1',
  kuma: 'depth-kuma-00001',
  zabbix: 'depth-zabbix-001',
  pagerduty: 'Rdepth0123456789abcdef012345678',
  opsgenie: 'depth-genie-0001',
};
const tooDeep = 'JSON nesting deeper than 128 levels';

/** `depth` nested arrays, or objects `{"a": {"a": … 1}}`, as JSON text. */
function nested(depth: number, kind: 'array' | 'object'): string {
  return kind === 'array' ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
}

interface Answer {
  status: number;
  text: string;
}

async function post(url: string, body: string | FormData, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(url, { method: 'POST', headers, body });
  return { status: response.status, text: await response.text() };
}

const json = { 'content-type': 'application/json' };

function assertTooDeep(answer: Answer): void {
  assert.equal(answer.status, 400, answer.text);
  assert.ok(answer.text.includes(tooDeep), answer.text);
}

describe('JSON nesting depth is bounded on every route that parses a body (real HTTP, mapping threads)', () => {
  let stack: Stack;
  let pool: MappingPool;
  before(async () => {
    // Mapping threads, as the gateway runs them: the payload crosses a thread boundary.
    pool = await startMappingPool(1, { skipBroken: true });
    const adapters = AdapterRegistry.load({ skipBroken: true });
    adapters.evaluateOn(pool);
    stack = await startStack({
      store: 'sqlite',
      worker: false,
      app: { adapters },
      configFile: {
        channels: [{ id: 'ops' }],
        integrations: [
          { id: 'std', adapter: 'standard', key: keys.standard, channel: 'ops', ...limits },
          { id: 'prom', adapter: 'prometheus', key: keys.prometheus, channel: 'ops', ...limits },
          { id: 'cw', adapter: 'aws-cloudwatch', key: keys.cloudwatch, channel: 'ops', ...limits },
          { id: 'kuma', adapter: 'uptime-kuma', key: keys.kuma, channel: 'ops', ...limits },
          { id: 'zbx', adapter: 'zabbix', key: keys.zabbix, channel: 'ops', ...limits },
          { id: 'pd', adapter: 'pagerduty', key: keys.pagerduty, channel: 'ops', ...limits },
          { id: 'og', adapter: 'opsgenie', key: keys.opsgenie, channel: 'ops', ...limits },
        ],
      },
    });
  });
  after(async () => {
    await stack.close();
    await pool.close();
  });

  const push = (adapter: string, key: string) => `${stack.baseUrl}/event/push/alert/${adapter}?integration_key=${key}`;

  test('standard endpoint: depth 5000, array and object → 400 InvalidParameter', async () => {
    for (const kind of ['array', 'object'] as const) {
      const answer = await post(push('standard', keys.standard), nested(5000, kind), json);
      assertTooDeep(answer);
      assert.equal((JSON.parse(answer.text) as { error: { code: string } }).error.code, 'InvalidParameter');
    }
  });

  test('standard endpoint: nesting of exactly 128 levels is accepted, 129 is not', async () => {
    const event = (extraDepth: number) =>
      `{"title_rule":"deep","event_status":"Info","alert_key":"deep","extra":${nested(extraDepth, 'array')}}`;
    const atLimit = await post(push('standard', keys.standard), event(127), json);
    assert.equal(atLimit.status, 200, atLimit.text);
    assertTooDeep(await post(push('standard', keys.standard), event(128), json));
  });

  test('adapter route (prometheus): depth 5000 → 400, 128 levels accepted', async () => {
    for (const kind of ['array', 'object'] as const)
      assertTooDeep(await post(push('prometheus', keys.prometheus), nested(5000, kind), json));
    const alert = `{"status":"firing","labels":{"alertname":"Deep"},"annotations":{},"startsAt":"2025-03-02T10:14:07Z","fingerprint":"d1","extra":${nested(125, 'object')}}`;
    const atLimit = await post(
      push('prometheus', keys.prometheus),
      `{"version":"4","status":"firing","alerts":[${alert}]}`,
      json,
    );
    assert.equal(atLimit.status, 200, atLimit.text);
  });

  test('text/plain adapter route (aws-cloudwatch): depth 5000 → 400', async () => {
    assertTooDeep(
      await post(push('aws-cloudwatch', keys.cloudwatch), nested(5000, 'object'), {
        'content-type': 'text/plain; charset=UTF-8',
      }),
    );
  });

  test('JSON held in a form value, a query value or a multipart field → 400', async () => {
    const form = new FormData();
    form.set('data', nested(5000, 'array'));
    assertTooDeep(await post(push('uptime-kuma', keys.kuma), form));
    // A URL holds less: 1000 levels keeps it under Node's 16 KiB header limit.
    const query = new URLSearchParams({ msg: 'down', heartbeat: nested(1000, 'array'), monitor: '{}' });
    const viaGet = await fetch(`${push('uptime-kuma', keys.kuma)}&${query}`);
    assertTooDeep({ status: viaGet.status, text: await viaGet.text() });
    const zabbix = JSON.stringify({
      event_id: '1',
      event_name: 'deep tags',
      event_value: '1',
      event_nseverity: '4',
      event_tags: nested(5000, 'array'),
    });
    assertTooDeep(await post(push('zabbix', keys.zabbix), zabbix, json));
  });

  test('native PagerDuty and Opsgenie routes: depth 5000 → 400', async () => {
    const pagerDuty = `{"routing_key":"${keys.pagerduty}","event_action":"trigger","payload":${nested(5000, 'object')}}`;
    const enqueue = await post(`${stack.baseUrl}/v2/enqueue`, pagerDuty, json);
    assertTooDeep(enqueue);
    assert.equal((JSON.parse(enqueue.text) as { status: string }).status, 'invalid event');
    assertTooDeep(await post(`${stack.baseUrl}/generic/2010-04-15/create_event.json`, nested(5000, 'array'), json));
    assertTooDeep(
      await post(`${stack.baseUrl}/v2/alerts`, nested(5000, 'object'), {
        ...json,
        authorization: `GenieKey ${keys.opsgenie}`,
      }),
    );
  });

  test('management API: depth 5000 → 400 InvalidParameter', async () => {
    const auth = { ...json, authorization: `Bearer ${adminToken}` };
    for (const path of ['/rules/dry-run', '/channels/ops/silences', '/adapters/prometheus/preview']) {
      const answer = await post(`${stack.baseUrl}/api/v1${path}`, nested(5000, 'array'), auth);
      assertTooDeep(answer);
      assert.equal((JSON.parse(answer.text) as { error: { code: string } }).error.code, 'InvalidParameter');
    }
    const raw = await post(`${stack.baseUrl}/api/v1/adapters/aws-cloudwatch/preview`, nested(5000, 'array'), {
      'content-type': 'text/plain',
      authorization: `Bearer ${adminToken}`,
    });
    assert.ok(raw.text.includes(tooDeep), raw.text);
  });
});
