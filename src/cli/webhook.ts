import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import { readConfigText, resolveConfigPath } from '../config/load-config.js';
import type { ToolSettings } from '../config/settings.js';
import { isPlainObject } from '../plain-object.js';
import { receiverFromDocument, redactRequest, webhookBodyFrom } from '../notify/formats/preview.js';
import { renderRequest } from '../notify/render.js';
import type { IncidentEventType } from '../notify/webhook-body.js';
import { io } from './output.js';

interface TryOptions {
  config?: string;
  event?: string;
}

function readJson(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`${path}: ${(error as Error).message.split('\n')[0]}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`${path}: not JSON (${what}): ${(error as Error).message}`);
  }
}

function channelNamesOf(document: unknown): Record<string, string> {
  const channels = isPlainObject(document) && Array.isArray(document.channels) ? document.channels : [];
  return Object.fromEntries(
    channels.flatMap((channel) =>
      isPlainObject(channel) && typeof channel.id === 'string'
        ? [[channel.id, typeof channel.name === 'string' ? channel.name : channel.id]]
        : [],
    ),
  );
}

/** Prints the request receiver `id` would get for the body in `bodyFile`; 0, or 1 with the reason on stderr. */
async function tryReceiver(settings: ToolSettings, id: string, bodyFile: string, options: TryOptions): Promise<number> {
  const { path } = resolveConfigPath(options.config ?? settings.configFile);
  const document: unknown = parseYaml(readConfigText(path));
  const env = settings.environment;
  const target = receiverFromDocument(document, id, env);
  const body = webhookBodyFrom(readJson(bodyFile, 'a webhook body or an incident'), {
    ...(options.event && { eventType: options.event as IncidentEventType }),
    publicUrl: (env.PUBLIC_URL ?? `http://localhost:${env.PORT ?? 8080}`).replace(/\/$/, ''),
    channelNames: channelNamesOf(document),
    now: Date.now(),
  });
  const request = await renderRequest(target, body, Date.now());
  if (request === undefined) {
    io.out(`${id} (${target.format}) sends nothing for ${body.event_type}`);
    return 0;
  }
  const shown = redactRequest(request, target);
  io.out(`POST ${shown.url}`);
  for (const [name, value] of Object.entries(shown.headers)) io.out(`${name}: ${value}`);
  io.out('');
  io.out(JSON.stringify(JSON.parse(shown.body), null, 2));
  io.err(
    `(${path}: receiver ${id}, format ${target.format}, event ${body.event_type}; when sent, the body is compact and the sender adds User-Agent, X-Alertgate-Delivery and X-Alertgate-Signature)`,
  );
  return 0;
}

/** `webhook try`: what a receiver would be sent. */
export function addWebhookCommands(program: Command, settings: ToolSettings): void {
  const webhookCommand = program.command('webhook').description('outbound webhook tools');
  webhookCommand
    .command('try <id> <body>')
    .description(
      'print the request (URL, headers without secrets, body) receiver <id> would get for <body>: a webhook body, or an incident as GET /api/v1/incidents/{id} returns it',
    )
    .option('--config <file>', 'configuration file (default: ALERTGATE_CONFIG or ./alertgate.yaml)')
    .option('--event <type>', 'event type of a body built from an incident (default i_new)')
    .action(async (id: string, body: string, options: TryOptions) => {
      try {
        process.exitCode = await tryReceiver(settings, id, body, options);
      } catch (error) {
        io.err(`alertgate: ${error instanceof Error ? error.message : String(error)}`);
        process.exitCode = 1;
      }
    });
}
