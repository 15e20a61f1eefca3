import type { AutoResolveSettings } from '../rules/auto-resolve.js';
import type { CompiledDropRule } from '../rules/drop.js';
import type { CompiledEnrichRule } from '../rules/enrich.js';
import type { CompiledGrouping } from '../rules/grouping.js';
import type { CompiledInhibition } from '../rules/inhibition.js';
import type { CompiledPipelineRule } from '../rules/pipeline.js';
import type { CompiledRouting } from '../rules/routing.js';
import type { CompiledSilence } from '../rules/silence.js';
import type {
  DropRule,
  EnrichRule,
  FlappingSettings,
  GroupingSettings,
  InhibitionRule,
  PipelineRule,
  RouteCase,
  SilenceRule,
} from '../rules/types.js';

/** Requests per second and per minute an integration may push (shared by all gateway processes). */
export interface RateLimitConfig {
  per_second?: number;
  per_minute?: number;
  /** Alerts (events) per second, counted per accepted payload; none by default. */
  alerts_per_second?: number;
  /** Body bytes per second (bytes, or a size such as 512kb or 1mb), counted per accepted payload; none by default. */
  bytes_per_second?: number | string;
}

/** Close an incident that has not recovered after a while (from its trigger or its last merge). */
export interface AutoResolveConfig {
  after: string;
  from?: 'trigger' | 'last-merge';
}

export interface ChannelConfig {
  id: string;
  name?: string;
  description?: string;
  auto_close?: boolean;
  grouping?: GroupingSettings;
  storm_thresholds?: number[];
  flapping?: FlappingSettings;
  auto_resolve?: AutoResolveConfig;
  drop?: DropRule[];
  silences?: SilenceRule[];
  inhibitions?: InhibitionRule[];
}

export interface IntegrationConfig {
  id: string;
  name?: string;
  adapter: string;
  key: string;
  /** Dedicated integration: its channel. A shared integration has `routes` instead. */
  channel?: string;
  routes?: RouteCase[];
  default_channels?: string[];
  enrich?: EnrichRule[];
  pipeline?: PipelineRule[];
  enabled?: boolean;
  secret?: string;
  rate_limit?: RateLimitConfig;
}

export interface DefaultsConfig {
  payload_limit?: number | string;
  rate_limit?: RateLimitConfig;
}

/** alertgate.yaml as written by users (schemas/config.schema.json). */
export interface ConfigFile {
  defaults?: DefaultsConfig;
  channels?: ChannelConfig[];
  integrations?: IntegrationConfig[];
}

/** A channel's noise-reduction rules, compiled once. */
export interface ChannelRules {
  /** Undefined: grouping off, one incident per alert. */
  grouping?: CompiledGrouping;
  similarity: { keys: string[]; threshold: number };
  stormThresholds: number[];
  flapping: FlappingSettings;
  /** Close an open incident this long after its trigger or its last merge; undefined: never. */
  autoResolve?: AutoResolveSettings;
  drop: CompiledDropRule[];
  silences: CompiledSilence[];
  inhibitions: CompiledInhibition[];
}

/** A channel with every default applied. */
export interface Channel {
  id: string;
  name: string;
  description: string;
  autoClose: boolean;
  rules: ChannelRules;
}

/** An integration with every default applied. */
export interface Integration {
  id: string;
  name: string;
  adapter: string;
  key: string;
  /** Dedicated integration's channel; null for a shared integration (routing decides). */
  channelId: string | null;
  routing?: CompiledRouting;
  enrich: CompiledEnrichRule[];
  pipeline: CompiledPipelineRule[];
  enabled: boolean;
  secret?: string;
  rateLimit: { perSecond: number; perMinute: number; alertsPerSecond?: number; bytesPerSecond?: number };
}

/** The configuration the processes run with. */
export interface Config {
  payloadLimitBytes: number;
  channels: Channel[];
  integrations: Integration[];
  /** Where it came from: a file path, or `example` for the bundled example. */
  source: string;
}
