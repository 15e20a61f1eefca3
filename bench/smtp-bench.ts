import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import nodemailer from 'nodemailer';
import { stringify } from 'yaml';
import { packageRoot } from '../src/paths.js';
import { cliPath, cpuSeconds, freePort, startProcess, stopProcess } from './processes.js';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const bareSmtpPath = join(packageRoot, 'dist', 'bench', 'bare-smtp-server.js');

/** One SMTP ingest run: mails per second, the server's CPU per mail. */
export interface SmtpFigures {
  mailsPerSecond: number;
  cpuMicrosPerMail: number;
}

/** A 10 KB plain-text mail body: a backup report of numbered lines. */
function reportBody(): string {
  const lines: string[] = [];
  for (let i = 0; lines.join('\n').length < 10 * 1024; i += 1)
    lines.push(`${String(i).padStart(4, '0')} /srv/backup/vol-${i % 17}/chunk-${i}.tar ok 8192 bytes`);
  return lines.join('\n').slice(0, 10 * 1024);
}

/** Sends `total` 10 KB mails over `connections` pooled SMTP connections; mails per second until the last 250. */
async function sendMany(port: number, total: number, connections: number, to: string): Promise<number> {
  const transport = nodemailer.createTransport({
    pool: true,
    maxConnections: connections,
    maxMessages: Infinity,
    host: '127.0.0.1',
    port,
    secure: false,
    ignoreTLS: true,
  });
  const text = reportBody();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: total }, (_, i) =>
      transport.sendMail({ from: 'nas@bench.example', to, subject: `Backup report ${i % 200}`, text }),
    ),
  );
  const seconds = (performance.now() - started) / 1000;
  transport.close();
  return total / seconds;
}

async function cleanQueue(prefix: string): Promise<void> {
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue('ingest', { connection, prefix: `{${prefix}}` });
  await queue.obliterate({ force: true });
  await queue.close();
  const keys = await connection.keys(`{${prefix}}*`);
  if (keys.length > 0) await connection.del(...keys);
  connection.disconnect();
}

/** (a) bare smtp-server that only reads each mail; (b) `alertgate gateway`'s listener: parse, map, queue, then 250. */
export async function benchSmtp(
  total: number,
  connections: number,
): Promise<{ bare: SmtpFigures; gateway: SmtpFigures }> {
  const barePort = await freePort();
  const bare = await startProcess([bareSmtpPath], { PORT: String(barePort) }, /listening/);
  const bareCpu = cpuSeconds(bare.pid);
  const bareRate = await sendMany(barePort, total, connections, 'x@bench.example');
  const bareFigures = { mailsPerSecond: bareRate, cpuMicrosPerMail: ((cpuSeconds(bare.pid) - bareCpu) / total) * 1e6 };
  await stopProcess(bare);

  const dir = mkdtempSync(join(tmpdir(), 'alertgate-smtp-bench-'));
  const prefix = `agbench-${randomBytes(4).toString('hex')}`;
  const smtpPort = await freePort();
  const configPath = join(dir, 'alertgate.yaml');
  writeFileSync(
    configPath,
    stringify({
      smtp: { listen: smtpPort, host: '127.0.0.1', domain: 'alerts.bench.example' },
      channels: [{ id: 'ops' }],
      integrations: [
        {
          id: 'mail',
          adapter: 'email',
          channel: 'ops',
          email: { prefix: 'backups', mode: 'by_subject' },
          rate_limit: { per_second: 10_000_000, per_minute: 100_000_000 },
        },
      ],
    }),
  );
  const gateway = await startProcess(
    [cliPath, 'gateway'],
    {
      PORT: String(await freePort()),
      HOST: '127.0.0.1',
      REDIS_URL: redisUrl,
      REDIS_PREFIX: prefix,
      ALERTGATE_CONFIG: configPath,
      DATABASE_URL: `sqlite:${join(dir, 'smtp.db')}`,
      LOG_LEVEL: 'warn',
      ADMIN_TOKEN: 'bench',
      MAPPING_THREADS: '0',
    },
    /listening/,
  );
  const gatewayCpu = cpuSeconds(gateway.pid);
  const rate = await sendMany(smtpPort, total, connections, 'backups@alerts.bench.example');
  const gatewayFigures = {
    mailsPerSecond: rate,
    cpuMicrosPerMail: ((cpuSeconds(gateway.pid) - gatewayCpu) / total) * 1e6,
  };
  await stopProcess(gateway);
  await cleanQueue(prefix);
  rmSync(dir, { recursive: true, force: true });
  return { bare: bareFigures, gateway: gatewayFigures };
}
