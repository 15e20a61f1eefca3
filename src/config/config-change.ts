import { parse } from 'yaml';
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
  /** Per channel kept across the reload, the top-level fields of its definition that changed (e.g. `grouping`). */
  channels_changed: Record<string, string[]>;
  integrations_changed: Record<string, string[]>;
  heartbeats_added: string[];
  heartbeats_removed: string[];
  heartbeats_changed: Record<string, string[]>;
  /** Dedicated integrations given another channel, and what becomes of their open alerts. */
  integrations_moved: Record<string, string>;
}

type Definitions = Map<string, Record<string, unknown>>;

/** The channel or integration definitions of a configuration file's text, by id; empty when it cannot be read. */
function definitions(text: string | undefined, section: 'channels' | 'integrations' | 'heartbeats'): Definitions {
  if (text === undefined) return new Map();
  try {
    const file = parse(text) as Record<string, unknown> | null;
    const items = Array.isArray(file?.[section]) ? (file[section] as unknown[]) : [];
    return new Map(
      items
        .filter(
          (item): item is Record<string, unknown> =>
            typeof item === 'object' && item !== null && typeof (item as { id?: unknown }).id === 'string',
        )
        .map((item) => [item.id as string, item]),
    );
  } catch {
    return new Map();
  }
}

/** For each id in both, the fields whose definition differs (as written in the file). */
function changedFields(previous: Definitions, next: Definitions): Record<string, string[]> {
  const changed: Record<string, string[]> = {};
  for (const [id, after] of next) {
    const before = previous.get(id);
    if (!before) continue;
    const fields = [...new Set([...Object.keys(before), ...Object.keys(after)])]
      .filter((field) => JSON.stringify(before[field]) !== JSON.stringify(after[field]))
      .sort();
    if (fields.length > 0) changed[id] = fields;
  }
  return changed;
}

/** Integrations whose dedicated channel changed: their open alerts stay where they opened (the worker's dedup stage). */
function movedIntegrations(previous: Config, next: Config): Record<string, string> {
  const before = new Map(previous.integrations.map((integration) => [integration.id, integration.channelId]));
  const moved: Record<string, string> = {};
  for (const integration of next.integrations) {
    const from = before.get(integration.id);
    if (from === undefined || from === null || from === integration.channelId) continue;
    moved[integration.id] =
      `${from} → ${integration.channelId ?? 'routes'}: its open alerts stay in ${from} until they close (their recoveries still reach them); new alerts open in the new place`;
  }
  return moved;
}

function difference(from: ReadonlyArray<{ id: string }>, to: ReadonlyArray<{ id: string }>): string[] {
  const ids = new Set(to.map((item) => item.id));
  return from.map((item) => item.id).filter((id) => !ids.has(id));
}

/**
 * Counts of the new configuration, the channel and integration ids it added or removed, and what changed in those it
 * kept (read from the two files' texts when given).
 */
export function summariseConfigChange(
  previous: Config,
  next: Config,
  texts: { previous?: string; next?: string } = {},
): ConfigChangeSummary {
  return {
    source: next.source,
    channels: next.channels.length,
    integrations: next.integrations.length,
    channels_added: difference(next.channels, previous.channels),
    channels_removed: difference(previous.channels, next.channels),
    integrations_added: difference(next.integrations, previous.integrations),
    integrations_removed: difference(previous.integrations, next.integrations),
    channels_changed: changedFields(definitions(texts.previous, 'channels'), definitions(texts.next, 'channels')),
    integrations_changed: changedFields(
      definitions(texts.previous, 'integrations'),
      definitions(texts.next, 'integrations'),
    ),
    heartbeats_added: difference(next.heartbeats ?? [], previous.heartbeats ?? []),
    heartbeats_removed: difference(previous.heartbeats ?? [], next.heartbeats ?? []),
    heartbeats_changed: changedFields(definitions(texts.previous, 'heartbeats'), definitions(texts.next, 'heartbeats')),
    integrations_moved: movedIntegrations(previous, next),
  };
}
