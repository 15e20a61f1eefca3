import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { stringify } from 'yaml';
import { buildConfig } from '../../src/config/load-config.js';
import { createLogger } from '../../src/observability/logger.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { packageRoot } from '../../src/paths.js';
import { createWorker } from '../../src/worker/worker.js';
import { redisUrl, startStack, type Stack } from '../support/stack.js';
import { storeKinds } from '../support/stores.js';
import { eventually, freePort } from '../support/waiting.js';
import { mailConfig, mailDomain, sendMail } from './mail-stack.js';

const cli = join(packageRoot, 'dist', 'src', 'cli.js');

const exited = (child: ChildProcess): Promise<void> =>
  new Promise((resolve) =>
    child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve()),
  );

for (const kind of storeKinds) {
  describe(`SIGKILL of the gateway right after 250 (${kind})`, () => {
    let stack: Stack;
    let dir: string;
    before(async () => {
      // The stack gives a migrated store and a Redis prefix; the gateway under test is a child process.
      stack = await startStack({ store: kind, worker: false });
      dir = mkdtempSync(join(tmpdir(), 'alertgate-mail-kill-'));
    });
    after(async () => {
      await stack.close();
      rmSync(dir, { recursive: true, force: true });
    });

    test('every mail answered 250 is stored once the worker runs', async () => {
      const smtpPort = await freePort();
      const configFile = mailConfig([{ id: 'backups', email: { prefix: 'backups' } }], { listen: smtpPort });
      const configPath = join(dir, 'alertgate.yaml');
      writeFileSync(configPath, stringify(configFile));
      const gateway = spawn(process.execPath, [cli, 'gateway'], {
        env: {
          ...process.env,
          PORT: String(await freePort()),
          HOST: '127.0.0.1',
          REDIS_URL: redisUrl,
          REDIS_PREFIX: stack.prefix,
          DATABASE_URL: stack.testStore.url,
          DATABASE_SCHEMA: stack.testStore.schema ?? '',
          ALERTGATE_CONFIG: configPath,
          MAPPING_THREADS: '0',
          LOG_LEVEL: 'error',
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let banner = '';
      gateway.stdout?.setEncoding('utf8').on('data', (chunk: string) => (banner += chunk));
      try {
        // A loaded machine can take a while to start a gateway with every adapter: the deadline is generous.
        await eventually(
          'the gateway banner',
          async () => (banner.includes(`backups@${mailDomain}`) ? true : undefined),
          240_000,
        );
        const accepted: string[] = [];
        const total = 30;
        let killed = false;
        // Mails go out concurrently; the gateway is killed as the 10th 250 arrives, with others in flight.
        const outcomes = await Promise.allSettled(
          Array.from({ length: total }, async (_, i) => {
            const sent = await sendMail(smtpPort, {
              to: `backups@${mailDomain}`,
              subject: `kill test ${i}`,
              text: `mail ${i}`,
            });
            const requestId = /queued as (\S+)/.exec(sent.response)?.[1];
            assert.ok(requestId, sent.response);
            accepted.push(requestId);
            if (accepted.length === 10 && !killed) {
              killed = true;
              gateway.kill('SIGKILL');
            }
          }),
        );
        await exited(gateway);
        assert.ok(killed && accepted.length >= 10, `${accepted.length} mails accepted`);
        assert.ok(
          outcomes.some((outcome) => outcome.status === 'rejected') || accepted.length === total,
          'a mail not answered 250 failed on the sender side (it keeps it)',
        );
        const worker = createWorker({
          config: buildConfig(configFile, configPath, {}),
          store: stack.testStore.store,
          redis: { url: redisUrl, prefix: stack.prefix },
          logger: createLogger('silent'),
          metrics: createMetrics(),
        });
        try {
          const stored = await eventually('every accepted mail stored', async () => {
            const rows = await stack.testStore.store.db
              .selectFrom('events')
              .select('request_id')
              .where('integration_id', '=', 'backups')
              .execute();
            const ids = new Set(rows.map((row) => row.request_id));
            return accepted.every((id) => ids.has(id)) ? rows : undefined;
          });
          assert.equal(new Set(stored.map((row) => row.request_id)).size, stored.length, 'none stored twice');
        } finally {
          await worker.close();
        }
      } finally {
        gateway.kill('SIGKILL');
        await exited(gateway);
      }
    });
  });
}
