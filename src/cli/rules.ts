import type { Command } from 'commander';
import type { ToolSettings } from '../config/settings.js';
import { testRules } from '../dry-run/rules-cli.js';
import { knownAdapterNames } from './known-adapters.js';
import { io } from './output.js';

/** `rules test`: the dry run of a configuration over a list of events. */
export function addRulesCommands(program: Command, settings: ToolSettings): void {
  const rulesCommand = program.command('rules').description('noise-reduction rules tools');
  rulesCommand
    .command('test <config> <events>')
    .description(
      'dry run: what a configuration does with a JSON list of standard events (each with integration_id or integration_key), on a temporary in-memory store',
    )
    .action(async (config: string, events: string) => {
      process.exitCode = await testRules(io, config, events, {
        env: settings.environment,
        knownAdapters: knownAdapterNames(settings),
      });
    });
}
