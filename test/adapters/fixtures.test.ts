import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  fixtureMappingLimits,
  fixtureMismatch,
  loadFixtures,
  runFixture,
  sortKeys,
  writeExpected,
  type Fixture,
  type FixtureOutcome,
} from '../../src/adapters/fixtures.js';
import { AdapterRegistry, type LoadedAdapter } from '../../src/adapters/registry.js';
import { startFixtureGateway, type FixtureGateway } from '../../src/fixture-gateway.js';
import { createLogger } from '../../src/observability/logger.js';
import { adaptersDir } from '../../src/paths.js';
import { redisUrl } from '../support/stack.js';

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
  let gateway: FixtureGateway;
  before(async () => {
    gateway = await startFixtureGateway(registry, redisUrl, createLogger('silent'));
  });
  after(() => gateway.close());

  for (const { adapter, fixture } of cases) {
    test(`${adapter.name}/${fixture.name}`, async () => {
      const { status, outcome, fetchedUrls } = await gateway.send(adapter, fixture);
      assert.ok(status === 200 || 'error' in outcome, `status ${status}`);
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
