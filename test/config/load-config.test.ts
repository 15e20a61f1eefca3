import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildConfig, ConfigError, exampleConfigPath, loadConfigFile } from '../../src/config/load-config.js';
import { packageRoot } from '../../src/paths.js';

function problems(document: unknown, env: NodeJS.ProcessEnv = {}, adapters?: Set<string>): string[] {
  try {
    buildConfig(document, 'test.yaml', env, adapters);
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.problems;
  }
  assert.fail('expected a ConfigError');
}

test('the bundled example config is valid and has a demo integration', () => {
  const config = loadConfigFile(exampleConfigPath, {});
  assert.equal(config.integrations[0].adapter, 'standard');
  assert.equal(config.integrations[0].rateLimit.perSecond, 100);
  assert.equal(config.integrations[0].rateLimit.perMinute, 1000);
  assert.equal(config.payloadLimitBytes, 1024 * 1024);
});

test('every problem is listed as path: message', () => {
  const found = problems({
    channels: [{ id: 'Ops!' }, { id: 'b', colour: 'red' }],
    integrations: [{ id: 'x', adapter: 'standard', channel: 'b' }],
    extra: 1,
  });
  assert.deepEqual(found.sort(), [
    '(root): unknown field "extra"',
    'channels[0].id: must match pattern "^[a-z0-9][a-z0-9-]*$"',
    'channels[1]: unknown field "colour"',
    'integrations[0]: missing required field "key"',
  ]);
});

test('references, duplicates and adapters are checked', () => {
  const found = problems(
    {
      channels: [{ id: 'a' }, { id: 'a' }],
      integrations: [
        { id: 'x', adapter: 'standard', key: 'key-aaaaaaa', channel: 'nope' },
        { id: 'x', adapter: 'mystery', key: 'key-aaaaaaa', channel: 'a' },
      ],
    },
    {},
    new Set(['prometheus']),
  );
  assert.deepEqual(found, [
    'channels[1].id: duplicate channel id "a"',
    'integrations[0].channel: no channel with id "nope"',
    'integrations[1].id: duplicate integration id "x"',
    'integrations[1].key: the same key is used by another integration',
    'integrations[1].adapter: unknown adapter "mystery" (standard or one of: prometheus; a folder added to the adapters folder is loaded by the next reload, no restart needed)',
  ]);
});

test('a reference to a channel that is almost one names it', () => {
  const found = problems({
    channels: [{ id: 'ops' }],
    integrations: [{ id: 'x', adapter: 'standard', key: 'key-aaaaaaa', channel: 'opz' }],
    heartbeats: [{ id: 'h', channel: 'pos', interval: '1h', key: 'key-hhhhhhh' }],
  });
  assert.deepEqual(found, [
    'integrations[0].channel: no channel with id "opz"; did you mean "ops"?',
    'heartbeats[0].channel: no channel with id "pos"; did you mean "ops"?',
  ]);
});

test('${ENV_VAR} is substituted; a missing one is a problem', () => {
  const document = {
    channels: [{ id: 'a' }],
    integrations: [{ id: 'x', adapter: 'standard', key: '${PROM_KEY}', channel: 'a' }],
  };
  assert.equal(buildConfig(document, 't', { PROM_KEY: 'secret-key-1' }).integrations[0].key, 'secret-key-1');
  assert.deepEqual(problems(document), ['integrations[0].key: environment variable PROM_KEY is not set']);
});

test('alertgate config check: exit 0 for a valid file, 1 with every problem for an invalid one', () => {
  const cli = join(packageRoot, 'dist', 'src', 'cli.js');
  const ok = execFileSync(process.execPath, [cli, 'config', 'check', exampleConfigPath], { encoding: 'utf8' });
  assert.match(ok, /valid \(1 channel, 2 integrations\)/);
  const dir = mkdtempSync(join(tmpdir(), 'alertgate-config-'));
  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, 'channels:\n  - id: ops\nintegrations:\n  - id: x\n    adapter: standard\n    channel: ops\n');
  const result = spawnSync(process.execPath, [cli, 'config', 'check', bad], { encoding: 'utf8' });
  assert.equal(result.status, 1);
  assert.match(result.stderr, /integrations\[0\]: missing required field "key"/);
  const broken = join(dir, 'broken.yaml');
  writeFileSync(broken, 'channels: [\n');
  const parse = spawnSync(process.execPath, [cli, 'config', 'check', broken], { encoding: 'utf8' });
  assert.equal(parse.status, 1);
  assert.match(parse.stderr, /invalid configuration .*broken\.yaml/);
});
