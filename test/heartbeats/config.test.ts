import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse } from 'yaml';
import { summariseConfigChange } from '../../src/config/config-change.js';
import { buildConfig, ConfigError } from '../../src/config/load-config.js';

function problems(document: unknown): string[] {
  try {
    buildConfig(document, 'test.yaml', {}, new Set(['prometheus']));
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.problems;
  }
  assert.fail('expected a ConfigError');
}

const base = {
  channels: [{ id: 'ops' }],
  integrations: [
    { id: 'prom', adapter: 'prometheus', key: 'prom-key-0001', channel: 'ops' },
    { id: 'deploys', adapter: 'change-standard', key: 'deploy-key-0001' },
    { id: 'jira', adapter: 'change-jira', key: 'jira-key-00001', jira: { status_map: { 'Rolled Out': 'Done' } } },
  ],
};

test('change integrations and heartbeats with defaults applied', () => {
  const config = buildConfig(
    {
      ...base,
      changes: { correlation_window: '30m' },
      heartbeats: [
        {
          id: 'nightly-backup',
          name: 'Nightly backup',
          channel: 'ops',
          interval: '24h',
          grace: '1h',
          key: 'hb-key-0001',
        },
        {
          id: 'watchdog',
          channel: 'ops',
          interval: '5m',
          key: 'hb-key-0002',
          integration: 'prom',
          match: { alertname: 'Watchdog' },
        },
      ],
    },
    'test.yaml',
    {},
    new Set(['prometheus']),
  );
  assert.equal(config.changeCorrelationWindowMs, 30 * 60_000);
  assert.deepEqual(config.heartbeats, [
    {
      id: 'nightly-backup',
      name: 'Nightly backup',
      channelId: 'ops',
      intervalMs: 86_400_000,
      graceMs: 3_600_000,
      key: 'hb-key-0001',
      labels: {},
      match: {},
      enabled: true,
    },
    {
      id: 'watchdog',
      name: 'watchdog',
      channelId: 'ops',
      intervalMs: 300_000,
      graceMs: 0,
      key: 'hb-key-0002',
      labels: {},
      integrationId: 'prom',
      match: { alertname: 'Watchdog' },
      enabled: true,
    },
  ]);
  const jira = config.integrations.find((integration) => integration.id === 'jira');
  assert.equal(jira?.changeStatusMap?.['rolled out'], 'Done');
  assert.equal(jira?.changeStatusMap?.['in progress'], 'Processing');
  assert.equal(buildConfig(base, 'test.yaml', {}).changeCorrelationWindowMs, 7_200_000);
});

test('every problem of heartbeats and change integrations is listed as path: message', () => {
  const found = problems({
    channels: [{ id: 'ops' }],
    integrations: [
      { id: 'prom', adapter: 'prometheus', key: 'prom-key-0001', channel: 'ops' },
      { id: 'deploys', adapter: 'change-standard', key: 'deploy-key-0001', channel: 'ops' },
      { id: 'jira', adapter: 'change-jira', key: 'jira-key-00001', jira: { status_map: { Done: 'Finished' } } },
      { id: 'std', adapter: 'standard', key: 'std-key-00001', channel: 'ops', jira: {} },
    ],
    heartbeats: [
      { id: 'a', channel: 'nope', interval: '0s', key: 'prom-key-0001' },
      { id: 'a', channel: 'ops', interval: '1h', key: 'hb-key-0001', integration: 'deploys' },
      { id: 'b', channel: 'ops', interval: '1h', key: 'hb-key-0001', integration: 'missing' },
      { id: 'c', channel: 'ops', interval: '1h', key: 'hb-key-0003', match: { alertname: 'Watchdog' } },
      { id: 'd', channel: 'ops', interval: 'daily', key: 'hb-key-0004' },
    ],
  });
  // The shape first (the schema): which fields go together.
  assert.deepEqual(found.sort(), [
    'heartbeats[3].match: needs integration (the events whose labels it matches)',
    'heartbeats[4].interval: must be a duration such as 30s, 10m, 1h, 1d, 1w',
    'integrations[1]: a change integration takes change events: no channel or routes',
    'integrations[2].jira.status_map.Done: must be one of Planned, Ready, Processing, Canceled, Done',
    'integrations[3].jira: only for adapter change-jira',
  ]);
  // Then, for a configuration of the right shape, what only code sees: ids, keys and references.
  const crossChecked = problems({
    channels: [{ id: 'ops' }],
    integrations: [
      { id: 'prom', adapter: 'prometheus', key: 'prom-key-0001', channel: 'ops' },
      { id: 'deploys', adapter: 'change-standard', key: 'deploy-key-0001' },
    ],
    heartbeats: [
      { id: 'a', channel: 'nope', interval: '0s', key: 'prom-key-0001' },
      { id: 'a', channel: 'ops', interval: '1h', key: 'hb-key-0001', integration: 'deploys' },
      { id: 'b', channel: 'ops', interval: '1h', key: 'hb-key-0001', integration: 'missing' },
    ],
  });
  assert.deepEqual(crossChecked.sort(), [
    'heartbeats[0].channel: no channel with id "nope"',
    'heartbeats[0].interval: must be longer than 0',
    'heartbeats[0].key: the same key is used by an integration or another heartbeat',
    'heartbeats[1].id: duplicate heartbeat id "a"',
    'heartbeats[1].integration: deploys takes change events, not alerts',
    'heartbeats[2].integration: no integration with id "missing"',
    'heartbeats[2].key: the same key is used by an integration or another heartbeat',
  ]);
});

test('a reload says which heartbeats it added, removed and changed', () => {
  const text = (heartbeats: string) => `channels: [{ id: ops }]\nintegrations: []\nheartbeats:\n${heartbeats}`;
  const before = text(
    '  - { id: a, channel: ops, interval: 1h, key: hb-key-0001 }\n  - { id: b, channel: ops, interval: 1h, key: hb-key-0002 }\n',
  );
  const after = text(
    '  - { id: a, channel: ops, interval: 2h, key: hb-key-0001 }\n  - { id: c, channel: ops, interval: 1h, key: hb-key-0003 }\n',
  );
  const load = (source: string) => buildConfig(parse(source), 'test.yaml', {});
  const summary = summariseConfigChange(load(before), load(after), { previous: before, next: after });
  assert.deepEqual(summary.heartbeats_added, ['c']);
  assert.deepEqual(summary.heartbeats_removed, ['b']);
  assert.deepEqual(summary.heartbeats_changed, { a: ['interval'] });
});
