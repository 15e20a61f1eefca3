import type { CliOutput } from '../adapters/adapter-cli.js';

/** Where every command writes: lines on stdout and stderr. */
export const io: CliOutput = {
  out: (text) => process.stdout.write(text + '\n'),
  err: (text) => process.stderr.write(text + '\n'),
};

/** Ends the command with `alertgate: <message>` on stderr and exit code 1. */
export function fail(error: unknown): never {
  process.stderr.write(`alertgate: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
