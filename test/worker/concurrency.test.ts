import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { stringify } from 'yaml';
import type { ConfigFile } from '../../src/config/types.js';
import { packageRoot } from '../../src/paths.js';
import { postJson, redisUrl, startStack, type Stack } from '../support/stack.js';

const cli = join(packageRoot, 'dist', 'src', 'cli.js');
const configFile: ConfigFile = {
  channels: [{ id: 'ops', grouping: { method: 'rules', equals: [['labels.check']] } }],
  integrations: [
    {
      id: 'std',
      adapter: 'standard',
      key: 'test-key-0001',
      channel: 'ops',
      rate_limit: { per_second: 100000, per_minute: 1000000 },
    },
  ],
};

describe('4 worker processes on PostgreSQL racing on the same grouping keys', () => {
  let stack: Stack;
  const workers: ChildProcess[] = [];
  before(async () => {
    stack = await startStack({ store: 'postgres', worker: false, configFile });
    const configPath = join(mkdtempSync(join(tmpdir(), 'alertgate-race-')), 'alertgate.yaml');
    writeFileSync(configPath, stringify(configFile));
    for (let i = 0; i < 4; i += 1) {
      workers.push(
        spawn(process.execPath, [cli, 'worker'], {
          env: {
            ...process.env,
            REDIS_URL: redisUrl,
            REDIS_PREFIX: stack.prefix,
            DATABASE_URL: stack.testStore.url,
            DATABASE_SCHEMA: stack.testStore.schema ?? '',
            ALERTGATE_CONFIG: configPath,
            LOG_LEVEL: 'error',
            WORKER_CONCURRENCY: '8',
          },
          stdio: ['ignore', 'pipe', 'inherit'],
        }),
      );
    }
    // The race is between running workers, not against their start-up (four processes loading on a busy machine).
    await Promise.all(
      workers.map(
        (worker) =>
          new Promise<void>((resolve, reject) => {
            let output = '';
            worker.stdout?.on('data', (chunk: Buffer) => {
              output += chunk.toString();
              if (output.includes('alertgate worker')) resolve();
            });
            worker.once('exit', (code) => reject(new Error(`a worker exited with ${code} before it ran`)));
          }),
      ),
    );
  });
  after(async () => {
    await Promise.all(
      workers.map(
        (worker) =>
          new Promise((resolve) =>
            worker.exitCode !== null ? resolve(null) : (worker.once('exit', resolve), worker.kill('SIGTERM')),
          ),
      ),
    );
    await stack.close();
  });

  test('exactly one open incident per key, every alert in exactly one incident, counters exact', async () => {
    const url = `${stack.baseUrl}/event/push/alert/standard?integration_key=test-key-0001`;
    const checks = ['cpu', 'disk', 'mem', 'net', 'dns'];
    const total = 400;
    let next = 0;
    const sender = async () => {
      while (next < total) {
        const i = next;
        next += 1;
        const res = await postJson(url, {
          title_rule: `alert ${i}`,
          event_status: 'Warning',
          alert_key: `k${i}`,
          labels: { check: checks[i % checks.length] },
        });
        assert.equal(res.status, 200);
      }
    };
    await Promise.all(Array.from({ length: 16 }, sender));
    await stack.waitForEvents(total, 60_000);
    const db = stack.testStore.store.db;
    const open = await db
      .selectFrom('incidents')
      .select(['incident_id', 'grouping_key', 'alert_cnt'])
      .where('progress', '<>', 'Closed')
      .execute();
    assert.equal(open.length, checks.length, `open incidents: ${JSON.stringify(open)}`);
    assert.equal(new Set(open.map((incident) => incident.grouping_key)).size, checks.length);
    const unplaced = await db.selectFrom('alerts').select('alert_id').where('incident_id', 'is', null).execute();
    assert.equal(unplaced.length, 0);
    const counts = await sql<{
      incident_id: string;
      n: number;
    }>`select incident_id, count(*) as n from alerts group by incident_id`.execute(db);
    assert.equal(
      counts.rows.reduce((sum, row) => sum + Number(row.n), 0),
      total,
    );
    for (const incident of open) {
      const actual = counts.rows.find((row) => row.incident_id === incident.incident_id);
      assert.equal(incident.alert_cnt, Number(actual?.n), `alert_cnt of ${incident.incident_id}`);
    }
  });
});
