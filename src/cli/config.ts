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
  configCommand
    .command('keys [file]')
    .description('integrations and their push URLs with keys masked; --show <id> prints that one key')
    .option('--show <id>', 'print the key of this integration (and nothing else)')
    .action((file: string | undefined, options: { show?: string }) => {
      try {
        const path = file ?? resolveConfigPath(settings.configFile).path;
        const config = loadConfigFile(path, settings.environment, knownAdapterNames(settings));
        if (options.show !== undefined) {
          const integration = config.integrations.find((candidate) => candidate.id === options.show);
          if (!integration) {
            io.err(`alertgate: no integration with id ${options.show} in ${path}`);
            process.exit(1);
          }
          io.out(integration.key);
          return;
        }
        for (const integration of config.integrations)
          io.out(`${integration.id}  ${integration.adapter}  key …${integration.key.slice(-4)}`);
      } catch (error) {
        if (error instanceof ConfigError) {
          io.err(error.message);
          process.exit(1);
        }
        fail(error);
      }
    });
}
