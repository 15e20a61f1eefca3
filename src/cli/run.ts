import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import { readSettings, type Environment } from '../config/settings.js';
import { runAlertgate, type Roles } from '../main.js';
import { fail } from './output.js';

const skipBroken = '--skip-broken';
const skipBrokenHelp = 'disable broken adapters (loudly) instead of refusing to start';

function run(roles: Roles, env: Environment, options: { skipBroken?: boolean }): void {
  // The option overrides the setting; the worker thread of `start` receives the same settings.
  const settings = readSettings(env, availableParallelism(), options.skipBroken ? { skipBrokenAdapters: true } : {});
  runAlertgate(roles, settings).catch(fail);
}

/** `start`, `gateway`, `worker`: run the roles until a signal stops them. */
export function addRunCommands(program: Command, env: Environment): void {
  program
    .command('start')
    .description('run gateway and worker in one process')
    .option(skipBroken, skipBrokenHelp)
    .action((options) => run({ gateway: true, worker: true }, env, options));
  program
    .command('gateway')
    .description('run only the HTTP gateway (push endpoints, API)')
    .option(skipBroken, skipBrokenHelp)
    .action((options) => run({ gateway: true, worker: false }, env, options));
  program
    .command('worker')
    .description('run only the worker (queue → store)')
    .option(skipBroken, skipBrokenHelp)
    .action((options) => run({ gateway: false, worker: true }, env, options));
}
