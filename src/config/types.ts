/** Requests per second and per minute an integration may push (shared by all gateway processes). */
export interface RateLimitConfig {
  per_second?: number;
  per_minute?: number;
}

export interface ChannelConfig {
  id: string;
  name?: string;
  description?: string;
  auto_close?: boolean;
}

export interface IntegrationConfig {
  id: string;
  name?: string;
  adapter: string;
  key: string;
  channel: string;
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

/** A channel with every default applied. */
export interface Channel {
  id: string;
  name: string;
  description: string;
  autoClose: boolean;
}

/** An integration with every default applied. */
export interface Integration {
  id: string;
  name: string;
  adapter: string;
  key: string;
  channelId: string;
  enabled: boolean;
  secret?: string;
  rateLimit: { perSecond: number; perMinute: number };
}

/** The configuration the processes run with. */
export interface Config {
  payloadLimitBytes: number;
  channels: Channel[];
  integrations: Integration[];
  /** Where it came from: a file path, or `example` for the bundled example. */
  source: string;
}
