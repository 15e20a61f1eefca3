import type { Command } from 'commander';
import { ConfigError, loadConfigFile, resolveConfigPath } from '../config/load-config.js';
import type { ToolSettings } from '../config/settings.js';
import { counted } from '../counted.js';
import { knownAdapterNames } from './known-adapters.js';
import { fail, io } from './output.js';

/** `config check`: validate a configuration file without starting. */
export function addConfigCommands(program: Command, settings: ToolSettings): void {
  const configCommand = program.command('config').description('configuration tools');
  configCommand
    .command('check [file]')
    .description('validate a configuration file without starting (default: ALERTGATE_CONFIG or ./alertgate.yaml)')
    .action((file?: string) => {
      try {
        const path = file ?? resolveConfigPath(settings.configFile).path;
        const config = loadConfigFile(path, settings.environment, knownAdapterNames(settings));
        io.out(
          `${path}: valid (${counted(config.channels.length, 'channel')}, ${counted(config.integrations.length, 'integration')})`,
        );
      } catch (error) {
        if (error instanceof ConfigError) {
          io.err(error.message);
          process.exit(1);
        }
        fail(error);
      }
    });
}
