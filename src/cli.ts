#!/usr/bin/env node
import { Command } from 'commander';
import { ConfigError, loadConfigFile, resolveConfigPath } from './config/load-config.js';
import { knownAdapterNames, startAlertgate, type Roles } from './main.js';

function fail(error: unknown): never {
  process.stderr.write(`alertgate: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}

function run(roles: Roles): void {
  startAlertgate(roles).catch(fail);
}

const program = new Command('alertgate').description('Alert-ingestion gateway: monitoring webhooks in, de-duplicated alerts and incidents out.');
program.command('start').description('run gateway and worker in one process').action(() => run({ gateway: true, worker: true }));
program.command('gateway').description('run only the HTTP gateway (push endpoints, API)').action(() => run({ gateway: true, worker: false }));
program.command('worker').description('run only the worker (queue → store)').action(() => run({ gateway: false, worker: true }));

const configCommand = program.command('config').description('configuration tools');
configCommand
  .command('check [file]')
  .description('validate a configuration file without starting (default: ALERTGATE_CONFIG or ./alertgate.yaml)')
  .action((file?: string) => {
    try {
      const path = file ?? resolveConfigPath().path;
      const config = loadConfigFile(path, process.env, knownAdapterNames());
      process.stdout.write(`${path}: valid (${config.channels.length} channels, ${config.integrations.length} integrations)\n`);
    } catch (error) {
      if (error instanceof ConfigError) {
        process.stderr.write(error.message + '\n');
        process.exit(1);
      }
      fail(error);
    }
  });

program.parseAsync(process.argv).catch(fail);
