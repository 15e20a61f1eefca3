import type { EventTimeBounds } from '../events/event-time.js';
import type { OutboundFormatName } from '../notify/render.js';
import type { WebhookEventType } from '../notify/webhook-body.js';
import type { AutoResolveSettings } from '../rules/auto-resolve.js';
import type { CompiledDropRule } from '../rules/drop.js';
import type { CompiledEnrichRule } from '../rules/enrich.js';
import type { CompiledGrouping } from '../rules/grouping.js';
import type { CompiledInhibition } from '../rules/inhibition.js';
import type { CompiledPipelineRule } from '../rules/pipeline.js';
import type { CompiledRouting } from '../rules/routing.js';
import type { CompiledSilence } from '../rules/silence.js';
import type { EmailConfig, EmailSettings, SmtpSettings } from '../email/settings.js';
import type { ChangeStatus, ConfigFile, RateLimit } from '../generated/config.js';
import type { FlappingSettings } from '../rules/types.js';

/*
 * alertgate.yaml as written: the types of schemas/config.schema.json (generated into src/generated/config.ts), named
 * by section. Below them, the configuration as the processes run it, every default applied.
 */

export type { ChangeStatus, ConfigFile } from '../generated/config.js';

/** The element type of an optional list of the file. */
type ItemOf<List> = List extends ReadonlyArray<infer Item> ? Item : never;

export type DefaultsConfig = NonNullable<ConfigFile['defaults']>;
/** Requests per second and per minute an integration may push (shared by all gateway processes). */
export type RateLimitConfig = RateLimit;
/** How far an event's own time may be from its receive time to be taken as when it happened. */
export type EventTimeConfig = NonNullable<DefaultsConfig['event_time']>;
export type ChannelConfig = ItemOf<ConfigFile['channels']>;
/** Close an incident that has not recovered after a while (from its trigger or its last merge). */
export type AutoResolveConfig = NonNullable<ChannelConfig['auto_resolve']>;
export type IntegrationConfig = ItemOf<ConfigFile['integrations']>;
/** One outbound webhook receiver as written in alertgate.yaml (`webhooks:`). */
export type WebhookConfig = ItemOf<ConfigFile['webhooks']>;
/** A source that must check in (alertgate.yaml `heartbeats`). */
export type HeartbeatConfig = ItemOf<ConfigFile['heartbeats']>;
/** How long stored data is kept (`retention:`); an age such as `30d`, or `0`/`off` to keep forever. */
export type RetentionConfig = NonNullable<ConfigFile['retention']>;

/** A heartbeat with every default applied; durations in milliseconds. */
export interface Heartbeat {
  id: string;
  name: string;
  channelId: string;
  intervalMs: number;
  graceMs: number;
  key: string;
  labels: Record<string, string>;
  /** Any event of this integration (whose labels carry `match`) counts as a ping. */
  integrationId?: string;
  match: Record<string, string>;
  enabled: boolean;
  /** `adapter: email`: the mailbox and how its mail becomes events (`key` is then optional). */
  email?: EmailConfig;
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
  /** The channel's section of alertgate.yaml as written (after `${VAR}`), shown read-only by the console. */
  settings?: ChannelConfig;
  /** Send `i_repeat` this often (ms) while an incident stays Triggered and unacknowledged; absent: never. */
  repeatIntervalMs?: number;
}

/** An outbound webhook receiver with every default applied. */
export interface Webhook {
  id: string;
  url: string;
  format: OutboundFormatName;
  secret?: string;
  /** Event types sent to it. */
  events: WebhookEventType[];
  /** Channels whose changes it receives; null: all. */
  channels: string[] | null;
  template?: string;
  headers: Record<string, string>;
  timeoutMs: number;
  maxAttempts: number;
  concurrency: number;
  routingKey?: string;
  apiKey?: string;
  allowPrivateNetwork: boolean;
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
  /** Alerts idle this long recover; `false`: never (not even the adapter's default); absent: the adapter's default. */
  autoResolveIdleMs?: number | false;
  /** change-jira: lower-cased Jira status name → change status, defaults included. */
  changeStatusMap?: Record<string, ChangeStatus>;
  /** Email integrations: the address and mapping mode (their `key` is empty unless configured). */
  email?: EmailSettings;
}

/** Per integration, the most rejected payloads kept: by count and by stored bytes; the oldest go first. */
export interface RejectedPayloadCap {
  count: number;
  bytes: number;
}

/** Retention with every default applied: ages in ms, `null` keeps that kind forever. */
export interface RetentionSettings {
  eventsMs: number | null;
  closedIncidentsMs: number | null;
  rejectedPayloadsMs: number | null;
  deliveriesMs: number | null;
  /** How often the retention job runs. */
  intervalMs: number;
  rejectedPayloadCap: RejectedPayloadCap;
}

/** The configuration the processes run with. */
export interface Config {
  payloadLimitBytes: number;
  /** Bounds of a plausible event_time; absent: the defaults (events/event-time.ts). */
  eventTime?: EventTimeBounds;
  /** Absent in configurations built by hand (tests): the defaults of {@link RetentionSettings} apply. */
  retention?: RetentionSettings;
  /** The web console at `/` (config `console`); false turns it off. Absent: on. */
  console?: boolean;
  channels: Channel[];
  integrations: Integration[];
  /** Sources that must check in; absent: none. */
  heartbeats?: Heartbeat[];
  /** How long before an incident's start a change is listed with it (default 2 h). */
  changeCorrelationWindowMs?: number;
  /** The SMTP listener; undefined when `smtp:` is absent. */
  smtp?: SmtpSettings;
  /** Outbound webhook receivers, in the order configured. */
  webhooks: Webhook[];
  /** Where it came from: a file path, or `example` for the bundled example. */
  source: string;
}
