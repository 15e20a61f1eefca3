import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import type { Logger } from '../observability/logger.js';

/** A redis-server alertgate started for itself because none was configured or running. */
export interface PrivateRedis {
  url: string;
  /** Stops the server (it writes its append-only file first) and waits for it to exit. */
  stop(): Promise<void>;
}

/** Whether a Redis answers PING at host:port within a second or two. */
export async function redisAnswers(host: string, port: number): Promise<boolean> {
  const probe = new Redis({
    host,
    port,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    connectTimeout: 1500,
    retryStrategy: () => null,
  });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    return (await probe.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

/** The first executable `name` in the given PATH folders. */
export function findExecutable(name: string, folders: readonly string[]): string | undefined {
  for (const folder of folders) {
    const candidate = join(folder, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not in this folder.
    }
  }
  return undefined;
}

/** `port` on `host` when nothing listens there, else a port the system picks as free. */
function portToUse(host: string, port: number): Promise<number> {
  const tryListen = (wanted: number) =>
    new Promise<number | undefined>((done) => {
      const server = createServer();
      server.once('error', () => done(undefined));
      server.listen(wanted, host, () => {
        const address = server.address();
        server.close(() => done(typeof address === 'object' && address ? address.port : undefined));
      });
    });
  return tryListen(port).then(
    async (free) =>
      free ?? (await tryListen(0)) ?? Promise.reject(new Error(`no free port on ${host} for a private Redis`)),
  );
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((done) => child.once('exit', () => done()));
}

export interface PrivateRedisOptions {
  binary: string;
  host: string;
  /** Preferred port; another free one when it is taken. */
  port: number;
  /** Where the server keeps its data (append-only file). */
  dir: string;
  logger: Logger;
}

/**
 * Starts redis-server bound to `host`, persisting to `dir` with appendonly, and resolves once it answers. The server
 * is a child of this process: stop() ends it, and so does this process exiting in any way.
 */
export async function startPrivateRedis(options: PrivateRedisOptions): Promise<PrivateRedis> {
  const dir = resolve(options.dir);
  mkdirSync(dir, { recursive: true });
  const port = await portToUse(options.host, options.port);
  const child = spawn(
    options.binary,
    ['--bind', options.host, '--port', String(port), '--dir', dir, '--appendonly', 'yes', '--daemonize', 'no'],
    { stdio: 'ignore' },
  );
  const killOnExit = () => child.kill('SIGTERM');
  process.once('exit', killOnExit);
  const failed = new Promise<never>((_, reject) => {
    child.once('error', reject);
    child.once('exit', (code) =>
      reject(new Error(`the private redis-server exited with code ${code} before answering`)),
    );
  });
  const stop = async () => {
    process.removeListener('exit', killOnExit);
    child.kill('SIGTERM');
    await exited(child);
  };
  try {
    await Promise.race([failed, waitUntilAnswering(options.host, port)]);
  } catch (error) {
    await stop();
    throw error;
  }
  failed.catch(() => undefined);
  options.logger.info(
    { port, dir, binary: options.binary },
    `no REDIS_URL and no Redis on ${options.host}; started a private redis-server on port ${port}`,
  );
  return { url: `redis://${options.host}:${port}`, stop };
}

async function waitUntilAnswering(host: string, port: number): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    if (await redisAnswers(host, port)) return;
    await new Promise((done) => setTimeout(done, 100));
  }
  throw new Error(`the private redis-server on ${host}:${port} did not answer within 10 s`);
}
