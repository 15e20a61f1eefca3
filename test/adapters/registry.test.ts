import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { AdapterLoadError, AdapterRegistry } from '../../src/adapters/registry.js';
import { MappingError } from '../../src/adapters/mapping.js';
import { startMappingPool } from '../../src/adapters/mapping-pool.js';
import { adapterConfigWarnings } from '../../src/adapters/startup.js';
import { buildConfig } from '../../src/config/load-config.js';
import { manifestFor, tempAdaptersDir } from '../support/temp-adapters.js';

const goodMapping = '{ "title": body.title, "event_status": "Info" }';
const bindings = { receivedAt: 1767225600000, integration: { id: 'i', name: 'I' } };

function loadError(adapters: Parameters<typeof tempAdaptersDir>[0]): string {
  const temp = tempAdaptersDir(adapters);
  try {
    AdapterRegistry.load({ dir: temp.dir });
    assert.fail('the registry should refuse a broken adapter');
  } catch (error) {
    assert.ok(error instanceof AdapterLoadError, String(error));
    return error.message;
  } finally {
    temp.remove();
  }
}

describe('AdapterRegistry: loading', () => {
  test('a broken mapping names file, line, column and the JSONata error', () => {
    const message = loadError({
      ok: { manifest: manifestFor('ok'), mapping: goodMapping },
      broken: { manifest: manifestFor('broken'), mapping: '(\n  $a := 1;\n  { "title": $a ]\n)' },
    });
    assert.match(message, /adapters\/broken\/mapping\.jsonata:3:17: JSONata S0202: Expected "}", got "]"/);
    assert.doesNotMatch(message, /adapters\/ok/);
  });

  const manifestCases: Array<[string, string | Record<string, unknown>, RegExp]> = [
    [
      'a name that is not the folder name',
      manifestFor('other'),
      /manifest\.json: name: must equal the folder name "m", got "other"/,
    ],
    [
      'an unknown content type',
      manifestFor('m', { content_types: ['application/xml'] }),
      /manifest\.json: content_types\.0: must be one of application\/json, text\/plain/,
    ],
    ['a missing field', { name: 'm', title: 'x' }, /manifest\.json: vendor_docs: is required/],
    ['an unknown field', manifestFor('m', { colour: 'red' }), /manifest\.json: \(root\): unknown field "colour"/],
    [
      'multipart without multipart_field',
      manifestFor('m', { content_types: ['multipart/form-data'] }),
      /multipart_field: is required/,
    ],
    ['invalid JSON', '{\n  "name": "m",\n  "title": \n}', /manifest\.json: .*is not valid JSON/],
  ];
  for (const [name, manifest, expected] of manifestCases) {
    test(`a manifest with ${name} is refused`, () => {
      assert.match(loadError({ m: { manifest, mapping: goodMapping } }), expected);
    });
  }

  test('a folder without mapping.jsonata, and one named standard, are refused', () => {
    assert.match(loadError({ m: { manifest: manifestFor('m') } }), /adapters\/m\/mapping\.jsonata: missing/);
    assert.match(
      loadError({ standard: { manifest: manifestFor('standard'), mapping: goodMapping } }),
      /"standard" is reserved/,
    );
  });

  test('a mapping using the clock or randomness is refused', () => {
    assert.match(
      loadError({
        m: { manifest: manifestFor('m'), mapping: '{\n  "title": $string($millis()),\n  "event_status": "Info"\n}' },
      }),
      /adapters\/m\/mapping\.jsonata:2:20: \$millis\(\) is not allowed/,
    );
  });

  test('skipBroken disables broken adapters and reports them', () => {
    const temp = tempAdaptersDir({
      ok: { manifest: manifestFor('ok'), mapping: goodMapping },
      bad: { manifest: manifestFor('bad'), mapping: '{' },
    });
    after(() => temp.remove());
    const registry = AdapterRegistry.load({ dir: temp.dir, skipBroken: true });
    assert.deepEqual(registry.names(), ['ok']);
    assert.equal(registry.broken.length, 1);
    assert.equal(registry.broken[0].name, 'bad');
    assert.match(registry.broken[0].problems[0], /adapters\/bad\/mapping\.jsonata:1:1: JSONata S0/);
  });

  test('refresh adds, updates and removes adapters; a new version that does not load is refused, the old one serves', async () => {
    const temp = tempAdaptersDir({ a: { manifest: manifestFor('a'), mapping: goodMapping } });
    after(() => temp.remove());
    const registry = AdapterRegistry.load({ dir: temp.dir });
    const original = registry.get('a');
    temp.write('b', { manifest: manifestFor('b'), mapping: goodMapping });
    assert.deepEqual(await registry.refresh(), { added: ['b'], updated: [], removed: [], refused: [], broken: [] });
    assert.equal(registry.get('a'), original, 'an unchanged adapter keeps its compiled mapping');
    temp.write('a', { mapping: '{ "title": "fixed", "event_status": "Ok" }' });
    assert.deepEqual((await registry.refresh()).updated, ['a']);
    assert.match(registry.get('a')?.mapping.source ?? '', /fixed/);
    temp.write('a', { mapping: '{' });
    temp.write('c', { manifest: manifestFor('c'), mapping: '{' });
    const changes = await registry.refresh();
    assert.deepEqual(
      changes.refused.map((adapter) => adapter.name),
      ['a'],
    );
    assert.match(changes.refused[0].problems[0], /adapters\/a\/mapping\.jsonata:1:\d+: JSONata/);
    assert.deepEqual(
      changes.broken.map((adapter) => adapter.name),
      ['c'],
    );
    assert.match(registry.get('a')?.mapping.source ?? '', /fixed/, 'the previous version keeps serving');
    assert.deepEqual(registry.names(), ['a', 'b']);
    rmSync(join(temp.dir, 'b'), { recursive: true });
    assert.deepEqual((await registry.refresh()).removed, ['b']);
    assert.deepEqual(registry.names(), ['a']);
  });

  test('with a mapping pool, the threads evaluate the refreshed version', async () => {
    const temp = tempAdaptersDir({ a: { manifest: manifestFor('a'), mapping: goodMapping } });
    after(() => temp.remove());
    const registry = AdapterRegistry.load({ dir: temp.dir });
    const pool = await startMappingPool(1, { skipBroken: true });
    after(() => pool.close());
    registry.evaluateOn(pool);
    await registry.refresh();
    const evaluate = () => registry.get('a')!.mapping.evaluate({ body: { count: 1 } }, bindings);
    assert.deepEqual((await evaluate()).output, { event_status: 'Info' });
    temp.write('a', { mapping: '{ "title": "from the new version", "event_status": "Info" }' });
    assert.deepEqual((await registry.refresh()).updated, ['a']);
    assert.deepEqual((await evaluate()).output, { title: 'from the new version', event_status: 'Info' });
    temp.write('a', { mapping: '{' });
    assert.equal((await registry.refresh()).refused.length, 1);
    assert.deepEqual((await evaluate()).output, { title: 'from the new version', event_status: 'Info' });
  });

  test('start-up warns about an HMAC-signing adapter whose integration has no secret', () => {
    const registry = AdapterRegistry.load();
    const integrations = [
      { id: 'sentry-a', adapter: 'sentry', key: 'sentry-key-0001', channel: 'ops' },
      { id: 'sentry-b', adapter: 'sentry', key: 'sentry-key-0002', channel: 'ops', secret: 'x' },
      { id: 'prom', adapter: 'prometheus', key: 'prom-key-00001', channel: 'ops' },
    ];
    const config = buildConfig({ channels: [{ id: 'ops' }], integrations }, 'test', {}, new Set(registry.names()));
    assert.deepEqual(adapterConfigWarnings(config, registry), [
      'integration sentry-a: the sentry adapter can verify sentry-hook-signature, but the integration has no secret: signatures are NOT checked',
    ]);
  });

  test('integrations may only name loaded adapters', () => {
    const registry = AdapterRegistry.load();
    const file = {
      channels: [{ id: 'ops' }],
      integrations: [{ id: 'x', adapter: 'nagios', key: 'nagios-key-001', channel: 'ops' }],
    };
    assert.throws(
      () => buildConfig(file, 'test', {}, new Set(registry.names())),
      /integrations\[0\]\.adapter: unknown adapter "nagios"/,
    );
  });

  test('the package adapters all load', () => {
    const registry = AdapterRegistry.load();
    assert.ok(registry.names().includes('prometheus'));
    assert.deepEqual(registry.broken, []);
  });
});

describe('mapping evaluation is bounded', () => {
  const temp = tempAdaptersDir({
    loop: { manifest: manifestFor('loop'), mapping: '(\n  $loop := function($n) { $loop($n + 1) };\n  $loop(0)\n)' },
    recursion: {
      manifest: manifestFor('recursion'),
      mapping: '(\n  $deep := function($n) { 1 + $deep($n + 1) };\n  $deep(0)\n)',
    },
    many: { manifest: manifestFor('many'), mapping: '[1..1001].{ "title": "t" & $, "event_status": "Info" }' },
    huge: {
      manifest: manifestFor('huge'),
      mapping: '[1..20].{ "title": $pad("", 60000, "x"), "event_status": "Info" }',
    },
    fails: { manifest: manifestFor('fails'), mapping: '(\n  $x := body.count;\n  $x + "a"\n)' },
  });
  const registry = AdapterRegistry.load({ dir: temp.dir });
  // The size bounds are checked on output; a loaded test machine must not hit the time bound first.
  const roomy = AdapterRegistry.load({ dir: temp.dir, limits: { timeoutMs: 10_000 } });
  after(() => temp.remove());

  async function failure(name: string, from = registry): Promise<MappingError> {
    const started = Date.now();
    const error = await from
      .get(name)!
      .mapping.evaluate({ body: { count: 1 } }, bindings)
      .then(
        () => assert.fail('expected a MappingError'),
        (caught: unknown) => caught,
      );
    assert.ok(error instanceof MappingError, String(error));
    assert.ok(Date.now() - started < (from === registry ? 2000 : 10_000), 'answered quickly');
    assert.equal(error.code, 'InvalidParameter');
    return error;
  }

  test('an endless tail-recursive loop stops at the time budget (D1012)', async () => {
    const error = await failure('loop');
    assert.equal(error.jsonata.code, 'D1012');
    assert.match(
      error.message,
      /^Evaluation timeout after 200 milliseconds.*\(adapters\/loop\/mapping\.jsonata:\d+:\d+, JSONata D1012\)$/,
    );
  });

  test('the time budget grows with the payload size', async () => {
    const started = Date.now();
    await registry
      .get('loop')!
      .mapping.evaluate({ body: {} }, bindings, 100 * 1024)
      .catch((error: MappingError) => assert.equal(error.jsonata.code, 'D1012'));
    assert.ok(Date.now() - started >= 390, 'a 100 KiB payload gets 200 ms + 2 ms per KiB');
  });

  test('runaway recursion stops at the depth limit (D1011)', async () => {
    assert.equal((await failure('recursion', roomy)).jsonata.code, 'D1011');
  });

  test('more than 1000 events, or more than 1 MiB of them, is refused', async () => {
    assert.match(
      (await failure('many', roomy)).message,
      /^the mapping produced 1001 events; at most 1000 per payload are allowed/,
    );
    assert.match(
      (await failure('huge', roomy)).message,
      /^the mapping produced \d+ bytes of events; at most 1048576 are allowed/,
    );
  });

  test('a throwing mapping carries the JSONata code, message and position', async () => {
    const error = await failure('fails');
    assert.deepEqual(error.jsonata, {
      code: 'T2002',
      message: 'The right side of the "+" operator must evaluate to a number',
      position: 28,
      line: 3,
      column: 6,
    });
  });
});
