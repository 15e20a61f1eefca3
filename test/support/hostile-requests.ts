import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { adaptersDir } from '../../src/paths.js';

/*
 * Seeded hostile HTTP requests for the gateway: real payloads (the adapters' fixtures and standard events) mutated
 * with what breaks parsers and stores (deep nesting, huge and odd numbers, NUL and lone surrogates, `__proto__` keys,
 * wrong types, very long strings, truncated JSON, random bytes), sent to every route with wrong content types,
 * methods, keys and escapes. The same seed gives the same requests.
 */

/** A small, fast PRNG (mulberry32): reproducible runs from a seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface HostileRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
  /** What the mutation was, for reports. */
  kind: string;
}

export interface HostileTargets {
  /** Integration key per adapter name (`standard` included); an adapter without one is pushed with a wrong key. */
  keys: Record<string, string>;
  adminToken: string;
}

const hostileStrings = [
  '',
  '\u0000',
  'a\u0000b',
  '\ud800',
  '\udfff\ud800',
  '💥'.repeat(300),
  'x'.repeat(70_000),
  '{{.Labels.__proto__}}',
  '[TPL]${__proto__}{{index .Labels "constructor"}}',
  '$a::$b::$c::$d',
  '%FF%00%',
  '<script>alert(1)</script>',
  "'; drop table events; --",
  '../../../../etc/passwd',
  '1e400',
  '-0',
  'NaN',
  'Infinity',
  '9'.repeat(400),
  '\r\nX-Injected: 1',
];

const hostileNumbers = [
  0,
  -1,
  -1e308,
  1e308,
  1.7976931348623157e308,
  1e25,
  2 ** 53 + 1,
  0.1,
  -0,
  4294967296,
  1e-320,
  253_402_300_800_000,
];

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}

function deepNest(depth: number, asArray: boolean): string {
  return asArray ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
}

function hostileValue(random: () => number, depth = 0): unknown {
  const roll = random();
  if (roll < 0.3) return pick(random, hostileStrings);
  if (roll < 0.5) return pick(random, hostileNumbers);
  if (roll < 0.55) return null;
  if (roll < 0.6) return random() < 0.5;
  if (roll < 0.7 && depth < 4)
    return Array.from({ length: Math.floor(random() * 4) }, () => hostileValue(random, depth + 1));
  if (roll < 0.85 && depth < 4) {
    const object: Record<string, unknown> = {};
    for (let i = 0; i < 3; i += 1)
      Object.defineProperty(
        object,
        pick(random, ['__proto__', 'constructor', 'prototype', 'title', 'labels', 'x y', '']),
        { value: hostileValue(random, depth + 1), enumerable: true, configurable: true, writable: true },
      );
    return object;
  }
  return Array.from({ length: 60 }, (_, i) => [`k${i}`, i]).reduce<Record<string, unknown>>(
    (all, [key, value]) => ({ ...all, [key as string]: value }),
    {},
  );
}

/** Replaces values at random places of a real payload. */
function mutate(random: () => number, value: unknown, rate: number): unknown {
  if (random() < rate) return hostileValue(random);
  if (Array.isArray(value)) return value.map((item) => mutate(random, item, rate));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) {
      const name = random() < rate / 3 ? pick(random, ['__proto__', 'constructor', key + '\u0000', '']) : key;
      Object.defineProperty(out, name, {
        value: mutate(random, inner, rate),
        enumerable: true,
        configurable: true,
        writable: true,
      });
    }
    return out;
  }
  return value;
}

interface Seed {
  adapter: string;
  body: unknown;
}

/** Real payloads: every adapter fixture's body, and a few standard events. */
export function loadSeeds(): Seed[] {
  const seeds: Seed[] = [
    {
      adapter: 'standard',
      body: {
        title_rule: '$resource::cpu idle low',
        event_status: 'Critical',
        alert_key: 'cpu-db1',
        description: 'idle 3%',
        labels: { resource: 'db1', service: 'checkout' },
      },
    },
    {
      adapter: 'standard',
      body: [
        { title_rule: 'a', event_status: 'Ok', alert_key: 'k' },
        { title: 'b', event_status: 'Info', event_time: 1767225600 },
      ],
    },
  ];
  for (const name of readdirSync(adaptersDir)) {
    const fixtures = join(adaptersDir, name, 'fixtures');
    if (!existsSync(fixtures)) continue;
    for (const file of readdirSync(fixtures).filter((entry) => entry.endsWith('.input.json'))) {
      const input = JSON.parse(readFileSync(join(fixtures, file), 'utf8')) as { body?: unknown; raw_body?: string };
      seeds.push({ adapter: name, body: input.raw_body ?? input.body ?? {} });
    }
  }
  return seeds;
}

const contentTypes = [
  'application/json',
  'application/json; charset=utf-8',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
  'application/json; charset=latin1',
  '',
  'application/json; charset=utf-16',
];
const methods = ['POST', 'POST', 'POST', 'POST', 'GET', 'PUT', 'DELETE', 'PATCH'];

/** Percent-encodes; a lone surrogate (which encodeURIComponent refuses) goes as the bytes of an invalid UTF-8 sequence. */
function encode(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return '%ED%A0%80';
  }
}

function pushPath(adapter: string): string {
  return `/event/push/alert/${adapter}`;
}

/** One hostile request. */
export function hostileRequest(random: () => number, seeds: readonly Seed[], targets: HostileTargets): HostileRequest {
  const seed = pick(random, seeds);
  const key = targets.keys[seed.adapter] ?? 'no-such-key-0001';
  const roll = random();
  let kind: string;
  let body: string | Uint8Array;
  if (roll < 0.45) {
    kind = 'mutated';
    body = JSON.stringify(mutate(random, seed.body, 0.15));
  } else if (roll < 0.55) {
    kind = 'deep';
    body = deepNest(pick(random, [127, 129, 1000, 5000, 20000]), random() < 0.5);
  } else if (roll < 0.63) {
    kind = 'truncated';
    const text = JSON.stringify(seed.body);
    body = text.slice(0, Math.floor(random() * text.length));
  } else if (roll < 0.7) {
    kind = 'bytes';
    body = Uint8Array.from({ length: Math.floor(random() * 2048) }, () => Math.floor(random() * 256));
  } else if (roll < 0.78) {
    kind = 'wrong-type';
    body = JSON.stringify(
      pick(random, [
        [],
        [[]],
        'text',
        42,
        null,
        true,
        [null],
        Array.from({ length: 101 }, () => ({ title_rule: 't', event_status: 'Info' })),
      ]),
    );
  } else {
    kind = 'valid';
    body = typeof seed.body === 'string' ? seed.body : JSON.stringify(seed.body);
  }
  const routeRoll = random();
  let path: string;
  const headers: Record<string, string> = {};
  if (routeRoll < 0.7) {
    const query = [`integration_key=${encode(random() < 0.9 ? key : pick(random, hostileStrings))}`];
    if (random() < 0.15) query.push(`severity=${encode(pick(random, ['Critical', 'info', '', 'Ok', '\u0000']))}`);
    if (random() < 0.15) query.push(`title_rule=${encode(pick(random, hostileStrings))}`);
    path = `${pushPath(random() < 0.95 ? seed.adapter : pick(random, ['prometheus', 'standard', 'nope', '..%2F..', '%FF']))}?${query.join('&')}`;
  } else if (routeRoll < 0.8) {
    path = pick(random, [
      '/v2/enqueue',
      '/generic/2010-04-15/create_event.json',
      '/v2/alerts',
      `/v2/alerts/${encode(pick(random, hostileStrings).slice(0, 200))}/close?identifierType=alias`,
    ]);
    if (random() < 0.8) headers.authorization = `GenieKey ${targets.keys.opsgenie ?? key}`;
  } else if (routeRoll < 0.95) {
    path = pick(random, [
      '/api/v1/incidents?limit=abc&cursor=%FF',
      '/api/v1/events/%FF',
      '/api/v1/alerts?state=x',
      '/api/v1/rules/dry-run',
      '/api/v1/adapters/prometheus/preview',
      '/api/v1/channels/ops/silences',
      '/api/v1/integrations/std/rejected/replay',
      `/api/v1/incidents/${encode(pick(random, hostileStrings).slice(0, 100))}/ack`,
    ]);
    if (random() < 0.8) headers.authorization = `Bearer ${targets.adminToken}`;
  } else {
    path = pick(random, [
      '/',
      '/%',
      '/%FF%FE',
      '/event/push/alert/',
      '/readyz',
      '/metrics',
      '/api/v1/openapi.json',
      '//event/push/alert/standard',
    ]);
  }
  const contentType = random() < 0.75 ? 'application/json' : pick(random, contentTypes);
  if (contentType !== '') headers['content-type'] = contentType;
  const method = random() < 0.85 ? 'POST' : pick(random, methods);
  return { method, path, headers, ...(method !== 'GET' && method !== 'DELETE' && { body }), kind };
}

export interface HostileLoadResult {
  sent: number;
  byStatus: Record<string, number>;
  /** Requests the client itself could not send (e.g. a header value fetch refuses). */
  unsendable: number;
  /** Answers 5xx other than 503, with what caused them. */
  serverErrors: Array<{ status: number; kind: string; method: string; path: string; body: string }>;
}

/** Sends `count` seeded hostile requests to `baseUrl` with `concurrency` in flight; `onProgress` sees the count sent. */
export async function sendHostileRequests(
  baseUrl: string,
  targets: HostileTargets,
  options: { count: number; seed: number; concurrency?: number; onProgress?: (sent: number) => void | Promise<void> },
): Promise<HostileLoadResult> {
  const random = seededRandom(options.seed);
  const seeds = loadSeeds();
  const result: HostileLoadResult = { sent: 0, byStatus: {}, unsendable: 0, serverErrors: [] };
  let next = 0;
  const worker = async () => {
    while (next < options.count) {
      next += 1;
      const request = hostileRequest(random, seeds, targets);
      let status: number;
      try {
        const response = await fetch(baseUrl + request.path, {
          method: request.method,
          headers: request.headers,
          ...(request.body !== undefined && { body: request.body }),
        });
        status = response.status;
        const text = await response.text();
        if (status >= 500 && status !== 503) {
          const body =
            typeof request.body === 'string' ? request.body.slice(0, 300) : `<${request.body?.length ?? 0} bytes>`;
          result.serverErrors.push({
            status,
            kind: request.kind,
            method: request.method,
            path: request.path.slice(0, 200),
            body: `${body} → ${text.slice(0, 300)}`,
          });
        }
      } catch {
        result.unsendable += 1;
        continue;
      } finally {
        result.sent += 1;
      }
      result.byStatus[status] = (result.byStatus[status] ?? 0) + 1;
      if (result.sent % 1000 === 0) await options.onProgress?.(result.sent);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 32 }, worker));
  return result;
}

/** An alertgate.yaml with one integration per adapter (and the standard one), keys `hostile-<name>-key`, no rate limit to speak of. */
export function hostileConfig(): { file: Record<string, unknown>; keys: Record<string, string> } {
  const names = [
    'standard',
    ...readdirSync(adaptersDir).filter((name) => existsSync(join(adaptersDir, name, 'manifest.json'))),
  ];
  const keys = Object.fromEntries(names.map((name) => [name, `hostile-${name}-key`]));
  const integrations = names.map((name) => ({
    id: `i-${name}`,
    name,
    adapter: name,
    key: keys[name],
    channel: 'ops',
    rate_limit: { per_second: 1_000_000, per_minute: 60_000_000 },
  }));
  return { file: { channels: [{ id: 'ops', name: 'Operations' }], integrations }, keys };
}
