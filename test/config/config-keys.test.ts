import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { packageRoot } from '../../src/paths.js';

const cli = join(packageRoot, 'dist', 'src', 'cli.js');

test('config keys: masked by default; --show prints one key and nothing else; an unknown id is exit 1', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'alertgate-keys-')), 'alertgate.yaml');
  writeFileSync(
    file,
    [
      'channels: [{ id: ops }]',
      'integrations:',
      '  - { id: std, adapter: standard, key: key-std-secret-0001, channel: ops }',
      '  - { id: prom, adapter: prometheus, key: key-prom-secret-0002, channel: ops }',
      '',
    ].join('\n'),
  );
  const run = (...args: string[]) =>
    spawnSync(process.execPath, [cli, 'config', 'keys', file, ...args], { encoding: 'utf8' });
  const listed = run();
  assert.equal(listed.status, 0, listed.stderr);
  assert.equal(listed.stdout, 'std  standard  key …0001\nprom  prometheus  key …0002\n');
  const shown = run('--show', 'prom');
  assert.deepEqual([shown.status, shown.stdout], [0, 'key-prom-secret-0002\n']);
  const unknown = run('--show', 'nope');
  assert.deepEqual(
    [unknown.status, unknown.stdout, unknown.stderr],
    [1, '', `alertgate: no integration with id nope in ${file}\n`],
  );
});
