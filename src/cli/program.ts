import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { readToolSettings } from '../config/settings.js';
import { configureMaxJsonDepth } from '../json-depth.js';
import { packageRoot } from '../paths.js';
import { addAdapterCommands } from './adapter.js';
import { addConfigCommands } from './config.js';
import { fail } from './output.js';
import { addRulesCommands } from './rules.js';
import { addRunCommands } from './run.js';
import { addSilenceCommands } from './silence.js';
import { addWebhookCommands } from './webhook.js';

// `alertgate adapter list | head -1`: a reader that stops early is not an error; stop writing and exit quietly.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(0);
});

// The one place the CLI touches the environment: it is handed to the settings readers and nowhere else.
const env = process.env;
const tools = readToolSettings(env);
configureMaxJsonDepth(tools.jsonMaxDepth);

const { version } = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string };
const program = new Command('alertgate')
  .description('Alert-ingestion gateway: monitoring webhooks in, de-duplicated alerts and incidents out.')
  .version(version);
addRunCommands(program, env);
addAdapterCommands(program, tools);
addConfigCommands(program, tools);
addRulesCommands(program, tools);
addSilenceCommands(program, env);
addWebhookCommands(program, tools);

program.parseAsync(process.argv).catch(fail);
