import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { packageRoot } from '../../src/paths.js';

const dir = mkdtempSync(join(tmpdir(), 'alertgate-rules-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const config = `
channels:
  - id: ops
    grouping: { method: rules, equals: [[labels.check]] }
    drop:
      - id: no-test
        if: [{ key: labels.env, op: IN, values: [test] }]
    silences:
      - id: maint-db9
        if: [{ key: labels.host, op: IN, values: [db9] }]
        one_off: { start: "2020-01-01T00:00:00Z", end: "2099-01-01T00:00:00Z" }
integrations:
  - id: std
    adapter: standard
    key: std-key-0001
    channel: ops
`;

const events = [
  {
    integration_id: 'std',
    title_rule: '$host::disk full',
    event_status: 'Critical',
    alert_key: 'd1',
    labels: { host: 'db1', check: 'disk' },
  },
  {
    integration_key: 'std-key-0001',
    title_rule: '$host::disk full',
    event_status: 'Warning',
    alert_key: 'd2',
    labels: { host: 'db2', check: 'disk' },
  },
  { integration_id: 'std', title_rule: 'test box', event_status: 'Critical', alert_key: 't1', labels: { env: 'test' } },
  {
    integration_id: 'std',
    title_rule: '$host::disk full',
    event_status: 'Critical',
    alert_key: 'd9',
    labels: { host: 'db9', check: 'disk' },
  },
  { integration_id: 'std', title_rule: 'disk full', event_status: 'Ok', alert_key: 'd1' },
];

function rulesTest(
  configText: string,
  eventsValue: unknown,
): { status: number | null; stdout: string; stderr: string } {
  const configFile = join(dir, 'alertgate.yaml');
  const eventsFile = join(dir, 'events.json');
  writeFileSync(configFile, configText);
  writeFileSync(eventsFile, JSON.stringify(eventsValue));
  const run = spawnSync(
    process.execPath,
    [join(packageRoot, 'dist', 'src', 'cli.js'), 'rules', 'test', configFile, eventsFile],
    { encoding: 'utf8', timeout: 60_000 },
  );
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

test('rules test prints a table, the incidents, what was stopped and every trace', () => {
  const { status, stdout, stderr } = rulesTest(config, events);
  assert.equal(status, 0, stderr);
  const lines = stdout.split('\n');
  assert.deepEqual(lines.slice(0, 6), [
    'event  integration  alert_key  status    outcome    channel  incident',
    '0      std          d1         Critical  new_alert  ops      #1',
    '1      std          d2         Warning   new_alert  ops      #1',
    '2      std          t1         Critical  dropped    ops      -',
    '3      std          d9         Critical  silenced   ops      -',
    '4      std          d1         Ok        recovered  ops      #1',
  ]);
  assert.ok(lines.includes('Incidents: 1 would open, 0 existing would change'), stdout);
  assert.ok(
    lines.includes('  #1 new [Critical] "db1 / disk full" in ops: 2 alerts, keys d1, d2 (events 0, 1, 4)'),
    stdout,
  );
  assert.ok(lines.includes('  dropped: event 2 t1, drop dropped by no-test'), stdout);
  assert.ok(lines.includes('  silenced: event 3 d9, silence silenced by maint-db9'), stdout);
  assert.ok(lines.includes('  event 2 t1 (test box)'), stdout);
  assert.ok(lines.includes('    drop: dropped rule_id=no-test channel_id=ops'), stdout);
  assert.ok(
    lines.some((line) => line.startsWith('    incident: merged_into_incident incident_id=')),
    stdout,
  );
});

test('rules test: an invalid configuration or events file is exit code 1 with the problem', () => {
  const badConfig = rulesTest(config.replace('method: rules', 'method: magic'), events);
  assert.equal(badConfig.status, 1);
  assert.match(badConfig.stderr, /channels\[0\]\.grouping\.method: must be one of none, rules, similarity/);
  const badEvents = rulesTest(config, [{ title_rule: 'no integration', event_status: 'Critical' }]);
  assert.equal(badEvents.status, 1);
  assert.match(badEvents.stderr, /events\.json: events\[0\]: needs integration_id or integration_key/);
  const notAList = rulesTest(config, { hello: 'world' });
  assert.equal(notAList.status, 1);
  assert.match(notAList.stderr, /must hold a list of standard events, or \{"events": \[\.\.\.\]\}/);
});
