import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './waiting.js';

/**
 * A PostgreSQL server of one test's own (initdb in a temporary folder, its own port), so the test can stop and start
 * a real server without disturbing the shared one other test files use. Runs as the `postgres` user when the
 * tests run as root (the server refuses root).
 */
export class PrivatePostgres {
  readonly url: string;
  private constructor(
    private readonly bin: string,
    private readonly dataDir: string,
    private readonly root: string,
    readonly port: number,
  ) {
    this.url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  }

  static async create(): Promise<PrivatePostgres> {
    const versions = readdirSync('/usr/lib/postgresql').sort((a, b) => Number(a) - Number(b));
    const bin = join('/usr/lib/postgresql', versions[versions.length - 1] as string, 'bin');
    const root = mkdtempSync(join(tmpdir(), 'alertgate-pg-'));
    chmodSync(root, 0o755);
    const dataDir = join(root, 'data');
    const server = new PrivatePostgres(bin, dataDir, root, await freePort());
    if (process.getuid?.() === 0) chownSync(root, postgresUid(), postgresGid());
    server.run('initdb', ['-D', dataDir, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8']);
    return server;
  }

  start(): void {
    const options = `-p ${this.port} -k ${this.root} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`;
    this.run('pg_ctl', ['-D', this.dataDir, '-o', options, '-l', join(this.root, 'log'), '-w', '-t', '60', 'start']);
  }

  /** `fast`: active connections are ended with 57P01 ("terminating connection due to administrator command"). */
  stop(): void {
    this.run('pg_ctl', ['-D', this.dataDir, '-m', 'fast', '-w', '-t', '60', 'stop']);
  }

  dispose(): void {
    try {
      this.run('pg_ctl', ['-D', this.dataDir, '-m', 'immediate', '-w', 'stop']);
    } catch {
      // already stopped
    }
    rmSync(this.root, { recursive: true, force: true });
  }

  private run(tool: string, args: string[]): void {
    const command = join(this.bin, tool);
    if (process.getuid?.() === 0)
      execFileSync('runuser', ['-u', 'postgres', '--', command, ...args], { stdio: 'ignore' });
    else execFileSync(command, args, { stdio: 'ignore' });
  }
}

const idOf = (flag: string): number => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
const postgresUid = (): number => idOf('-u');
const postgresGid = (): number => idOf('-g');
