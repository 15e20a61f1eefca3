import { readFileSync } from 'node:fs';
import type { CliOutput } from '../adapters/adapter-cli.js';
import { ConfigError, loadConfigFile } from '../config/load-config.js';
import type { Config } from '../config/types.js';
import { AppError } from '../errors.js';
import { migrateToLatest, openDatabase } from '../store/database.js';
import { formatDryRunReport } from './format.js';
import { runDryRun } from './run.js';

/** What `alertgate rules test` reads besides its two files. */
export interface RulesTestOptions {
  /** What `${NAME}` in the configuration is read from (the CLI hands its settings' environment). */
  env: Readonly<Record<string, string | undefined>>;
  knownAdapters?: ReadonlySet<string>;
  clock?: () => number;
}

/** The events file: a list of standard events (each with integration_id or integration_key), or `{"events": [...]}`. */
function readEvents(path: string): unknown[] {
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as unknown;
  if (Array.isArray(parsed)) return parsed;
  if (typeof parsed === 'object' && parsed !== null && Array.isArray((parsed as { events?: unknown }).events))
    return (parsed as { events: unknown[] }).events;
  throw new Error('must hold a list of standard events, or {"events": [...]}');
}

function loadInputs(
  io: CliOutput,
  configPath: string,
  eventsPath: string,
  options: RulesTestOptions,
): { config: Config; events: unknown[] } | undefined {
  let config: Config;
  try {
    config = loadConfigFile(configPath, options.env, options.knownAdapters);
  } catch (error) {
    io.err(error instanceof ConfigError ? error.message : `${configPath}: ${(error as Error).message}`);
    return undefined;
  }
  try {
    return { config, events: readEvents(eventsPath) };
  } catch (error) {
    io.err(`${eventsPath}: ${(error as Error).message}`);
    return undefined;
  }
}

/**
 * `alertgate rules test <config> <events.json>`: runs the events through the worker's pipeline with that
 * configuration on a temporary in-memory store and prints what each would do, the incidents and the traces.
 * Exit code 0 when the dry run ran (whatever its outcomes), 1 when an input is invalid.
 */
export async function testRules(
  io: CliOutput,
  configPath: string,
  eventsPath: string,
  options: RulesTestOptions,
): Promise<number> {
  const inputs = loadInputs(io, configPath, eventsPath, options);
  if (!inputs) return 1;
  const store = openDatabase('sqlite::memory:');
  try {
    await migrateToLatest(store);
    const report = await runDryRun(
      { store, config: inputs.config, clock: options.clock ?? Date.now },
      { events: inputs.events },
    );
    for (const line of formatDryRunReport(report)) io.out(line);
    return 0;
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    io.err(`${eventsPath}: ${error.message}`);
    return 1;
  } finally {
    await store.close();
  }
}
