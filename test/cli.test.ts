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

test('adapter test --http pushes each fixture through a real gateway, signatures included, and cleans up', async () => {
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  for (const adapter of ['sentry', 'aws-cloudwatch']) {
    const child = spawn(process.execPath, [cli, 'adapter', 'test', adapter, '--http'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, REDIS_URL: redisUrl, UPDATE_FIXTURES: '' },
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    assert.equal(code, 0, output);
    assert.match(output, /^\d+ passed, 0 failed$/m);
    assert.doesNotMatch(output, /FAIL/);
  }
  const refused = spawn(process.execPath, [cli, 'adapter', 'test', '--http'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, UPDATE_FIXTURES: '1' },
  });
  let stderr = '';
  refused.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  assert.equal(await new Promise<number | null>((resolve) => refused.once('close', resolve)), 2);
  assert.match(stderr, /run it without --http/);
});
