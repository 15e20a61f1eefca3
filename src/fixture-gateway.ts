import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixtureHttpRequest, type FixtureSigning } from './adapters/fixture-request.js';
import { fixtureDefaults, projectEvent, type Fixture, type FixtureOutcome } from './adapters/fixtures.js';
import type { AdapterRegistry, LoadedAdapter } from './adapters/registry.js';
import { makeSnsSigningPair } from './adapters/sns-fixture-signing.js';
import { buildConfig } from './config/load-config.js';
import { createApp } from './http/app.js';
import type { Logger } from './observability/logger.js';
import { createMetrics } from './observability/metrics.js';
import { createIngestQueue, IngestProducer } from './queue/ingest-queue.js';
import { createProducerConnection } from './queue/redis.js';
import { migrateToLatest, openDatabase } from './store/database.js';

/** What one fixture did at the real endpoint. */
export interface FixtureHttpResult {
  status: number;
  outcome: FixtureOutcome;
  /** SNS SubscribeURLs the gateway fetched for this request. */
  fetchedUrls: string[];
}

/** A gateway on a loopback port, with a temporary store and its own Redis prefix, that fixtures are pushed to. */
export interface FixtureGateway {
  baseUrl: string;
  send(adapter: LoadedAdapter, fixture: Fixture): Promise<FixtureHttpResult>;
  close(): Promise<void>;
}

const integrationKey = 'fixture-key-0001';

/**
 * Composition root of `alertgate adapter test --http` and of the fixture test: the real express app, body parsing,
 * signature checks and ingest queue, with the fixture's `received_at` as the clock. Accepted events are read back from
 * the queue (no worker runs); everything it made is removed by `close`. `logger` is its caller's.
 */
export async function startFixtureGateway(
  adapters: AdapterRegistry,
  redisUrl: string,
  logger: Logger,
): Promise<FixtureGateway> {
  const sns = makeSnsSigningPair();
  const signing: FixtureSigning = { secret: 'fixture-secret', snsKeyPem: sns.keyPem };
  const dir = mkdtempSync(join(tmpdir(), 'alertgate-fixtures-'));
  const store = openDatabase(`sqlite:${join(dir, 'fixtures.db')}`);
  await migrateToLatest(store);
  const prefix = `alertgate-fixtures-${randomBytes(5).toString('hex')}`;
  const redis = createProducerConnection({ url: redisUrl, prefix });
  redis.on('error', () => undefined);
  await redis.connect();
  const queue = createIngestQueue(redis, prefix);
  let now: number = fixtureDefaults.receivedAt;
  let fetchedUrls: string[] = [];
  const integration = (adapter: string) => ({
    id: fixtureDefaults.integrationId,
    name: fixtureDefaults.integrationName,
    adapter,
    key: integrationKey,
    channel: 'fixtures',
    secret: signing.secret,
    rate_limit: { per_second: 1_000_000, per_minute: 10_000_000 },
  });
  const configFor = (adapter: string) =>
    buildConfig({ channels: [{ id: 'fixtures' }], integrations: [integration(adapter)] }, 'fixtures', {});
  const gateway = createApp({
    config: configFor('standard'),
    store,
    redis,
    redisPrefix: prefix,
    queue,
    producer: new IngestProducer(queue, redis),
    logger,
    metrics: createMetrics(),
    adminToken: randomBytes(16).toString('hex'),
    publicUrl: 'http://127.0.0.1',
    clock: () => now,
    adapters,
    fetchCertificate: async () => sns.certPem,
    fetchUrl: async (url) => void fetchedUrls.push(url),
  });
  const server = await new Promise<Server>((resolve) => {
    const listening = gateway.app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  async function queuedEvents(requestId: string) {
    const jobs = await queue.getJobs(['waiting', 'prioritized', 'delayed'], 0, -1, true);
    return jobs
      .flatMap((job) => job.data.events)
      .filter((event) => event.request_id === requestId)
      .sort((a, b) => a.seq - b.seq);
  }

  return {
    baseUrl,
    async send(adapter, fixture) {
      gateway.setConfig(configFor(adapter.name));
      now = fixture.input.received_at ?? fixtureDefaults.receivedAt;
      fetchedUrls = [];
      const { url, init } = fixtureHttpRequest(adapter, fixture, { baseUrl, integrationKey }, signing);
      const response = await fetch(url, init);
      const answer = (await response.json()) as { request_id: string; error?: { code: string; message: string } };
      const outcome: FixtureOutcome = answer.error
        ? { error: { status: response.status, code: answer.error.code, message: answer.error.message } }
        : { events: (await queuedEvents(answer.request_id)).map(projectEvent) };
      return { status: response.status, outcome, fetchedUrls };
    },
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await queue.obliterate({ force: true }).catch(() => undefined);
      await queue.close();
      redis.disconnect();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
