import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { adminToken, postJson, startStack, type Stack } from '../support/stack.js';

/** An Alertmanager notification with one alert; `labels` are the alert's own. */
function alertmanager(labels: Record<string, string>) {
  return {
    version: '4',
    status: 'firing',
    receiver: 'alertgate',
    groupLabels: {},
    commonLabels: {},
    commonAnnotations: {},
    externalURL: 'http://alertmanager:9093',
    alerts: [{ status: 'firing', labels, annotations: {}, startsAt: '2026-01-01T00:00:00Z', fingerprint: 'f1' }],
  };
}

describe('schema drift: events an adapter mapped with defaults are counted per integration', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({
      store: 'sqlite',
      worker: false,
      configFile: {
        channels: [{ id: 'ops' }],
        integrations: [
          { id: 'prom', adapter: 'prometheus', key: 'prom-key-000001', channel: 'ops' },
          { id: 'std', adapter: 'standard', key: 'std-key-0000001', channel: 'ops' },
          { id: 'ea', adapter: 'elastalert2', key: 'ea-key-00000001', channel: 'ops' },
        ],
      },
    });
  });
  after(() => stack.close());

  test('a missing severity and a missing alert_key show in /metrics and in GET /api/v1/integrations/{id}', async () => {
    const url = `${stack.baseUrl}/event/push/alert/prometheus?integration_key=prom-key-000001`;
    assert.equal((await postJson(url, alertmanager({ alertname: 'A', severity: 'critical' }))).status, 200);
    assert.equal((await postJson(url, alertmanager({ alertname: 'B' }))).status, 200);
    assert.equal((await postJson(url, alertmanager({ alertname: 'C', severity: 'sev-9' }))).status, 200);
    const metrics = await (await fetch(`${stack.baseUrl}/metrics`)).text();
    assert.match(
      metrics,
      /alertgate_adapter_fallbacks_total\{integration="prom",adapter="prometheus",kind="default_severity"\} 2/,
    );
    const described = (await (
      await fetch(`${stack.baseUrl}/api/v1/integrations/prom`, { headers: { authorization: `Bearer ${adminToken}` } })
    ).json()) as { data: { schema_drift: Record<string, number> } };
    assert.deepEqual(described.data.schema_drift, { default_severity: 2, missing_alert_key: 0, default_title: 0 });
    const untouched = (await (
      await fetch(`${stack.baseUrl}/api/v1/integrations/std`, { headers: { authorization: `Bearer ${adminToken}` } })
    ).json()) as { data: { schema_drift: Record<string, number> } };
    assert.deepEqual(untouched.data.schema_drift, { default_severity: 0, missing_alert_key: 0, default_title: 0 });
  });

  test('a title the mapping wrote itself (its fallback) counts as a default title', async () => {
    const url = `${stack.baseUrl}/event/push/alert/elastalert2?integration_key=ea-key-00000001`;
    // A bare ElastAlert match: no rule name, no title, no key: the mapping's own fallbacks fill them.
    const match = {
      '@timestamp': '2025-03-02T11:12:44Z',
      message: 'Failed password for admin',
      num_hits: 3,
      num_matches: 1,
    };
    assert.equal((await postJson(url, match)).status, 200);
    const described = (await (
      await fetch(`${stack.baseUrl}/api/v1/integrations/ea`, { headers: { authorization: `Bearer ${adminToken}` } })
    ).json()) as { data: { schema_drift: Record<string, number> } };
    assert.equal(described.data.schema_drift.default_title, 1);
  });
});
