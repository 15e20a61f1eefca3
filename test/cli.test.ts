import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { packageRoot } from '../src/paths.js';

const cli = join(packageRoot, 'dist', 'src', 'cli.js');

test('alertgate --version prints the package version', () => {
  const { version } = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string };
  assert.equal(execFileSync(process.execPath, [cli, '--version'], { encoding: 'utf8' }), `${version}\n`);
});

test('output piped to a reader that stops early (`| head -1`) ends quietly, exit 0, no EPIPE crash', async () => {
  const child = spawn(process.execPath, [cli, 'adapter', 'list'], { stdio: ['ignore', 'pipe', 'pipe'] });
  // Closed before the first line: every write of the command meets a pipe without reader.
  child.stdout.destroy();
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  assert.equal(stderr, '');
  assert.equal(code, 0);
});
