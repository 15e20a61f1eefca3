import type { Config } from '../config/types.js';
import { counted } from '../counted.js';
import type { Logger } from '../observability/logger.js';
import type { AdapterChanges, AdapterRegistry } from './registry.js';

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

/** What a reload did to the adapters; a refused new version is an error (its previous version keeps serving). */
export function logAdapterChanges(logger: Logger, changes: AdapterChanges): void {
  for (const refused of changes.refused)
    logger.error(
      { adapter: refused.name, problems: refused.problems },
      `new version of adapter ${refused.name} refused; the previous one keeps serving:\n  ${refused.problems.join('\n  ')}`,
    );
  for (const broken of changes.broken)
    logger.error({ adapter: broken.name, problems: broken.problems }, `new adapter ${broken.name} does not load`);
  const { added, updated, removed } = changes;
  if (added.length + updated.length + removed.length > 0) logger.info({ added, updated, removed }, 'adapters reloaded');
}
