import type { Command } from 'commander';
import { listAdapters, loadAdaptersForTest, testAdapters, tryAdapter } from '../adapters/adapter-cli.js';
import { startFixtureGateway } from '../fixture-gateway.js';
import { scaffoldAdapter } from '../adapters/scaffold.js';
import type { ToolSettings } from '../config/settings.js';
import { createLogger } from '../observability/logger.js';
import { io } from './output.js';

/** `adapter list|test|try|new`: the adapter tools of adapters/README.md. */
export function addAdapterCommands(program: Command, settings: ToolSettings): void {
  const adapterCommand = program.command('adapter').description('adapter tools (adapters/README.md)');
  adapterCommand
    .command('list')
    .description('list the adapters and any broken ones')
    .action(() => {
      process.exitCode = listAdapters(io);
    });
  adapterCommand
    .command('test [name]')
    .description(
      'run the fixtures of every adapter (or one) and show a diff on mismatch; UPDATE_FIXTURES=1 rewrites expected files',
    )
    .option('--http', 'push each fixture to a real gateway on a loopback port (needs Redis: REDIS_URL or local)')
    .action(async (name: string | undefined, options: { http?: boolean }) => {
      if (!options.http) {
        process.exitCode = await testAdapters(io, { ...(name && { name }), update: settings.updateFixtures });
        return;
      }
      if (settings.updateFixtures) {
        io.err('UPDATE_FIXTURES=1 rewrites expected files from the transform path: run it without --http');
        process.exitCode = 2;
        return;
      }
      const registry = loadAdaptersForTest();
      // Silent: the command prints its own report, which the gateway's request logs would only interleave with.
      const gateway = await startFixtureGateway(registry, settings.redisUrl, createLogger('silent'));
      try {
        const run = async (...args: Parameters<typeof gateway.send>) => (await gateway.send(...args)).outcome;
        process.exitCode = await testAdapters(io, { ...(name && { name }), registry, run });
      } finally {
        await gateway.close();
      }
    });
  adapterCommand
    .command('try <name> <payload>')
    .description(
      'print the standard events a payload file maps to (a bare payload, or a fixture input with body/headers/query)',
    )
    .action(async (name: string, payload: string) => {
      process.exitCode = await tryAdapter(io, name, payload);
    });
  adapterCommand
    .command('new <name>')
    .description('scaffold adapters/<name>/ with a commented mapping, a manifest and passing fixtures')
    .action(async (name: string) => {
      const folder = await scaffoldAdapter(name);
      io.out(
        `created ${folder}: edit mapping.jsonata and manifest.json, replace the fixtures with real payloads, then run \`alertgate adapter test ${name}\``,
      );
    });
}
