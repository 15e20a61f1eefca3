import type { Logger } from '../observability/logger.js';
import { summariseConfigChange } from './config-change.js';
import { ConfigError, type LoadedConfig } from './load-config.js';
import type { Config } from './types.js';

/** What a reloader needs: how to load a configuration, how to apply it, and where to log. */
export interface ReloaderDeps {
  /** The logger of the roles this reloader serves (its `role` says which). */
  logger: Logger;
  initial: Config;
  /** Validates the given text, or reads the configuration file when none is given; throws on a bad one. */
  load: (text?: string) => LoadedConfig;
  /** Hands a valid configuration to the running roles. */
  apply: (config: Config) => void;
  /** The text of the running configuration, to log what a reload changes in it. */
  initialText?: string;
  /** Told the outcome of every reload attempt (Prometheus' `config_last_reload_*` gauges). */
  onOutcome?: (successful: boolean) => void;
}

/**
 * A reload function: validates the new configuration and applies it, or refuses it with every problem logged and
 * keeps the running one. Returns the text applied (so another thread can apply the same), undefined when refused.
 */
export function createReloader(deps: ReloaderDeps): (text?: string) => string | undefined {
  let current = deps.initial;
  let currentText = deps.initialText;
  return (text) => {
    let loaded: LoadedConfig;
    try {
      loaded = deps.load(text);
    } catch (error) {
      const problems = error instanceof ConfigError ? error.problems : [(error as Error).message];
      deps.logger.error(
        { problems },
        `new configuration refused; the previous one stays in force:\n  ${problems.join('\n  ')}`,
      );
      deps.onOutcome?.(false);
      return undefined;
    }
    deps.apply(loaded.config);
    deps.logger.info(
      {
        ...summariseConfigChange(current, loaded.config, {
          ...(currentText !== undefined && { previous: currentText }),
          next: loaded.text,
        }),
      },
      'configuration reloaded',
    );
    deps.onOutcome?.(true);
    current = loaded.config;
    currentText = loaded.text;
    return loaded.text;
  };
}
