import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { DryRunReport } from '../../src/dry-run/run.js';
import type { Database } from '../../src/store/tables.js';
import { api, postJson, startStack, type Stack } from '../support/stack.js';
import { storeKinds } from '../support/stores.js';

const tables: Array<keyof Database> = [
  'events',
  'alerts',
  'incidents',
  'incident_timeline',
  'alert_keys',
  'integration_stats',
  'integration_counts',
  'silences',
];

/** Every row of every table the worker writes, so "nothing changed" is checked row by row, not just by count. */
async function snapshot(stack: Stack): Promise<Record<string, unknown[]>> {
  const db = stack.testStore.store.db;
  const entries = await Promise.all(
    tables.map(async (table) => [table, await db.selectFrom(table).selectAll().execute()] as const),
  );
  return Object.fromEntries(entries.map(([table, rows]) => [table, rows.map((row) => JSON.stringify(row)).sort()]));
}

const condition = (key: string, values: string[]) => ({ key, op: 'IN' as const, values });
const event = (alertKey: string, status: string, labels: Record<string, string>) => ({
  integration_id: 'std',
  title_rule: '$host::disk full',
  event_status: status,
  alert_key: alertKey,
  labels,
});
const groupByCheck = { id: 'ops', grouping: { method: 'rules', equals: [['labels.check']] } };

for (const kind of storeKinds) {
  describe(`rules dry run on ${kind}`, () => {
    let stack: Stack;
    const dryRun = (body: unknown) => api(stack, 'POST', '/rules/dry-run', body);

    before(async () => {
      stack = await startStack({
        store: kind,
        configFile: {
          channels: [{ id: 'ops' }],
          integrations: [
            {
              id: 'std',
              adapter: 'standard',
              key: 'key-ops-0001',
              channel: 'ops',
              rate_limit: { per_second: 10000, per_minute: 100000 },
            },
          ],
        },
      });
      const url = `${stack.baseUrl}/event/push/alert/standard?integration_key=key-ops-0001`;
      for (const [key, labels] of [
        ['a1', { host: 'db1', check: 'disk' }],
        ['a2', { host: 'db2', check: 'disk' }],
        ['a3', { host: 'db3', check: 'cpu' }],
      ] as const) {
        assert.equal(
          (await postJson(url, { title_rule: '$host::disk full', event_status: 'Critical', alert_key: key, labels }))
            .status,
          200,
        );
      }
      await stack.waitForEvents(3);
      await stack.waitForIdle();
    });
    after(() => stack.close());

    test('a fragment groups, drops and silences; an event of a live alert merges into it; nothing is stored', async () => {
      const before = await snapshot(stack);
      const fragment = {
        channels: [
          {
            ...groupByCheck,
            drop: [{ id: 'no-test', if: [condition('labels.env', ['test'])] }],
            silences: [
              {
                id: 'dry-maint',
                if: [condition('labels.host', ['db9'])],
                one_off: { start: '2020-01-01T00:00:00Z', end: '2099-01-01T00:00:00Z' },
              },
            ],
          },
        ],
      };
      const events = [
        event('n1', 'Critical', { host: 'db5', check: 'disk' }),
        {
          ...event('n2', 'Warning', { host: 'db6', check: 'disk' }),
          integration_id: undefined,
          integration_key: 'key-ops-0001',
        },
        event('n3', 'Critical', { host: 'db7', env: 'test' }),
        event('n4', 'Critical', { host: 'db9', check: 'mem' }),
        event('a1', 'Warning', { host: 'db1', check: 'disk' }),
      ];
      const res = await dryRun({ config: fragment, events });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      const report = res.body.data as DryRunReport;
      assert.deepEqual(
        report.events.map((item) => [item.alert_key, item.outcome]),
        [
          ['n1', 'new_alert'],
          ['n2', 'new_alert'],
          ['n3', 'dropped'],
          ['n4', 'silenced'],
          ['a1', 'merged'],
        ],
      );
      assert.equal(report.events[0].incident_id, report.events[1].incident_id);
      assert.deepEqual(
        report.events[1].trace.map((step) => `${step.step}:${step.result}`),
        ['route:channel', 'merge:new_alert', 'incident:merged_into_incident'],
      );
      const { summary } = report;
      assert.deepEqual(summary.outcomes, { new_alert: 2, dropped: 1, silenced: 1, merged: 1 });
      assert.deepEqual([summary.incidents_opened, summary.incidents_updated], [1, 1]);
      assert.deepEqual(
        summary.incidents.map((incident) => [
          incident.opened,
          incident.alert_keys,
          incident.alert_cnt,
          incident.severity,
        ]),
        [
          [true, ['n1', 'n2'], 2, 'Critical'],
          [false, ['a1'], 1, 'Critical'],
        ],
      );
      assert.deepEqual(summary.dropped, [
        { index: 2, alert_key: 'n3', step: 'drop', result: 'dropped', rule_id: 'no-test', reason: null },
      ]);
      assert.deepEqual(summary.silenced, [
        { index: 3, alert_key: 'n4', step: 'silence', result: 'silenced', rule_id: 'dry-maint', reason: null },
      ]);
      assert.deepEqual(await snapshot(stack), before);
    });

    test('silences made through the API apply in a dry run', async () => {
      const silence = {
        id: 'api-maint',
        if: [condition('labels.host', ['db8'])],
        one_off: { start: '2020-01-01T00:00:00Z', end: '2099-01-01T00:00:00Z' },
        mode: 'drop',
      };
      assert.equal((await api(stack, 'POST', '/channels/ops/silences', silence)).status, 201);
      const before = await snapshot(stack);
      const report = (await dryRun({ events: [event('n8', 'Critical', { host: 'db8' })] })).body.data as DryRunReport;
      assert.deepEqual(report.summary.silenced, [
        { index: 0, alert_key: 'n8', step: 'silence', result: 'dropped', rule_id: 'api-maint', reason: null },
      ]);
      assert.deepEqual(await snapshot(stack), before);
      assert.equal((await api(stack, 'DELETE', '/channels/ops/silences/api-maint')).status, 200);
    });

    test('last: the channel’s stored events replayed with new rules, from an empty channel; nothing is stored', async () => {
      const before = await snapshot(stack);
      const stored = await stack.testStore.store.db
        .selectFrom('events')
        .select('event_id')
        .orderBy('event_id')
        .execute();
      const res = await dryRun({ config: { channels: [groupByCheck] }, last: { channel: 'ops', count: 10 } });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      const report = res.body.data as DryRunReport;
      assert.deepEqual(
        report.events.map((item) => [item.source, item.replayed_event_id, item.alert_key, item.outcome]),
        stored.map((row, i) => ['last', row.event_id, `a${i + 1}`, 'new_alert']),
      );
      assert.deepEqual(
        report.summary.incidents.map((incident) => [incident.opened, incident.alert_keys]),
        [
          [true, ['a1', 'a2']],
          [true, ['a3']],
        ],
      );
      assert.deepEqual(await snapshot(stack), before);
      const active = (await api(stack, 'GET', '/alerts?state=active')).body.data as { items: unknown[] };
      assert.equal(active.items.length, 3);
    });

    test('bad requests are 400 naming the field', async () => {
      const one = [event('x1', 'Critical', {})];
      const cases: Array<[unknown, string]> = [
        [{}, 'body: give events, last or both'],
        [{ events: one, extra: true }, 'extra: unknown field (config, events, last)'],
        [
          { events: [{ title_rule: 'x', event_status: 'Critical' }] },
          'events[0]: needs integration_id or integration_key',
        ],
        [{ events: [{ ...one[0], integration_id: 'zzz' }] }, 'events[0].integration_id: no integration "zzz"'],
        [
          { events: [{ ...one[0], event_status: 'Bad' }] },
          'events[0].event_status: must be one of Critical, Warning, Info, Ok (case-sensitive), got "Bad"',
        ],
        [
          { config: { channels: [{ id: 'ops', grouping: { method: 'magic' } }] }, events: one },
          'config.channels[0].grouping.method: must be one of none, rules, similarity',
        ],
        [
          {
            config: { integrations: [{ id: 'x', adapter: 'standard', key: '${SECRET_KEY}', channel: 'ops' }] },
            events: one,
          },
          'config.integrations[0].key: environment variable SECRET_KEY is not set',
        ],
        [
          {
            config: {
              integrations: [
                {
                  id: 'x',
                  adapter: 'standard',
                  key: 'key-x-00001',
                  channel: 'ops',
                  enrich: [{ map: { source_labels: ['a'], target_labels: ['b'], file: '/etc/passwd' } }],
                },
              ],
            },
            events: one,
          },
          'config.integrations[0].enrich[0].map.file: give the mapping table inline (map.table)',
        ],
        [
          { config: { defaults: { payload_limit: '1mb' } }, events: one },
          'config.defaults: a dry run takes channels and integrations only',
        ],
        [{ last: { channel: 'nope' } }, 'last.channel: no channel "nope"'],
        [{ last: { channel: 'ops', count: 0 } }, 'last.count: must be an integer from 1 to 500'],
      ];
      for (const [body, message] of cases) {
        const res = await dryRun(body);
        assert.equal(res.status, 400, message);
        assert.deepEqual(res.body.error, { code: 'InvalidParameter', message });
      }
    });
  });
}
