import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { parseMatcher } from '../../src/cli/silence.js';
import { packageRoot } from '../../src/paths.js';
import { adminToken, postJson, startStack, type Stack } from '../support/stack.js';

const cli = join(packageRoot, 'dist', 'src', 'cli.js');
const run = promisify(execFile);

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real binary (asynchronously: the gateway it talks to lives in this process). */
async function alertgate(args: string[], env: Record<string, string | undefined> = {}): Promise<Outcome> {
  try {
    const { stdout, stderr } = await run(process.execPath, [cli, ...args], {
      env: { ...process.env, ALERTGATE_ADMIN_TOKEN: adminToken, ADMIN_TOKEN: undefined, USER: 'oncall', ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

test('matchers: amtool style, bare names are labels', () => {
  assert.deepEqual(parseMatcher('alertname=HighLatency'), {
    key: 'labels.alertname',
    op: 'IN',
    values: ['HighLatency'],
  });
  assert.deepEqual(parseMatcher('host!=db1'), { key: 'labels.host', op: 'NOTIN', values: ['db1'] });
  assert.deepEqual(parseMatcher('service=~^pay'), { key: 'labels.service', op: 'IN', values: ['/^pay/'] });
  assert.deepEqual(parseMatcher('severity!~Info|Warning'), {
    key: 'severity',
    op: 'NOTIN',
    values: ['/Info|Warning/'],
  });
  assert.deepEqual(parseMatcher('labels.env=prod'), { key: 'labels.env', op: 'IN', values: ['prod'] });
  assert.throws(() => parseMatcher('host'), /expected name=value/);
  assert.throws(() => parseMatcher('host='), /expected name=value/);
});

describe('alertgate silence add|ls|expire through the real binary', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({ store: 'sqlite' });
  });
  after(() => stack.close());

  test('add with matchers, list, preview a quick silence, expire; errors are one line, exit 1', async () => {
    const url = ['--url', stack.baseUrl];
    const added = await alertgate([
      'silence',
      'add',
      ...url,
      '-c',
      'ops',
      'alertname=DiskFull',
      'host!=db9',
      '-d',
      '2h',
      '--comment',
      'resizing volumes',
    ]);
    assert.equal(added.code, 0, added.stderr);
    const id = added.stdout.trim();
    assert.match(id, /^[0-9A-Z]{26}$/);

    const listed = await alertgate(['silence', 'ls', ...url, '-c', 'ops']);
    assert.equal(listed.code, 0, listed.stderr);
    const lines = listed.stdout.trimEnd().split('\n');
    assert.match(lines[0], /^ID\s+STATE\s+STARTS\s+ENDS\s+CREATED BY\s+MATCHERS\s+COMMENT$/);
    assert.match(
      lines[1],
      new RegExp(`^${id}\\s+active\\s+\\S+Z\\s+\\S+Z\\s+oncall\\s+alertname=DiskFull host!=db9\\s+resizing volumes$`),
    );

    const json = await alertgate(['silence', 'ls', ...url, '-c', 'ops', '--json']);
    const [item] = JSON.parse(json.stdout) as Array<{ id: string; expires_at: number; starts_at: number }>;
    assert.deepEqual([item.id, item.expires_at - item.starts_at], [id, 7_200_000]);

    const pushed = await postJson(`${stack.baseUrl}/event/push/alert/standard?integration_key=test-key-0001`, {
      title_rule: 'latency high',
      event_status: 'Warning',
      alert_key: 'cli-1',
      labels: { alertname: 'HighLatency', instance: 'api-1', description: 'p99 is 1.7s' },
    });
    assert.equal(pushed.status, 200);
    await stack.waitForEvents(1);
    const { alert_id: alertId } = await stack.testStore.store.db
      .selectFrom('alerts')
      .select('alert_id')
      .executeTakeFirstOrThrow();
    const preview = await alertgate(['silence', 'add', ...url, '--alert', alertId, '--preview']);
    assert.equal(preview.code, 0, preview.stderr);
    assert.match(preview.stdout, /integration=std alertname=HighLatency instance=api-1/);
    assert.doesNotMatch(preview.stdout, /description/);
    assert.match(preview.stdout, new RegExp(`would match 1 open alert\\(s\\):\\n  ${alertId}  latency high`));
    const stored = await stack.testStore.store.db.selectFrom('silences').select('id').execute();
    assert.deepEqual(stored, [{ id }], 'a preview saves nothing');

    const expired = await alertgate(['silence', 'expire', ...url, '-c', 'ops', id]);
    assert.equal(expired.code, 0, expired.stderr);
    assert.match(expired.stdout, new RegExp(`^${id} expired at \\S+Z\\n$`));
    const history = await alertgate(['silence', 'ls', ...url, '-c', 'ops', '--state', 'expired']);
    assert.match(history.stdout.split('\n')[1], new RegExp(`^${id}\\s+expired`));
    const current = await alertgate(['silence', 'ls', ...url, '-c', 'ops']);
    assert.equal(current.stdout.trimEnd().split('\n').length, 1, 'expired ones are left out by default');
    const all = await alertgate(['silence', 'ls', ...url, '-c', 'ops', '--all']);
    assert.match(all.stdout.split('\n')[1], new RegExp(`^${id}\\s+expired`));

    const noToken = await alertgate(['silence', 'ls', ...url, '-c', 'ops'], { ALERTGATE_ADMIN_TOKEN: '' });
    assert.deepEqual(
      [noToken.code, noToken.stderr],
      [1, 'alertgate: no admin token: pass --token or set ALERTGATE_ADMIN_TOKEN\n'],
    );
    const wrongToken = await alertgate(['silence', 'ls', ...url, '-c', 'ops', '--token', 'nope']);
    assert.deepEqual(
      [wrongToken.code, wrongToken.stderr],
      [1, 'alertgate: Unauthorized: the bearer token is not the ADMIN_TOKEN\n'],
    );
    const noChannel = await alertgate(['silence', 'expire', ...url, '-c', 'nope', id]);
    assert.deepEqual([noChannel.code, noChannel.stderr], [1, 'alertgate: ResourceNotFound: no channel with id nope\n']);
    const badMatcher = await alertgate(['silence', 'add', ...url, '-c', 'ops', 'host']);
    assert.equal(badMatcher.code, 1);
    assert.match(badMatcher.stderr, /^alertgate: matcher "host": expected name=value/);
  });
});
