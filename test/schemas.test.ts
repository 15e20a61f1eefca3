import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { AdapterContentType, AdapterManifest, AdapterMethod } from '../src/adapters/manifest.js';
import type {
  ChannelConfig,
  ConfigFile,
  WebhookConfig,
  DefaultsConfig,
  IntegrationConfig,
  RateLimitConfig,
} from '../src/config/types.js';
import { buildConfig } from '../src/config/load-config.js';
import { eventStatuses, type AlertImage, type StandardAlertInput } from '../src/events/types.js';
import { validateStandardAlert } from '../src/schemas.js';
import { schemasDir } from '../src/paths.js';

interface JsonSchema {
  properties?: Record<string, JsonSchema & { enum?: string[] }>;
  items?: JsonSchema & { enum?: string[] };
  definitions?: Record<string, JsonSchema>;
  $ref?: string;
}

const load = (name: string): JsonSchema => JSON.parse(readFileSync(join(schemasDir, name), 'utf8')) as JsonSchema;

// Compile-time half of the proof: each record must name every key of its type, and only those.
const standardKeys: Record<keyof StandardAlertInput, true> = {
  title_rule: true,
  title: true,
  event_status: true,
  alert_key: true,
  description: true,
  labels: true,
  images: true,
  event_time: true,
};
const imageKeys: Record<keyof AlertImage, true> = { alt: true, src: true, href: true };
const configKeys: Record<keyof ConfigFile, true> = {
  defaults: true,
  console: true,
  channels: true,
  integrations: true,
  changes: true,
  heartbeats: true,
  smtp: true,
  retention: true,
  webhooks: true,
};
const webhookKeys: Record<keyof WebhookConfig, true> = {
  id: true,
  url: true,
  format: true,
  secret: true,
  events: true,
  channels: true,
  template: true,
  headers: true,
  timeout: true,
  max_attempts: true,
  concurrency: true,
  routing_key: true,
  api_key: true,
  allow_private_network: true,
};
const defaultsKeys: Record<keyof DefaultsConfig, true> = { payload_limit: true, rate_limit: true, event_time: true };
const channelKeys: Record<keyof ChannelConfig, true> = {
  id: true,
  name: true,
  description: true,
  auto_close: true,
  grouping: true,
  storm_thresholds: true,
  flapping: true,
  auto_resolve: true,
  drop: true,
  silences: true,
  inhibitions: true,
  notify: true,
};
const integrationKeys: Record<keyof IntegrationConfig, true> = {
  id: true,
  name: true,
  adapter: true,
  key: true,
  channel: true,
  routes: true,
  default_channels: true,
  enrich: true,
  pipeline: true,
  enabled: true,
  secret: true,
  rate_limit: true,
  auto_resolve: true,
  jira: true,
  email: true,
};
const rateLimitKeys: Record<keyof RateLimitConfig, true> = {
  per_second: true,
  per_minute: true,
  alerts_per_second: true,
  bytes_per_second: true,
};
const manifestKeys: Record<keyof AdapterManifest, true> = {
  name: true,
  title: true,
  vendor_docs: true,
  content_types: true,
  methods: true,
  alert_key: true,
  multipart_field: true,
  signature: true,
  throttle_status: true,
  payload_query_params: true,
  auto_resolve: true,
};
const contentTypes: Record<AdapterContentType, true> = {
  'application/json': true,
  'text/plain': true,
  'application/x-www-form-urlencoded': true,
  'multipart/form-data': true,
};
const methods: Record<AdapterMethod, true> = { POST: true, PUT: true, GET: true };

const keys = (record: object): string[] => Object.keys(record).sort();
const schemaKeys = (schema: JsonSchema | undefined): string[] => Object.keys(schema?.properties ?? {}).sort();

test('standard event schema and StandardAlertInput name the same fields and statuses', () => {
  const schema = load('standard-alert.schema.json');
  assert.deepEqual(schemaKeys(schema), keys(standardKeys));
  assert.deepEqual(schemaKeys(schema.properties?.images?.items), keys(imageKeys));
  assert.deepEqual(schema.properties?.event_status.enum, [...eventStatuses]);
});

test('a fully populated StandardAlertInput validates', () => {
  const full: StandardAlertInput = {
    title_rule: 't',
    title: 't',
    event_status: 'Warning',
    alert_key: 'k',
    description: 'd',
    labels: { a: 'b' },
    images: [{ alt: 'a', src: 'https://x', href: 'https://y' }],
    event_time: 1,
  };
  assert.equal(validateStandardAlert(full), true, JSON.stringify(validateStandardAlert.errors));
});

test('config schema and ConfigFile types name the same fields', () => {
  const schema = load('config.schema.json');
  assert.deepEqual(schemaKeys(schema), keys(configKeys));
  assert.deepEqual(schemaKeys(schema.properties?.defaults), keys(defaultsKeys));
  assert.deepEqual(schemaKeys(schema.properties?.channels?.items), keys(channelKeys));
  assert.deepEqual(schemaKeys(schema.properties?.integrations?.items), keys(integrationKeys));
  assert.deepEqual(schemaKeys(schema.definitions?.rateLimit), keys(rateLimitKeys));
  assert.deepEqual(schemaKeys(schema.properties?.webhooks?.items), keys(webhookKeys));
});

test('a fully populated ConfigFile validates', () => {
  const full: ConfigFile = {
    defaults: { payload_limit: '1mb', rate_limit: { per_second: 5, per_minute: 50 } },
    channels: [{ id: 'ops', name: 'Ops', description: 'd', auto_close: false }],
    integrations: [
      {
        id: 'i',
        name: 'I',
        adapter: 'standard',
        key: 'abcdefgh',
        channel: 'ops',
        enabled: true,
        secret: 's',
        rate_limit: { per_second: 1, per_minute: 2 },
      },
    ],
  };
  const config = buildConfig(full, 'test', {});
  assert.equal(config.integrations[0].rateLimit.perSecond, 1);
  assert.equal(config.channels[0].autoClose, false);
});

test('adapter manifest schema and AdapterManifest name the same fields, body types and methods', () => {
  const schema = load('adapter.schema.json');
  assert.deepEqual(schemaKeys(schema), keys(manifestKeys));
  assert.deepEqual([...(schema.properties?.content_types.items?.enum ?? [])].sort(), keys(contentTypes));
  assert.deepEqual([...(schema.properties?.methods.items?.enum ?? [])].sort(), keys(methods));
});
