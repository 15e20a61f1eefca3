// Generated from schemas/config.schema.json by scripts/schema-types.mjs (npm run build). Edit the schema, not this file.
import type {
  DefaultChannels,
  DropRule,
  Duration,
  EnrichRule,
  Flapping,
  Grouping,
  Inhibition,
  Pipeline,
  Routes,
  Silence,
  StormThresholds,
} from './rules.js';

export interface ConfigFile {
  defaults?: {
    /** Largest accepted request body: bytes, or a size such as 512kb or 1mb. Default 1mb. */
    payload_limit?: number | string;
    rate_limit?: RateLimit;
    /** When an event's own event_time is taken as the time it happened (alert start and end times): at most max_age before its receive time (default 24h) and max_skew after it (default 5m); outside, the receive time is used. */
    event_time?: {
      max_age?: Duration;
      max_skew?: Duration;
    };
  };
  channels?: {
    id: Id;
    name?: string;
    description?: string;
    /** Close an incident when all its alerts recover. Default true. */
    auto_close?: boolean;
    grouping?: Grouping;
    storm_thresholds?: StormThresholds;
    flapping?: Flapping;
    /** Close an incident after a time without recovery, counted from its trigger or its last merge. */
    auto_resolve?: {
      after: Duration;
      from?: 'trigger' | 'last-merge';
    };
    drop?: DropRule[];
    silences?: Silence[];
    inhibitions?: Inhibition[];
    /** Outbound notification settings of the channel's incidents. */
    notify?: {
      /** Send i_repeat this often while an incident stays Triggered and unacknowledged. Default: never. */
      repeat_interval?: Duration;
    };
  }[];
  integrations?: {
    id: Id;
    name?: string;
    adapter: string;
    key?: string;
    /** Dedicated integration: every event goes to this channel. Exclusive with routes. */
    channel?: Id;
    /** A disabled integration answers 403 AccessDenied. Default true. */
    enabled?: boolean;
    /** Shared secret for adapters that verify request signatures. */
    secret?: string;
    /** Recover an alert of this integration that has had no event for `after` (sources that never send a recovery); false turns off the adapter's default (its manifest's auto_resolve). */
    auto_resolve?:
      | false
      | {
          after: Duration;
        };
    rate_limit?: RateLimit;
    /** Shared integration: routing cases naming the channels of each event. Exclusive with channel. */
    routes?: Routes;
    default_channels?: DefaultChannels;
    enrich?: EnrichRule[];
    pipeline?: Pipeline;
    /** change-jira integrations: how Jira statuses map to change statuses. */
    jira?: {
      /** Jira status name (case-insensitive) → change status; merged over the defaults (To Do → Planned, Selected for Development → Ready, In Progress → Processing, Done → Done, Won't Do → Canceled, …). */
      status_map?: Record<string, ChangeStatus>;
    };
    email?: EmailMailbox;
  }[];
  /** Change events next to incidents. */
  changes?: {
    /** How long before an incident's start a change may have caused it. Default 2h. */
    correlation_window?: Duration;
  };
  /** Sources that must check in: a missed ping opens a Critical alert through the normal pipeline; the next ping closes it. */
  heartbeats?: {
    id: Id;
    name?: string;
    /** The channel the missed-heartbeat alert goes to. */
    channel: Id;
    /** Expected time between two pings. */
    interval: Duration;
    /** Extra time before a late ping counts as missed. Default 0s. */
    grace?: Duration;
    /** The integration_key of its ping URL. */
    key: string;
    labels?: Record<string, string>;
    /** Any event of this integration counts as a ping (e.g. Alertmanager's Watchdog). */
    integration?: Id;
    /** With integration: only events whose labels have these values count (e.g. alertname: Watchdog). */
    match?: Record<string, string>;
    /** false: no checks, pings answered 403. Default true. */
    enabled?: boolean;
  }[];
  /** The SMTP listener of email integrations (adapter: email); off when absent. Read at start (a reload keeps the listener, and takes new mailboxes). */
  smtp?: {
    /** TCP port, e.g. 2525 (0: any free port). */
    listen: number;
    /** Interface to listen on. Default 0.0.0.0. */
    host?: string;
    /** Mail domain: an email integration receives mail at <prefix>@<domain>. */
    domain: string;
    /** Largest accepted mail: bytes, or a size such as 512kb or 5mb. Default 5mb. */
    max_size?: number | string;
    /** Offer STARTTLS with this certificate: PEM text or the path of a PEM file. */
    tls?: {
      key: string;
      cert: string;
    };
    /** Require SMTP AUTH (PLAIN, LOGIN) with these credentials; after STARTTLS when tls is set. */
    auth?: {
      username: string;
      password: string;
    };
  };
  /** How long stored data is kept; a periodic job of the worker removes what is older, in small batches. 0 or off keeps a kind forever. */
  retention?: {
    /** Stored events and their traces, by receive time. Default 30d. Events of open alerts and incidents are kept. */
    events?: RetentionAge;
    /** Incidents closed longer ago than this, with their alerts, timeline and events; also closed alerts that never had an incident. Default 180d. */
    closed_incidents?: RetentionAge;
    /** Rejected adapter payloads, by receive time. Default 7d. */
    rejected_payloads?: RetentionAge;
    /** Outbound delivery log. Default 30d. */
    deliveries?: RetentionAge;
    /** How often the retention job runs (one run per period however many workers). Default 10m. */
    interval?: string;
    /** Per integration: at most this many rejected payloads and bytes are kept; the oldest go first. */
    rejected_payloads_cap?: {
      /** Default 1000. */
      count?: number;
      /** Default 16mb. */
      bytes?: number | string;
    };
  };
  /** Outbound webhook receivers: incidents and alerts sent, signed and retried, to chat, on-call tools or your own system. */
  webhooks?: {
    id: Id;
    /** Where deliveries are POSTed (http or https). */
    url: string;
    /** Body format. Default alertgate (Flashduty's webhook body). */
    format?: 'alertgate' | 'slack' | 'teams' | 'feishu' | 'dingtalk' | 'wecom' | 'pagerduty' | 'opsgenie' | 'flashduty';
    /** HMAC-SHA256 key of the X-Alertgate-Signature header; feishu/dingtalk: the bot's signing secret. */
    secret?: string;
    /** Event types sent. Default: every incident event type (alert events are opt-in). */
    events?: (
      | 'a_new'
      | 'a_update'
      | 'a_merge'
      | 'a_close'
      | 'i_new'
      | 'i_ack'
      | 'i_unack'
      | 'i_rslv'
      | 'i_reopen'
      | 'i_storm'
      | 'i_m_flapping'
      | 'i_repeat'
    )[];
    /** Channels whose changes are sent. Default: all. */
    channels?: Id[];
    /** JSONata expression over the webhook body that produces the JSON body sent. */
    template?: string;
    /** Extra request headers. */
    headers?: Record<string, string>;
    /** Per-attempt timeout. Default 5s. */
    timeout?: Duration;
    /** Attempts before a delivery is dead. Default 30 (about 24 h of backoff). */
    max_attempts?: number;
    /** Requests in flight to this receiver at once. Default 4. */
    concurrency?: number;
    /** PagerDuty Events API v2 routing key (format pagerduty). */
    routing_key?: string;
    /** Opsgenie API key (format opsgenie). */
    api_key?: string;
    /** Allow URLs resolving to link-local and cloud metadata addresses (169.254.0.0/16, fe80::/10, fd00:ec2::254). Default false. */
    allow_private_network?: boolean;
  }[];
  /** Serve the web console at / (default true); false leaves only the push endpoints and the API. */
  console?: boolean;
}

export type Id = string;

export interface RateLimit {
  per_second?: number;
  per_minute?: number;
  /** Most alerts (events) per second, counted per accepted payload; a payload larger than the whole budget is accepted only into an empty second. None by default. */
  alerts_per_second?: number;
  /** Most body bytes per second (bytes, or a size such as 512kb or 1mb), counted per accepted payload; a payload larger than the whole budget is accepted only into an empty second. None by default. */
  bytes_per_second?: number | string;
}

export type ChangeStatus = 'Planned' | 'Ready' | 'Processing' | 'Canceled' | 'Done';

/** The built-in adapters of change events (POST /event/push/change/<adapter>). */
export type ChangeAdapter = 'change-standard' | 'change-jira';

/** The mailbox of an email integration and how its mail becomes events. */
export interface EmailMailbox {
  /** Local part of the address <prefix>@<smtp.domain>: lowercase letters, digits and -; unique. */
  prefix: string;
  /** new_alert (default): one alert per mail; by_subject: trigger or update the alert of the same subject; rules: trigger or close by rules. */
  mode?: 'new_alert' | 'by_subject' | 'rules';
  rules?: EmailRule[];
  /** mode rules: drop a mail no rule matches (default false: a Warning keyed by its subject). */
  discard_unmatched?: boolean;
}

/** First matching rule wins; every regex given must match (RE2 syntax, contains semantics). */
export interface EmailRule {
  subject?: string;
  /** Matched against the first 4096 characters of the text body. */
  body?: string;
  from?: string;
  status: 'Critical' | 'Warning' | 'Info' | 'Ok';
  /** Regex searched in the subject, then the body; its named (else first) capture group is the alert key. No match: the subject. */
  alert_key?: string;
}

/** An age such as 12h, 30d or 2w; 0 or off keeps forever. */
export type RetentionAge = string | number;

/** The type of each definition of schemas/config.schema.json, by its name there. */
export interface Definitions {
  id: Id;
  rateLimit: RateLimit;
  changeStatus: ChangeStatus;
  changeAdapter: ChangeAdapter;
  emailMailbox: EmailMailbox;
  emailRule: EmailRule;
  retentionAge: RetentionAge;
}
