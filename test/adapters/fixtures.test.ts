import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  fixtureDefaults,
  fixtureMappingLimits,
  fixtureMismatch,
  loadFixtures,
  projectEvent,
  runFixture,
  sortKeys,
  writeExpected,
  type Fixture,
  type FixtureOutcome,
} from '../../src/adapters/fixtures.js';
import { AdapterRegistry, type LoadedAdapter } from '../../src/adapters/registry.js';
import { requestFromSample } from '../../src/adapters/sample-request.js';
import { buildConfig } from '../../src/config/load-config.js';
import { adaptersDir } from '../../src/paths.js';
import { queuedEventsOf } from '../support/queued.js';
import { isSnsMessage, makeSnsSigningPair, signSnsMessage } from '../support/sns-signing.js';
import { startStack, type Stack } from '../support/stack.js';

/*
 * One generic runner for every adapter fixture (adapters/README.md): each case through the transform path (what
 * `alertgate adapter test` runs) and through the real endpoint (HTTP, Redis; the queued events are read back).
 * UPDATE_FIXTURES=1 rewrites the expected files from the transform path; review the diff.
 */

const registry = AdapterRegistry.load({ limits: fixtureMappingLimits });
const update = process.env.UPDATE_FIXTURES === '1';
const cases: Array<{ adapter: LoadedAdapter; fixture: Fixture }> = registry
  .list()
  .flatMap((adapter) => loadFixtures(adapter.name, adapter.dir).map((fixture) => ({ adapter, fixture })));

function assertOutcome(fixture: Fixture, outcome: FixtureOutcome): void {
  const mismatch = fixtureMismatch(fixture, outcome);
  if (mismatch)
    assert.deepStrictEqual(
      sortKeys(mismatch.actual),
      sortKeys(mismatch.expected),
      `${fixture.adapter}/${fixture.name} differs from ${fixture.expectedFile}`,
    );
}

describe('adapter fixtures: transform path', () => {
  for (const { adapter, fixture } of cases) {
    test(`${adapter.name}/${fixture.name}`, async () => {
      const outcome = await runFixture(adapter, fixture);
      if (update) writeExpected(fixture, outcome);
      else assertOutcome(fixture, outcome);
    });
  }
});

describe('adapter fixtures: real HTTP endpoint', () => {
  const key = 'fixture-key-0001';
  const secret = 'fixture-secret';
  const sns = makeSnsSigningPair();
  const fetchedUrls: string[] = [];
  let now: number = fixtureDefaults.receivedAt;
  let stack: Stack;
  before(async () => {
    stack = await startStack({
      store: 'sqlite',
      worker: false,
      clock: () => now,
      app: {
        adapters: registry,
        fetchCertificate: async () => sns.certPem,
        fetchUrl: async (url) => void fetchedUrls.push(url),
      },
    });
  });
  after(() => stack.close());

  /** One integration, id `fixture`, switched to the adapter under test (derived alert_keys depend on the id). */
  function useAdapter(adapter: LoadedAdapter): void {
    const integration = {
      id: fixtureDefaults.integrationId,
      name: fixtureDefaults.integrationName,
      adapter: adapter.name,
      key,
      channel: 'ops',
      secret,
      rate_limit: { per_second: 1_000_000, per_minute: 10_000_000 },
    };
    stack.gateway.setConfig(buildConfig({ channels: [{ id: 'ops' }], integrations: [integration] }, 'test', {}));
  }

  /** The fixture as an HTTP request; SNS messages re-signed with the test key, HMAC adapters signed with the secret. */
  function httpRequest(adapter: LoadedAdapter, fixture: Fixture): { url: string; init: RequestInit } {
    const sample = { ...fixture.input };
    if (adapter.manifest.signature?.type === 'aws-sns' && isSnsMessage(sample.body)) {
      sample.body = signSnsMessage(sample.body, sns.keyPem);
      delete sample.raw_body;
    }
    const request = requestFromSample(sample, adapter.manifest);
    const headers: Record<string, string> = { ...request.headers };
    delete headers['content-type'];
    delete headers['content-length'];
    if (request.contentType !== undefined) headers['content-type'] = request.contentType;
    const signature = adapter.manifest.signature;
    if (signature?.type === 'hmac-sha256')
      headers[signature.header] =
        (signature.prefix ?? '') + createHmac('sha256', secret).update(request.rawBody).digest(signature.encoding);
    const query = new URLSearchParams({ ...request.query, integration_key: key });
    const body = request.method === 'GET' ? undefined : new Uint8Array(request.rawBody);
    return {
      url: `${stack.baseUrl}/event/push/alert/${adapter.name}?${query}`,
      init: { method: request.method, headers, ...(body && { body }) },
    };
  }

  for (const { adapter, fixture } of cases) {
    test(`${adapter.name}/${fixture.name}`, async () => {
      useAdapter(adapter);
      now = fixture.input.received_at ?? fixtureDefaults.receivedAt;
      fetchedUrls.length = 0;
      const { url, init } = httpRequest(adapter, fixture);
      const response = await fetch(url, init);
      const answer = (await response.json()) as { request_id: string; error?: { code: string; message: string } };
      const outcome: FixtureOutcome = answer.error
        ? { error: { status: response.status, code: answer.error.code, message: answer.error.message } }
        : { events: (await queuedEventsOf(stack, answer.request_id)).map(projectEvent) };
      assert.ok(response.status === 200 || answer.error, `status ${response.status}`);
      assertOutcome(fixture, outcome);
      const body = fixture.input.body as { Type?: string; SubscribeURL?: string } | undefined;
      if (adapter.manifest.signature?.type === 'aws-sns' && body?.Type === 'SubscriptionConfirmation')
        assert.deepEqual(fetchedUrls, [body.SubscribeURL]);
      else assert.deepEqual(fetchedUrls, [], 'only a SubscriptionConfirmation fetches anything');
    });
  }
});

describe('adapter meta-test', () => {
  const folders = readdirSync(adaptersDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name);

  test('every folder of adapters/ is a loaded adapter (manifest valid, mapping compiles)', () => {
    assert.deepEqual(registry.broken, []);
    assert.deepEqual(folders.sort(), registry.names());
  });

  for (const adapter of registry.list()) {
    test(`${adapter.name} has a firing, a resolved and a malformed fixture`, () => {
      const expectations = loadFixtures(adapter.name, adapter.dir).map((fixture) => fixture.expected);
      const events = expectations.flatMap((expected) => (expected && 'events' in expected ? expected.events : []));
      assert.ok(
        events.some((event) => event.event_status !== 'Ok'),
        'a fixture whose events fire (status other than Ok)',
      );
      assert.ok(
        events.some((event) => event.event_status === 'Ok'),
        'a fixture whose events resolve (status Ok)',
      );
      assert.ok(
        expectations.some((expected) => expected && 'error' in expected),
        'a malformed fixture (<case>.expected-error.json)',
      );
    });

    test(`${adapter.name}: every input has one expected file and every expected file an input`, () => {
      const dir = join(adapter.dir, 'fixtures');
      const files = readdirSync(dir);
      for (const file of files) {
        const match = /^(.+)\.(input|expected|expected-error)\.json$/.exec(file);
        assert.ok(
          match,
          `${adapter.name}/fixtures/${file}: not <case>.input.json, <case>.expected.json or <case>.expected-error.json`,
        );
        const expectedFiles = ['expected', 'expected-error'].filter((kind) =>
          files.includes(`${match[1]}.${kind}.json`),
        );
        if (match[2] === 'input')
          assert.equal(expectedFiles.length, 1, `${adapter.name}/fixtures/${file}: needs exactly one expected file`);
        else assert.ok(files.includes(`${match[1]}.input.json`), `${adapter.name}/fixtures/${file}: has no input`);
      }
    });

    test(`${adapter.name}: the mapping uses no clock or randomness`, () => {
      const source = readFileSync(join(adapter.dir, 'mapping.jsonata'), 'utf8');
      for (const banned of ['$now(', '$millis(', '$random('])
        assert.ok(!source.includes(banned), `${adapter.name}/mapping.jsonata uses ${banned}`);
    });
  }

  test('every fixtures folder belongs to an adapter', () => {
    const orphans = folders.filter(
      (name) => existsSync(join(adaptersDir, name, 'fixtures')) && registry.get(name) === undefined,
    );
    assert.deepEqual(orphans, []);
  });
});
