import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { api, postJson, startStack, type Stack } from '../support/stack.js';
import { freePort } from '../support/waiting.js';

const key = 'frozen-redis-key-1';
// The old behaviour took 5-6 s; "at once" is asserted with room for a busy machine.
const quickMs = 3000;

async function waitForRedis(url: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on('error', () => undefined);
    try {
      await probe.connect();
      await probe.ping();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      probe.disconnect();
    }
  }
}

async function timed<T>(work: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const started = performance.now();
  const result = await work();
  return { result, ms: performance.now() - started };
}

describe('a frozen Redis (SIGSTOP): pushes and /readyz answer 503 at once, and recover by themselves', () => {
  let redis: ChildProcess;
  let stack: Stack;
  let url: string;
  before(async () => {
    const port = await freePort();
    redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: 'ignore',
    });
    const redisUrl = `redis://127.0.0.1:${port}`;
    await waitForRedis(redisUrl);
    stack = await startStack({
      store: 'sqlite',
      worker: false,
      redisUrl,
      configFile: {
        channels: [{ id: 'ops' }],
        integrations: [
          {
            id: 'std',
            adapter: 'standard',
            key,
            channel: 'ops',
            rate_limit: { per_second: 100000, per_minute: 1000000 },
          },
        ],
      },
    });
    url = `${stack.baseUrl}/event/push/alert/standard?integration_key=${key}`;
  });
  after(async () => {
    redis.kill('SIGCONT');
    await stack?.close();
    redis.kill('SIGKILL');
  });

  const event = (alertKey: string) => ({ title_rule: 'frozen', event_status: 'Warning', alert_key: alertKey });

  test('push → 503 with Retry-After well before the old 5-6 s; the next one at once; /readyz 503; SIGCONT → 200 again', async () => {
    assert.equal((await postJson(url, event('before'))).status, 200);
    redis.kill('SIGSTOP');

    const first = await timed(() => postJson(url, event('frozen-1')));
    assert.equal(first.result.status, 503, JSON.stringify(first.result.body));
    assert.equal((first.result.body.error as { code: string }).code, 'ServiceUnavailable');
    assert.ok(Number(first.result.headers.get('retry-after')) > 0, 'Retry-After is set');
    assert.ok(first.ms < quickMs, `first push answered in ${Math.round(first.ms)} ms`);

    const second = await timed(() => postJson(url, event('frozen-2')));
    assert.equal(second.result.status, 503);
    assert.ok(second.ms < quickMs, `second push answered in ${Math.round(second.ms)} ms`);

    const ready = await timed(() => fetch(`${stack.baseUrl}/readyz`));
    assert.equal(ready.result.status, 503);
    assert.ok(ready.ms < quickMs, `/readyz answered in ${Math.round(ready.ms)} ms`);

    // The management API's queue views: 503 as well, not a 500.
    const failedJobs = await timed(() => api(stack, 'GET', '/failed-jobs'));
    assert.equal(failedJobs.result.status, 503, JSON.stringify(failedJobs.result.body));
    assert.ok(failedJobs.ms < quickMs, `/api/v1/failed-jobs answered in ${Math.round(failedJobs.ms)} ms`);

    redis.kill('SIGCONT');
    const deadline = Date.now() + 10_000;
    let status = 0;
    while (status !== 200 && Date.now() < deadline) {
      status = (await postJson(url, event('after'))).status;
      if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal(status, 200, 'pushes are accepted again without a restart');
    assert.equal((await fetch(`${stack.baseUrl}/readyz`)).status, 200);
  });
});
