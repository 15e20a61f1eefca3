import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../errors.js';
import { parseQueryOverrides } from '../events/normalise.js';
import type { NormalisedEvent } from '../events/types.js';
import { parseAdapterBody } from './body-parsing.js';
import { mapRequest } from './map-request.js';
import { MappingError } from './mapping.js';
import type { LoadedAdapter } from './registry.js';
import { requestFromSample, type SampleRequest } from './sample-request.js';

/**
 * Fixtures check what a mapping produces, not how fast: a loaded machine stretches wall-clock time, so fixture runs
 * give mappings a roomy time budget (runaway recursion is still stopped by the depth limit).
 */
export const fixtureMappingLimits = { timeoutMs: 10_000 } as const;

/** Fixtures run as this integration at this time (adapters/README.md). */
export const fixtureDefaults = {
  receivedAt: 1767225600000,
  integrationId: 'fixture',
  integrationName: 'Fixture',
} as const;

/** The part of a normalised event that `<case>.expected.json` pins down. */
export type ProjectedEvent = Pick<
  NormalisedEvent,
  'title' | 'event_status' | 'alert_key' | 'description' | 'labels' | 'images' | 'event_time'
>;

/** `<case>.expected-error.json`: the answer, and a substring of its message. */
export interface ExpectedError {
  status: number;
  code: string;
  message: string;
}

/** One fixture case of an adapter. */
export interface Fixture {
  adapter: string;
  name: string;
  input: SampleRequest;
  /** The expected file that exists (or, for a new case, would be written). */
  expectedFile: string;
  expected: { events: ProjectedEvent[] } | { error: ExpectedError } | undefined;
}

/** What running a fixture produced: events, or the error the endpoint would answer. */
export type FixtureOutcome = { events: ProjectedEvent[] } | { error: ExpectedError };

/** The expected-file projection of a normalised (or queued) event. */
export function projectEvent(event: NormalisedEvent): ProjectedEvent {
  return {
    title: event.title,
    event_status: event.event_status,
    alert_key: event.alert_key,
    ...(event.description !== undefined && { description: event.description }),
    labels: event.labels,
    ...(event.images !== undefined && { images: event.images }),
    event_time: event.event_time,
  };
}

const readJson = (file: string): unknown => JSON.parse(readFileSync(file, 'utf8')) as unknown;

/** Every `<case>.input.json` of an adapter folder with its expected file; a case without one has `expected` undefined. */
export function loadFixtures(adapterName: string, adapterDir: string): Fixture[] {
  const dir = join(adapterDir, 'fixtures');
  if (!existsSync(dir)) return [];
  const inputs = readdirSync(dir)
    .filter((file) => file.endsWith('.input.json'))
    .sort();
  return inputs.map((file) => {
    const name = file.slice(0, -'.input.json'.length);
    const eventsFile = join(dir, `${name}.expected.json`);
    const errorFile = join(dir, `${name}.expected-error.json`);
    let expected: Fixture['expected'];
    if (existsSync(errorFile)) expected = { error: readJson(errorFile) as ExpectedError };
    else if (existsSync(eventsFile)) expected = { events: readJson(eventsFile) as ProjectedEvent[] };
    return {
      adapter: adapterName,
      name,
      input: readJson(join(dir, file)) as SampleRequest,
      expectedFile: existsSync(errorFile) ? errorFile : eventsFile,
      expected,
    };
  });
}

/** The error as a fixture pins it: the JSONata message without the file pointer, so it holds wherever the code runs. */
export function errorOutcome(error: AppError): { error: ExpectedError } {
  const message =
    error instanceof MappingError && error.jsonata.code === 'D3137' ? error.jsonata.message : error.message;
  return { error: { status: error.status, code: error.code, message } };
}

/** Runs a fixture through {@link mapRequest} (content type, body parsing, mapping, normalisation), as `alertgate adapter test` does. */
export async function runFixture(adapter: LoadedAdapter, fixture: Fixture): Promise<FixtureOutcome> {
  const request = requestFromSample(fixture.input, adapter.manifest);
  const context = {
    integrationId: fixtureDefaults.integrationId,
    integrationName: fixtureDefaults.integrationName,
    receivedAt: fixture.input.received_at ?? fixtureDefaults.receivedAt,
  };
  try {
    const overrides = parseQueryOverrides(request.query, adapter.manifest.payload_query_params);
    const { events } = await mapRequest(adapter, request, { ...context, ...overrides });
    return { events: events.map(projectEvent) };
  } catch (error) {
    if (error instanceof AppError) return errorOutcome(error);
    throw error;
  }
}

/** What the mapping sees of each fixture that parses (`{body, headers, query}`), for reading a mapping against them. */
export async function fixtureMappingInputs(adapter: LoadedAdapter, fixtures: readonly Fixture[]): Promise<unknown[]> {
  const inputs: unknown[] = [];
  for (const fixture of fixtures) {
    const request = requestFromSample(fixture.input, adapter.manifest);
    const body = await parseAdapterBody(adapter.manifest, request).catch(() => undefined);
    if (body !== undefined) inputs.push({ body, headers: request.headers, query: request.query });
  }
  return inputs;
}

/** Undefined when the outcome is what the fixture expects, else what differs (the expected file is the reference). */
export function fixtureMismatch(
  fixture: Fixture,
  outcome: FixtureOutcome,
): { expected: unknown; actual: unknown } | undefined {
  const expected = fixture.expected;
  if (expected === undefined) return { expected: '(no expected file)', actual: outcome };
  if ('error' in expected) {
    if (!('error' in outcome)) return { expected: expected.error, actual: outcome.events };
    const same =
      outcome.error.status === expected.error.status &&
      outcome.error.code === expected.error.code &&
      outcome.error.message.includes(expected.error.message);
    return same ? undefined : { expected: expected.error, actual: outcome.error };
  }
  if ('error' in outcome) return { expected: expected.events, actual: outcome.error };
  return JSON.stringify(sortKeys(outcome.events)) === JSON.stringify(sortKeys(expected.events))
    ? undefined
    : { expected: expected.events, actual: outcome.events };
}

/** Deep copy with object keys sorted: key order is not part of an expectation. */
export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
  );
}

/** Rewrites a fixture's expected file from an outcome (UPDATE_FIXTURES=1); review the diff before committing. */
export function writeExpected(fixture: Fixture, outcome: FixtureOutcome): void {
  const dir = join(fixture.expectedFile, '..');
  const [kept, dropped] = 'error' in outcome ? ['expected-error', 'expected'] : ['expected', 'expected-error'];
  writeFileSync(
    join(dir, `${fixture.name}.${kept}.json`),
    JSON.stringify('error' in outcome ? outcome.error : outcome.events, null, 2) + '\n',
  );
  rmSync(join(dir, `${fixture.name}.${dropped}.json`), { force: true });
}
