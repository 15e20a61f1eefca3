import type { Config } from './types.js';

/** What a reload changed, for its log line. */
export interface ConfigChangeSummary {
  source: string;
  channels: number;
  integrations: number;
  channels_added: string[];
  channels_removed: string[];
  integrations_added: string[];
  integrations_removed: string[];
}

function difference(from: ReadonlyArray<{ id: string }>, to: ReadonlyArray<{ id: string }>): string[] {
  const ids = new Set(to.map((item) => item.id));
  return from.map((item) => item.id).filter((id) => !ids.has(id));
}

/** Counts of the new configuration and the channel and integration ids it added or removed. */
export function summariseConfigChange(previous: Config, next: Config): ConfigChangeSummary {
  return {
    source: next.source,
    channels: next.channels.length,
    integrations: next.integrations.length,
    channels_added: difference(next.channels, previous.channels),
    channels_removed: difference(previous.channels, next.channels),
    integrations_added: difference(next.integrations, previous.integrations),
    integrations_removed: difference(previous.integrations, next.integrations),
  };
}
