import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { stringify } from 'yaml';
import { createIngestQueue, ingestJobOptions } from '../../src/queue/ingest-queue.js';
import { packageRoot } from '../../src/paths.js';
import { defaultConfigFile, redisUrl } from '../support/stack.js';

const cli = join(packageRoot, 'dist', 'src', 'cli.js');

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(
  args: string[],
  env: NodeJS.ProcessEnv,
): { child: ChildProcess; finished: Promise<Finished>; output: () => string } {
  const child = spawn(process.execPath, [cli, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const finished = new Promise<Finished>((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
  return { child, finished, output: () => stdout + stderr };
}

describe('start-up refusals', () => {
  const dir = mkdtempSync(join(tmpdir(), 'alertgate-startup-'));
  const prefix = `agtest-${randomBytes(5).toString('hex')}`;
  const configPath = join(dir, 'alertgate.yaml');
  let occupied: Server;
  let port: number;
  const redis = new Redis(redisUrl, { lazyConnect: true });
  const env = (extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv => ({
    REDIS_URL: redisUrl,
    REDIS_PREFIX: prefix,
    ALERTGATE_CONFIG: configPath,
    ADMIN_TOKEN: 'startup-token',
    LOG_LEVEL: 'error',
    MAPPING_THREADS: '0',
    ...extra,
  });

  before(async () => {
    writeFileSync(configPath, stringify(defaultConfigFile));
    occupied = createServer();
    await new Promise<void>((resolve) => occupied.listen(0, '127.0.0.1', () => resolve()));
    port = (occupied.address() as { port: number }).port;
    await redis.connect();
  });
  after(async () => {
    occupied.close();
    const keys = await redis.keys(`{${prefix}}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a port already in use stops `start` with one line naming the port, before any worker takes a job', async () => {
    const queue = createIngestQueue(redis, prefix);
    const job = await queue.add('events', { events: [] }, ingestJobOptions);
    const started = run(
      ['start'],
      env({ PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: `sqlite:${join(dir, 'port.db')}` }),
    );
    const { code, stderr } = await started.finished;
    assert.equal(code, 1);
    assert.match(stderr, new RegExp(`port ${port} is already in use`));
    assert.equal(stderr.trim().split('\n').length, 1, `one line: ${stderr}`);
    assert.equal(await job.getState(), 'waiting', 'no worker took the job');
    await queue.close();
  });

  test('a second worker on the same SQLite file is refused; the first keeps running', async () => {
    const database = { DATABASE_URL: `sqlite:${join(dir, 'shared.db')}` };
    const first = run(['worker'], env(database));
    const deadline = Date.now() + 60_000;
    while (!first.output().includes('alertgate worker')) {
      assert.ok(first.child.exitCode === null, `the first worker exited: ${first.output()}`);
      assert.ok(Date.now() < deadline, 'the first worker did not start');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const second = await run(['worker'], env(database)).finished;
    assert.equal(second.code, 1);
    assert.match(second.stderr, /another alertgate worker is already using .*shared\.db/);
    assert.equal(first.child.exitCode, null, 'the first worker still runs');
    first.child.kill('SIGTERM');
    assert.equal((await first.finished).code, 0);
    // Its lock ends with it: a new worker may take the file.
    const third = run(['worker'], env(database));
    const thirdDeadline = Date.now() + 60_000;
    while (!third.output().includes('alertgate worker')) {
      assert.ok(third.child.exitCode === null, `the next worker exited: ${third.output()}`);
      assert.ok(Date.now() < thirdDeadline, 'the next worker did not start');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    third.child.kill('SIGKILL');
    await third.finished;
  });
});
