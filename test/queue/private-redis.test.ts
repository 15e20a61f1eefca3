import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { tmpdir } from 'node:os';
import { test } from 'node:test';
import { stringify } from 'yaml';
import { packageRoot } from '../../src/paths.js';
import { findExecutable, redisAnswers } from '../../src/queue/private-redis.js';
import { defaultConfigFile } from '../support/stack.js';
import { freePort } from '../support/waiting.js';

/** `alertgate start` with no REDIS_URL: the shared Redis on 6379 stays up, so the local address points at a free port. */

const cli = join(packageRoot, 'dist', 'src', 'cli.js');
const redisServer = findExecutable('redis-server', (process.env.PATH ?? '').split(delimiter));

test(
  'start with no REDIS_URL and no Redis at the local address runs a private redis-server, and stops it with alertgate',
  { skip: redisServer === undefined && 'no redis-server on PATH', timeout: 60_000 },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'alertgate-private-redis-'));
    try {
      writeFileSync(join(dir, 'alertgate.yaml'), stringify(defaultConfigFile));
      const [redisPort, port] = [await freePort(), await freePort()];
      assert.equal(await redisAnswers('127.0.0.1', redisPort), false);
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        ALERTGATE_LOCAL_REDIS: `127.0.0.1:${redisPort}`,
        PORT: String(port),
        HOST: '127.0.0.1',
        DATABASE_URL: `sqlite:${join(dir, 'data.db')}`,
        ADMIN_TOKEN: 'private-redis-token',
        LOG_LEVEL: 'info',
        MAPPING_THREADS: '0',
      };
      delete env.REDIS_URL;
      delete env.ALERTGATE_CONFIG;
      const child = spawn(process.execPath, [cli, 'start'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      for (
        let waited = 0;
        !output.includes('alertgate listening on') && child.exitCode === null && waited < 30_000;
        waited += 100
      )
        await new Promise((resolve) => setTimeout(resolve, 100));
      assert.ok(output.includes('alertgate listening on'), output);
      assert.ok(output.includes(`started a private redis-server on port ${redisPort}`), output);
      assert.equal(await redisAnswers('127.0.0.1', redisPort), true);
      assert.ok(existsSync(join(dir, 'data', 'redis')), 'data under ./data/redis');
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
      assert.equal(ready.status, 200, await ready.text());

      child.kill('SIGTERM');
      assert.equal(await exited, 0, output);
      assert.equal(await redisAnswers('127.0.0.1', redisPort), false, 'the private redis-server stops with alertgate');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
