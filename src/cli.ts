#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { listAdapters, testAdapters, tryAdapter, type CliOutput } from './adapters/adapter-cli.js';
import { scaffoldAdapter } from './adapters/scaffold.js';
import { ConfigError, loadConfigFile, resolveConfigPath } from './config/load-config.js';
import { counted } from './counted.js';
import { knownAdapterNames, runAlertgate, type Roles } from './main.js';
import { packageRoot } from './paths.js';
import { testRules } from './dry-run/rules-cli.js';

// `alertgate adapter list | head -1`: a reader that stops early is not an error; stop writing and exit quietly.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(0);
});

function fail(error: unknown): never {
  process.stderr.write(`alertgate: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}

function run(roles: Roles, options: { skipBroken?: boolean }): void {
  // An env var, so the worker thread of `start` sees it too.
  if (options.skipBroken) process.env.ALERTGATE_SKIP_BROKEN_ADAPTERS = '1';
  runAlertgate(roles).catch(fail);
}

const io: CliOutput = { out: (text) => process.stdout.write(text + '\n'), err: (text) => process.stderr.write(text + '\n') };
const skipBroken = '--skip-broken';
const skipBrokenHelp = 'disable broken adapters (loudly) instead of refusing to start';

const { version } = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string };
const program = new Command('alertgate').description('Alert-ingestion gateway: monitoring webhooks in, de-duplicated alerts and incidents out.').version(version);
program.command('start').description('run gateway and worker in one process').option(skipBroken, skipBrokenHelp).action((options) => run({ gateway: true, worker: true }, options));
program.command('gateway').description('run only the HTTP gateway (push endpoints, API)').option(skipBroken, skipBrokenHelp).action((options) => run({ gateway: true, worker: false }, options));
program.command('worker').description('run only the worker (queue → store)').option(skipBroken, skipBrokenHelp).action((options) => run({ gateway: false, worker: true }, options));

const adapterCommand = program.command('adapter').description('adapter tools (adapters/README.md)');
adapterCommand.command('list').description('list the adapters and any broken ones').action(() => {
  process.exitCode = listAdapters(io);
});
adapterCommand
  .command('test [name]')
  .description('run the fixtures of every adapter (or one) and show a diff on mismatch; UPDATE_FIXTURES=1 rewrites expected files')
  .action(async (name?: string) => {
    process.exitCode = await testAdapters(io, { ...(name && { name }), update: process.env.UPDATE_FIXTURES === '1' });
  });
adapterCommand
  .command('try <name> <payload>')
  .description('print the standard events a payload file maps to (a bare payload, or a fixture input with body/headers/query)')
  .action(async (name: string, payload: string) => {
    process.exitCode = await tryAdapter(io, name, payload);
  });
adapterCommand
  .command('new <name>')
  .description('scaffold adapters/<name>/ with a commented mapping, a manifest and passing fixtures')
  .action(async (name: string) => {
    const folder = await scaffoldAdapter(name);
    io.out(`created ${folder}: edit mapping.jsonata and manifest.json, replace the fixtures with real payloads, then run \`alertgate adapter test ${name}\``);
  });

const configCommand = program.command('config').description('configuration tools');
configCommand
  .command('check [file]')
  .description('validate a configuration file without starting (default: ALERTGATE_CONFIG or ./alertgate.yaml)')
  .action((file?: string) => {
    try {
      const path = file ?? resolveConfigPath().path;
      const config = loadConfigFile(path, process.env, knownAdapterNames());
      process.stdout.write(`${path}: valid (${counted(config.channels.length, 'channel')}, ${counted(config.integrations.length, 'integration')})\n`);
    } catch (error) {
      if (error instanceof ConfigError) {
        process.stderr.write(error.message + '\n');
        process.exit(1);
      }
      fail(error);
    }
  });

const rulesCommand = program.command('rules').description('noise-reduction rules tools');
rulesCommand
  .command('test <config> <events>')
  .description('dry run: what a configuration does with a JSON list of standard events (each with integration_id or integration_key), on a temporary in-memory store')
  .action(async (config: string, events: string) => {
    process.exitCode = await testRules(io, config, events, { knownAdapters: knownAdapterNames() });
  });

program.parseAsync(process.argv).catch(fail);
