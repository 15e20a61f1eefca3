import type { Config } from '../config/types.js';
import { counted } from '../counted.js';
import type { Logger } from '../observability/logger.js';
import { AdapterRegistry } from './registry.js';

let processRegistry: AdapterRegistry | undefined;

/**
 * The process's adapters, loaded and compiled once. A broken adapter throws (start-up stops naming file, line and
 * error) unless ALERTGATE_SKIP_BROKEN_ADAPTERS=1 (`--skip-broken`), which disables it; see logAdapterStartup.
 */
export function processAdapters(env: NodeJS.ProcessEnv = process.env): AdapterRegistry {
  processRegistry ??= AdapterRegistry.load({ skipBroken: env.ALERTGATE_SKIP_BROKEN_ADAPTERS === '1' });
  return processRegistry;
}

/** Configuration that works but deserves a warning: an HMAC-signing adapter whose integration has no secret. */
export function adapterConfigWarnings(config: Config, registry: AdapterRegistry): string[] {
  const warnings: string[] = [];
  for (const integration of config.integrations) {
    const signature = registry.get(integration.adapter)?.manifest.signature;
    if (signature?.type === 'hmac-sha256' && integration.secret === undefined) {
      warnings.push(
        `integration ${integration.id}: the ${integration.adapter} adapter can verify ${signature.header}, but the integration has no secret: signatures are NOT checked`,
      );
    }
  }
  return warnings;
}

/** Says loudly which adapters are disabled as broken, and warns about unverified signatures. */
export function logAdapterStartup(logger: Logger, registry: AdapterRegistry, config: Config): void {
  for (const broken of registry.broken)
    logger.error(
      { adapter: broken.name, problems: broken.problems },
      `adapter ${broken.name} is broken and DISABLED (--skip-broken)`,
    );
  for (const warning of adapterConfigWarnings(config, registry)) logger.warn(warning);
  logger.info({ adapters: registry.names() }, `${counted(registry.names().length, 'adapter')} loaded`);
}
