import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { api, postJson, startStack, type Stack } from '../support/stack.js';
import { storeKinds } from '../support/stores.js';
import { eventually } from '../support/waiting.js';

type Item = Record<string, unknown>;

/** An Alertmanager (webhook v4) notification of one alert. */
function notification(status: 'firing' | 'resolved', startsAt: string, endsAt: string): unknown {
  const labels = { alertname: 'PostgresReplicationLag', instance: 'pg-2:9187', severity: 'critical' };
  return {
    version: '4',
    groupKey: '{}:{alertname="PostgresReplicationLag"}',
    status,
    receiver: 'alertgate',
    groupLabels: { alertname: labels.alertname },
    commonLabels: labels,
    commonAnnotations: {},
    externalURL: 'http://alertmanager:9093',
    alerts: [
      {
        status,
        labels,
        annotations: { summary: 'Replica pg-2 is behind the primary' },
        startsAt,
        endsAt,
        fingerprint: 'a1b2c3d4e5f60718',
      },
    ],
  };
}

for (const kind of storeKinds) {
  describe(`Alertmanager's startsAt and endsAt become the alert's and incident's times on ${kind}`, () => {
    let stack: Stack;
    before(async () => {
      stack = await startStack({
        store: kind,
        configFile: {
          channels: [{ id: 'ops' }],
          integrations: [{ id: 'am', adapter: 'prometheus', key: 'am-key-0000001', channel: 'ops' }],
        },
      });
    });
    after(() => stack.close());

    test('a firing alert starts at startsAt, its resolution ends it at endsAt', async () => {
      const url = `${stack.baseUrl}/event/push/alert/prometheus?integration_key=am-key-0000001`;
      // Delivered late, as after an outage: the alert fired 40 minutes ago and resolved 10 minutes ago.
      const startsAt = new Date(Date.now() - 40 * 60_000);
      const endsAt = new Date(Date.now() - 10 * 60_000);
      assert.equal(
        (await postJson(url, notification('firing', startsAt.toISOString(), '0001-01-01T00:00:00Z'))).status,
        200,
      );
      await stack.waitForEvents(1);
      assert.equal(
        (await postJson(url, notification('resolved', startsAt.toISOString(), endsAt.toISOString()))).status,
        200,
      );
      const alert = await eventually('the resolution applied', async () => {
        const items = ((await api(stack, 'GET', '/alerts')).body.data as { items: Item[] }).items;
        return items[0]?.alert_status === 'Ok' ? items[0] : undefined;
      });
      assert.equal(alert.start_time, startsAt.getTime());
      assert.equal(alert.end_time, endsAt.getTime());
      assert.ok(Number(alert.close_time) > endsAt.getTime(), 'closed when alertgate received the resolution');
      const incident = (
        (await api(stack, 'GET', `/incidents/${String(alert.incident_id)}`)).body.data as { incident: Item }
      ).incident;
      assert.equal(incident.progress, 'Closed');
      assert.equal(incident.start_time, startsAt.getTime());
      assert.equal(incident.end_time, endsAt.getTime());
    });
  });
}
