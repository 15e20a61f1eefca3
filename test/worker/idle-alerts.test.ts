import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { autoResolveDefaults } from '../../src/adapters/registry.js';
import { buildConfig } from '../../src/config/load-config.js';
import { idleLimitMs } from '../../src/worker/idle-alerts.js';
import { storeKinds } from '../support/stores.js';
import { api, postJson, startStack, type Stack } from '../support/stack.js';
import { eventually } from '../support/waiting.js';

const hour = 3_600_000;
const limits = { rate_limit: { per_second: 100000, per_minute: 1000000 } };

test('the idle limit: the integration setting, else its adapter default; false turns the default off', () => {
  const defaults = autoResolveDefaults();
  assert.equal(defaults.get('graylog'), 24 * hour);
  assert.equal(defaults.get('prometheus'), undefined, 'a source that sends recoveries has no default');
  const config = buildConfig(
    {
      channels: [{ id: 'ops' }],
      integrations: [
        { id: 'g', adapter: 'graylog', key: 'graylog-key-0001', channel: 'ops' },
        { id: 'g1', adapter: 'graylog', key: 'graylog-key-0002', channel: 'ops', auto_resolve: { after: '2h' } },
        { id: 'g0', adapter: 'graylog', key: 'graylog-key-0003', channel: 'ops', auto_resolve: false },
        { id: 's', adapter: 'standard', key: 'standard-key-01', channel: 'ops' },
      ],
    },
    'test',
    {},
  );
  assert.deepEqual(
    config.integrations.map((integration) => idleLimitMs(integration, defaults)),
    [24 * hour, 2 * hour, undefined, undefined],
  );
});

for (const store of storeKinds) {
  describe(`idle alerts recover through the pipeline (${store})`, () => {
    // Event ids are time-ordered by the real clock: the test clock starts there.
    const t0 = Date.now();
    let now = t0;
    let stack: Stack;
    before(async () => {
      stack = await startStack({
        store,
        clock: () => now,
        workerOptions: { idleSweepEveryMs: 200, adapterDefaults: () => new Map([['standard', 24 * hour]]) },
        configFile: {
          channels: [{ id: 'ops' }, { id: 'db' }],
          integrations: [
            {
              id: 'quiet',
              adapter: 'standard',
              key: 'quiet-key-00001',
              channel: 'ops',
              auto_resolve: { after: '1h' },
              ...limits,
            },
            { id: 'kept', adapter: 'standard', key: 'kept-key-000001', channel: 'db', auto_resolve: false, ...limits },
          ],
        },
      });
    });
    after(() => stack.close());

    const push = (key: string, alertKey: string) =>
      postJson(`${stack.baseUrl}/event/push/alert/standard?integration_key=${key}`, {
        title_rule: `disk full on ${alertKey}`,
        event_status: 'Warning',
        alert_key: alertKey,
        labels: { host: alertKey },
      });

    test('an alert silent past its limit recovers once, its incident closes; a source with false never does', async () => {
      assert.equal((await push('quiet-key-00001', 'db1')).status, 200);
      assert.equal((await push('kept-key-000001', 'db2')).status, 200);
      await stack.waitForEvents(2);
      now = t0 + 30 * 60_000;
      assert.equal((await push('quiet-key-00001', 'db1')).status, 200, 'a repeat keeps it from being idle');
      await stack.waitForEvents(3);
      now = t0 + 80 * 60_000;
      // 50 minutes after its last event: not idle yet, whatever sweeps ran meanwhile.
      await new Promise((resolve) => setTimeout(resolve, 600));
      await stack.waitForIdle();
      const early = await api(stack, 'GET', '/alerts?integration=quiet');
      assert.equal((early.body.data as { items: Array<{ alert_status: string }> }).items[0].alert_status, 'Warning');
      now = t0 + 3 * hour;
      const recovered = await eventually('the idle alert recovered', async () => {
        const res = await api(stack, 'GET', '/alerts?integration=quiet');
        const [alert] = (
          res.body.data as { items: Array<{ alert_status: string; alert_id: string; incident_id: string }> }
        ).items;
        return alert?.alert_status === 'Ok' ? alert : undefined;
      });
      const incident = await api(stack, 'GET', `/incidents/${recovered.incident_id}`);
      assert.equal((incident.body.data as { incident: { progress: string } }).incident.progress, 'Closed');
      const alert = await api(stack, 'GET', `/alerts/${recovered.alert_id}`);
      const events = (
        alert.body.data as { events: Array<{ event_status: string; description?: string; event_time: number }> }
      ).events;
      const oks = events.filter((event) => event.event_status === 'Ok');
      assert.equal(oks.length, 1);
      assert.match(oks[0].description ?? '', /^No event for 1h: recovered by the integration's auto_resolve/);
      assert.equal(oks[0].event_time, t0 + 30 * 60_000 + hour, 'recovered as of its last event + the limit');
      // Later sweeps find nothing more to do; the other integration's alert stays open.
      await new Promise((resolve) => setTimeout(resolve, 600));
      await stack.waitForIdle();
      const again = await api(stack, 'GET', `/alerts/${recovered.alert_id}`);
      assert.equal(
        (again.body.data as { events: Array<{ event_status: string }> }).events.filter((e) => e.event_status === 'Ok')
          .length,
        1,
      );
      const kept = await api(stack, 'GET', '/alerts?integration=kept');
      assert.equal((kept.body.data as { items: Array<{ alert_status: string }> }).items[0].alert_status, 'Warning');
    });
  });
}
