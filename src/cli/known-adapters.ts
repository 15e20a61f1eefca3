import { AdapterRegistry } from '../adapters/registry.js';
import type { ToolSettings } from '../config/settings.js';

/** The adapters integrations may name, as a running alertgate would load them (a broken one throws unless skipped). */
export function knownAdapterNames(settings: ToolSettings): Set<string> {
  return new Set(AdapterRegistry.load({ skipBroken: settings.skipBrokenAdapters }).names());
}
