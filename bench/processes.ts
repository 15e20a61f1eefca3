import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../src/paths.js';

export { freePort } from '../test/support/waiting.js';

/** Starts a Node program and resolves once it prints `marker` on stdout. */
export function startProcess(args: string[], env: NodeJS.ProcessEnv, marker: RegExp): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    const timer = setTimeout(() => reject(new Error(`${args.join(' ')} did not start: ${output}`)), 90_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (marker.test(output)) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}: ${output}`)));
  });
}

export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  child.removeAllListeners('exit');
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

export const cliPath = join(packageRoot, 'dist', 'src', 'cli.js');
export const bareServerPath = join(packageRoot, 'dist', 'bench', 'bare-server.js');

/**
 * CPU seconds (user + system) a process has used so far, all threads, or only its main thread with `mainThreadOnly`;
 * from /proc, NaN where /proc is missing.
 */
export function cpuSeconds(pid: number | undefined, mainThreadOnly = false): number {
  try {
    const path = mainThreadOnly ? `/proc/${pid}/task/${pid}/stat` : `/proc/${pid}/stat`;
    const fields = readFileSync(path, 'utf8').split(') ')[1].split(' ');
    // After the command name: field 14 (utime) and 15 (stime) are at index 11 and 12; clock ticks are 100 per second on Linux.
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}
