import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { stringify } from 'yaml';
import { packageRoot } from '../../src/paths.js';
import { hostileConfig, sendHostileRequests } from '../support/hostile-requests.js';
import { freePort } from '../support/waiting.js';
import { redisUrl } from '../support/stack.js';

/*
 * A short seeded run of the fuzz (`npm run fuzz` sends 100,000): every route, real payloads mutated, through real HTTP
 * into `alertgate start`. No answer may be a 5xx other than 503.
 */
describe('hostile requests against alertgate start', () => {
  const dir = mkdtempSync(join(tmpdir(), 'alertgate-hostile-'));
  const prefix = `agtest-${randomBytes(5).toString('hex')}`;
  const adminToken = 'hostile-admin-token';
  const { file, keys } = hostileConfig();
  let child: ChildProcess;
  let baseUrl: string;

  before(async () => {
    writeFileSync(join(dir, 'alertgate.yaml'), stringify(file));
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    child = spawn(process.execPath, [join(packageRoot, 'dist', 'src', 'cli.js'), 'start'], {
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        REDIS_URL: redisUrl,
        REDIS_PREFIX: prefix,
        DATABASE_URL: `sqlite:${join(dir, 'hostile.db')}`,
        ALERTGATE_CONFIG: join(dir, 'alertgate.yaml'),
        ADMIN_TOKEN: adminToken,
        LOG_LEVEL: 'fatal',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    await new Promise<void>((resolve, reject) => {
      child.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('listening')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`alertgate start exited with ${code}: ${output}`)));
    });
  });

  after(async () => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    const redis = new Redis(redisUrl);
    const keysLeft = await redis.keys(`{${prefix}}*`);
    if (keysLeft.length > 0) await redis.del(...keysLeft);
    redis.disconnect();
    rmSync(dir, { recursive: true, force: true });
  });

  test('1,500 seeded hostile requests: no 5xx but 503, and the process still serves', async () => {
    const result = await sendHostileRequests(baseUrl, { keys, adminToken }, { count: 1500, seed: 7, concurrency: 16 });
    assert.deepEqual(result.serverErrors, [], 'answers 5xx other than 503');
    assert.ok((result.byStatus['200'] ?? 0) > 0, 'valid payloads among them are accepted');
    assert.ok((result.byStatus['400'] ?? 0) > 0, 'hostile ones are refused with 400');
    assert.equal(child.exitCode, null, 'the process still runs');
    assert.equal((await fetch(`${baseUrl}/healthz`)).status, 200);
  });
});
