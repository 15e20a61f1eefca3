import { AssertionError, deepStrictEqual } from 'node:assert';
import { readFileSync } from 'node:fs';
import { counted } from '../counted.js';
import { AppError } from '../errors.js';
import {
  fixtureMappingInputs,
  fixtureMismatch,
  fixtureDefaults,
  fixtureMappingLimits,
  loadFixtures,
  runFixture,
  sortKeys,
  writeExpected,
  type Fixture,
  type FixtureOutcome,
} from './fixtures.js';
import { AdapterRegistry, type LoadedAdapter } from './registry.js';
import { mapRequest } from './map-request.js';
import { lintMapping } from './mapping-lint.js';
import { isSampleRequest, requestFromSample, type SampleRequest } from './sample-request.js';

/** Where a command writes; a command returns its exit code. */
export interface CliOutput {
  out: (text: string) => void;
  err: (text: string) => void;
}

/** `alertgate adapter list`: every adapter with its accepted bodies, and the broken ones with their problems. */
export function listAdapters(io: CliOutput, dir?: string): number {
  const registry = AdapterRegistry.load({ skipBroken: true, ...(dir && { dir }) });
  for (const adapter of registry.list()) {
    const { manifest } = adapter;
    const fixtures = loadFixtures(adapter.name, adapter.dir).length;
    const extras = [
      manifest.methods.join('/'),
      manifest.content_types.join(', '),
      manifest.signature ? `signature ${manifest.signature.type}` : '',
      counted(fixtures, 'fixture'),
    ].filter(Boolean);
    io.out(`${adapter.name.padEnd(16)} ${manifest.title}  (${extras.join('; ')})`);
  }
  for (const broken of registry.broken) io.out(`${broken.name.padEnd(16)} BROKEN\n  ${broken.problems.join('\n  ')}`);
  // A broken adapter would stop start-up: say so to scripts too.
  return registry.broken.length > 0 ? 1 : 0;
}

function readableDiff(mismatch: { expected: unknown; actual: unknown }): string {
  try {
    deepStrictEqual(sortKeys(mismatch.actual), sortKeys(mismatch.expected));
  } catch (error) {
    if (error instanceof AssertionError)
      return error.message.replace('Expected values to be strictly deep-equal:', '(+ actual, - expected)');
  }
  return `expected ${JSON.stringify(mismatch.expected, null, 2)}\nactual ${JSON.stringify(mismatch.actual, null, 2)}`;
}

/** Runs one fixture somewhere (the transform path by default, or the real endpoint) and says what it produced. */
export type FixtureRunner = (adapter: LoadedAdapter, fixture: Fixture) => Promise<FixtureOutcome>;

async function testFixture(
  adapter: LoadedAdapter,
  fixture: Fixture,
  run: FixtureRunner,
  update: boolean,
  io: CliOutput,
): Promise<boolean> {
  const outcome = await run(adapter, fixture);
  const mismatch = fixtureMismatch(fixture, outcome);
  if (!mismatch) {
    io.out(`  ok    ${adapter.name}/${fixture.name}`);
    return true;
  }
  if (update) {
    writeExpected(fixture, outcome);
    io.out(`  wrote ${adapter.name}/${fixture.name} (review the diff)`);
    return true;
  }
  io.out(`  FAIL  ${adapter.name}/${fixture.name}\n${readableDiff(mismatch).replace(/^/gm, '        ')}`);
  return false;
}

/** The adapters `adapter test` runs: every folder, broken ones reported rather than stopping the run. */
export function loadAdaptersForTest(dir?: string): AdapterRegistry {
  return AdapterRegistry.load({ skipBroken: true, limits: fixtureMappingLimits, ...(dir && { dir }) });
}

/**
 * `alertgate adapter test [name]`: runs every fixture (of one adapter, or all) through mapRequest, as a push runs, and
 * compares with the expected files; exit code 1 on any mismatch, broken adapter or adapter without fixtures.
 * With `update` (UPDATE_FIXTURES=1) the expected files are rewritten instead. With `run`, fixtures go through it
 * (`--http`: the real endpoint) instead of the transform path.
 */
export async function testAdapters(
  io: CliOutput,
  options: { name?: string; dir?: string; update?: boolean; registry?: AdapterRegistry; run?: FixtureRunner } = {},
): Promise<number> {
  const registry = options.registry ?? loadAdaptersForTest(options.dir);
  const broken = registry.broken.filter((adapter) => options.name === undefined || adapter.name === options.name);
  for (const adapter of broken) io.err(`  BROKEN ${adapter.name}\n    ${adapter.problems.join('\n    ')}`);
  const adapters =
    options.name === undefined
      ? registry.list()
      : [registry.get(options.name)].filter((a): a is LoadedAdapter => a !== undefined);
  if (options.name !== undefined && adapters.length === 0 && broken.length === 0) {
    io.err(`no adapter named ${JSON.stringify(options.name)}; adapters: ${registry.names().join(', ')}`);
    return 1;
  }
  let passed = 0;
  let failed = broken.length;
  let warnings = 0;
  for (const adapter of adapters) {
    const fixtures = loadFixtures(adapter.name, adapter.dir);
    if (fixtures.length === 0) {
      io.out(`  FAIL  ${adapter.name}: no fixtures in ${adapter.name}/fixtures`);
      failed += 1;
    }
    for (const fixture of fixtures) {
      if (await testFixture(adapter, fixture, options.run ?? runFixture, options.update === true, io)) passed += 1;
      else failed += 1;
    }
    for (const warning of lintMapping(adapter.mapping.source, await fixtureMappingInputs(adapter, fixtures))) {
      io.out(`  warn  ${adapter.name}/mapping.jsonata:${warning.line}:${warning.column}: ${warning.message}`);
      warnings += 1;
    }
  }
  io.out(`${passed} passed, ${failed} failed${warnings > 0 ? `, ${counted(warnings, 'warning')}` : ''}`);
  return failed === 0 ? 0 : 1;
}

/** `alertgate adapter try <name> <payload.json>`: the standard events a payload (bare, or a fixture input) maps to. */
export async function tryAdapter(io: CliOutput, name: string, file: string, dir?: string): Promise<number> {
  const registry = AdapterRegistry.load({ skipBroken: true, ...(dir && { dir }) });
  const adapter = registry.get(name);
  if (!adapter) {
    // A folder that does not compile is there all the same: show why, where, as `adapter test` does.
    const broken = registry.broken.find((candidate) => candidate.name === name);
    if (broken) io.err(`adapter ${name} is broken:\n  ${broken.problems.join('\n  ')}`);
    else io.err(`no adapter named ${JSON.stringify(name)}; adapters: ${registry.names().join(', ')}`);
    return 1;
  }
  const document = JSON.parse(readFileSync(file, 'utf8')) as unknown;
  const sample: SampleRequest = isSampleRequest(document, 'body') ? (document as SampleRequest) : { body: document };
  const request = requestFromSample(sample, adapter.manifest);
  try {
    const context = {
      integrationId: fixtureDefaults.integrationId,
      integrationName: fixtureDefaults.integrationName,
      receivedAt: sample.received_at ?? fixtureDefaults.receivedAt,
    };
    const { events } = await mapRequest(adapter, request, context);
    io.out(JSON.stringify(events, null, 2));
    return 0;
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    io.err(`${error.status} ${error.code}: ${error.message}`);
    return 1;
  }
}
