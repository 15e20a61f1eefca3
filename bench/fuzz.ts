import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { stringify } from 'yaml';
import { hostileConfig, sendHostileRequests } from '../test/support/hostile-requests.js';
import { cliPath, freePort, startProcess, stopProcess } from './processes.js';

/*
 * `npm run fuzz`: FUZZ_REQUESTS (default 100,000) seeded hostile requests (FUZZ_SEED, default 1) against
 * `alertgate start` on SQLite. Passes when no answer is a 5xx other than 503 and the process's memory stays flat
 * (resident size at the end within 50% of the halfway mark); prints the figures either way.
 */

function residentMegabytes(pid: number | undefined): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /VmRSS:\s+(\d+) kB/.exec(status);
  return match ? Number(match[1]) / 1024 : NaN;
}

async function main(): Promise<void> {
  const count = Number(process.env.FUZZ_REQUESTS ?? 100_000);
  const seed = Number(process.env.FUZZ_SEED ?? 1);
  const dir = mkdtempSync(join(tmpdir(), 'alertgate-fuzz-'));
  const { file, keys } = hostileConfig();
  writeFileSync(join(dir, 'alertgate.yaml'), stringify(file));
  const port = await freePort();
  const prefix = `fuzz-${process.pid}`;
  const adminToken = 'fuzz-admin-token';
  const child = await startProcess(
    [cliPath, 'start'],
    {
      PORT: String(port),
      HOST: '127.0.0.1',
      REDIS_PREFIX: prefix,
      DATABASE_URL: `sqlite:${join(dir, 'fuzz.db')}`,
      ALERTGATE_CONFIG: join(dir, 'alertgate.yaml'),
      ADMIN_TOKEN: adminToken,
      LOG_LEVEL: 'fatal',
    },
    /listening/,
  );
  const memory: Array<{ at: number; mb: number }> = [{ at: 0, mb: residentMegabytes(child.pid) }];
  const started = Date.now();
  try {
    const result = await sendHostileRequests(
      `http://127.0.0.1:${port}`,
      { keys, adminToken },
      {
        count,
        seed,
        onProgress: (sent) => {
          if (sent % Math.max(1000, Math.floor(count / 10 / 1000) * 1000) === 0)
            memory.push({ at: sent, mb: residentMegabytes(child.pid) });
        },
      },
    );
    memory.push({ at: result.sent, mb: residentMegabytes(child.pid) });
    const seconds = (Date.now() - started) / 1000;
    const halfway = memory.reduce((best, sample) =>
      Math.abs(sample.at - count / 2) < Math.abs(best.at - count / 2) ? sample : best,
    );
    const end = memory[memory.length - 1] as { at: number; mb: number };
    const growth = end.mb / halfway.mb - 1;
    const fiveHundreds = result.serverErrors.length;
    process.stdout.write(
      `alertgate fuzz: ${result.sent} hostile requests, seed ${seed}, ${seconds.toFixed(0)} s (${(result.sent / seconds).toFixed(0)} req/s)\n`,
    );
    process.stdout.write(
      `  answers by status: ${Object.entries(result.byStatus)
        .map(([status, n]) => `${status}: ${n}`)
        .join(', ')}; not sendable by the client: ${result.unsendable}\n`,
    );
    process.stdout.write(`  5xx other than 503: ${fiveHundreds}  ${fiveHundreds === 0 ? 'ok' : 'FAIL'}\n`);
    process.stdout.write(
      `  resident memory: start ${memory[0]?.mb.toFixed(0)} MB, halfway ${halfway.mb.toFixed(0)} MB, end ${end.mb.toFixed(0)} MB (${(growth * 100).toFixed(1)}% after halfway)  ${growth <= 0.5 ? 'flat' : 'GROWING'}\n`,
    );
    for (const error of result.serverErrors.slice(0, 10))
      process.stdout.write(`    ${error.status} ${error.kind} ${error.method} ${error.path}: ${error.body}\n`);
    if (fiveHundreds > 0 || growth > 0.5) process.exitCode = 1;
  } finally {
    await stopProcess(child);
    const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    const stale = await redis.keys(`{${prefix}}*`);
    if (stale.length > 0) await redis.del(...stale);
    redis.disconnect();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: Error) => {
  process.stderr.write(`fuzz failed: ${error.stack ?? error.message}\n`);
  process.exitCode = 1;
});
