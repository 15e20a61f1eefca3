import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChannelConfig, ConfigFile } from '../../src/config/types.js';
import { buildConfig } from '../../src/config/load-config.js';
import { AppError } from '../../src/errors.js';
import { createIdGenerator, newId, newRequestId } from '../../src/events/ids.js';
import { normaliseStandardEvent } from '../../src/events/normalise.js';
import type { QueuedEvent } from '../../src/events/types.js';
import { stampEvents } from '../../src/ingest/stamp.js';
import { applyIncidentAction, type IncidentAction } from '../../src/incidents/actions.js';
import { resolveIfDue } from '../../src/incidents/resolve-if-due.js';
import { packageRoot } from '../../src/paths.js';
import { ingestJobOptions } from '../../src/queue/ingest-queue.js';
import { parseDuration } from '../../src/rules/duration.js';
import { StoredSilences } from '../../src/silences/cache.js';
import type { StoreDatabase } from '../../src/store/database.js';
import { eventView } from '../../src/store/api-views.js';
import { getIncident, listAlerts, listIncidents } from '../../src/store/read-models.js';
import { applyBatch } from '../../src/worker/apply-batch.js';
import { rulesFromConfig } from '../../src/worker/stage.js';
import { api, postJson, startStack, type Stack } from './stack.js';
import { createTestStore, type StoreKind, type TestStore } from './stores.js';

/**
 * Worker scenarios as data (test/worker/scenarios/*.json): a sequence of steps, then the expected events (outcomes
 * in gateway order), alerts and incidents (partial match, ordered by alert key then age: different keys may apply
 * in parallel). Two drivers run them: the real gateway, queue and worker (stack), or the worker's batch applier
 * called directly on the store with the scenario's clock (direct: no Redis, no HTTP, no waiting).
 */
export type Step =
  | { push: unknown }
  | { push_late: Record<string, unknown>; seconds_ago: number }
  | { redeliver_push: number }
  | { incident_action: IncidentAction; of_alert_key: string; oldest?: true; expect_error?: string }
  | { reload: ConfigFile }
  | { advance: string }
  | { at: string }
  | { fire_timers: true }
  | { expect: Expectation };

export interface Expectation {
  events?: Array<Record<string, unknown>>;
  alerts?: Array<Record<string, unknown>>;
  incidents?: Array<Record<string, unknown>>;
}

export interface Scenario {
  name: string;
  /** Settings of the default channel `ops`. */
  channel?: Partial<ChannelConfig>;
  /** A whole configuration instead (its integration must use key test-key-0001). */
  config?: ConfigFile;
  steps: Step[];
}

export const scenarioDir = join(packageRoot, 'test', 'worker', 'scenarios');

export function loadScenarios(): Array<{ file: string; scenario: Scenario }> {
  return readdirSync(scenarioDir)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => ({ file, scenario: JSON.parse(readFileSync(join(scenarioDir, file), 'utf8')) as Scenario }));
}

function configFileOf(scenario: Scenario): ConfigFile {
  return (
    scenario.config ?? {
      channels: [{ id: 'ops', ...scenario.channel }],
      integrations: [
        {
          id: 'std',
          adapter: 'standard',
          key: 'test-key-0001',
          channel: 'ops',
          rate_limit: { per_second: 100000, per_minute: 1000000 },
        },
      ],
    }
  );
}

/** What a driver does for the steps; the runner decides what to check. */
export interface ScenarioDriver {
  readonly store: StoreDatabase;
  /** The scenario's clock: real time plus what `advance` and `at` steps added. */
  clock(): number;
  moveClock(offsetMs: number, absolute?: boolean): void;
  /** Pushes a standard body; the request id. */
  push(body: unknown): Promise<string>;
  /** Pushes several bodies whose events are applied in one batch, as a lane applies jobs that came in together. */
  pushAll?(bodies: unknown[]): Promise<string[]>;
  /** Delivers events as one ingest job (a delayed, retried or redelivered job). */
  deliver(events: QueuedEvent[]): Promise<void>;
  /** Applies an action to the incident of the newest (or oldest) alert of a key; the error code if it was refused. */
  incidentAction(action: IncidentAction, alertKey: string, oldest?: boolean): Promise<string | undefined>;
  /** Applies a new configuration, as a reload does; only the direct driver can. */
  reload?(configFile: ConfigFile): void;
  fireTimers(): Promise<void>;
  /** The alerts as GET /alerts?limit=500 lists them. */
  alerts(): Promise<Array<Record<string, unknown>>>;
  /** The incidents as GET /incidents?limit=500 lists them. */
  incidentIds(): Promise<string[]>;
  /** Waits until everything delivered has been applied. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

export function assertPartial(actual: unknown, expected: unknown, path: string): void {
  if (Array.isArray(expected)) {
    assert.ok(
      Array.isArray(actual) && actual.length === expected.length,
      `${path}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`,
    );
    expected.forEach((item, i) => assertPartial(actual[i], item, `${path}[${i}]`));
    return;
  }
  if (expected !== null && typeof expected === 'object' && !Array.isArray(expected)) {
    assert.ok(
      actual !== null && typeof actual === 'object',
      `${path}: expected an object, got ${JSON.stringify(actual)}`,
    );
    for (const [key, value] of Object.entries(expected))
      assertPartial((actual as Record<string, unknown>)[key], value, `${path}.${key}`);
    return;
  }
  assert.deepEqual(actual, expected, `${path}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

async function checkState(driver: ScenarioDriver, expectation: Expectation, at: string): Promise<void> {
  const db = driver.store.db;
  if (expectation.events) {
    const events = (await db.selectFrom('events').selectAll().orderBy('event_id').execute()).map((row) =>
      eventView(row),
    );
    assert.equal(
      events.length,
      expectation.events.length,
      `${at}: event count: ${JSON.stringify(events.map((event) => event.outcome))}`,
    );
    expectation.events.forEach((expected, i) => assertPartial(events[i], expected, `${at}: events[${i}]`));
  }
  if (expectation.alerts) {
    // Different keys may apply in parallel lanes: order by key, then by age.
    const ordered = (await driver.alerts()).sort(
      (a, b) =>
        String(a.alert_key).localeCompare(String(b.alert_key)) || String(a.alert_id).localeCompare(String(b.alert_id)),
    );
    assert.equal(ordered.length, expectation.alerts.length, `${at}: alert count`);
    expectation.alerts.forEach((expected, i) => assertPartial(ordered[i], expected, `${at}: alerts[${i}]`));
  }
  if (expectation.incidents) {
    const ids = await driver.incidentIds();
    assert.equal(ids.length, expectation.incidents.length, `${at}: incident count`);
    const details = await Promise.all(ids.map((id) => getIncident(db, id)));
    const actual = details
      .map((detail) => ({
        ...detail?.incident,
        timeline: detail?.timeline.map((entry) => entry.type),
        alerts: detail?.alerts.map((alert) => alert.alert_key),
      }))
      .sort(
        (a, b) =>
          String(a.alerts?.[0]).localeCompare(String(b.alerts?.[0])) ||
          String(a.incident_id).localeCompare(String(b.incident_id)),
      );
    expectation.incidents.forEach((expected, i) => assertPartial(actual[i], expected, `${at}: incidents[${i}]`));
  }
}

/**
 * Runs every step of a scenario; a failed expectation names its step (`steps[4]`). `batched`: consecutive pushes
 * are applied in one batch (the driver's pushAll); a scenario's outcome must not depend on how its events were batched.
 */
export async function runScenario(driver: ScenarioDriver, scenario: Scenario, batched = false): Promise<void> {
  const pushes: string[] = [];
  for (const [index, step] of scenario.steps.entries()) {
    if ('push' in step && batched && driver.pushAll) {
      const previous = scenario.steps[index - 1];
      if (previous && 'push' in previous) continue;
      const run = scenario.steps.slice(index);
      const end = run.findIndex((next) => !('push' in next));
      const bodies = run.slice(0, end < 0 ? run.length : end).map((next) => (next as { push: unknown }).push);
      pushes.push(...(await driver.pushAll(bodies)));
    } else if ('push' in step) {
      pushes.push(await driver.push(step.push));
    } else if ('push_late' in step) {
      // A job that was delayed (e.g. retried) and arrives after later events of the same alert were applied.
      const at = driver.clock() - step.seconds_ago * 1000;
      const event: QueuedEvent = {
        title: String(step.push_late.title_rule),
        title_rule: String(step.push_late.title_rule),
        event_status: step.push_late.event_status as 'Critical',
        alert_key: String(step.push_late.alert_key),
        alert_key_derived: false,
        labels: {},
        event_time: at,
        event_id: createIdGenerator(() => at)(),
        request_id: 'late',
        integration_id: 'std',
        integration_type: 'standard',
        received_at: at,
        seq: 0,
      };
      await driver.deliver([event]);
    } else if ('redeliver_push' in step) {
      const rows = await driver.store.db
        .selectFrom('events')
        .selectAll()
        .where('request_id', '=', pushes[step.redeliver_push])
        .execute();
      await driver.deliver(
        rows.map(
          (row) =>
            ({
              ...eventView(row),
              alert_key_derived: false,
              description: row.description ?? undefined,
              images: undefined,
            }) as unknown as QueuedEvent,
        ),
      );
    } else if ('advance' in step) {
      driver.moveClock(parseDuration(step.advance) ?? 0);
    } else if ('at' in step) {
      driver.moveClock(Date.parse(step.at), true);
    } else if ('fire_timers' in step) {
      await driver.fireTimers();
    } else if ('incident_action' in step) {
      const refused = await driver.incidentAction(step.incident_action, step.of_alert_key, step.oldest);
      assert.equal(refused, step.expect_error, `steps[${index}]: error code of ${step.incident_action}`);
    } else if ('reload' in step) {
      assert.ok(driver.reload, 'this driver cannot reload its configuration');
      driver.reload(step.reload);
    } else {
      await checkState(driver, step.expect, `steps[${index}]`);
    }
    await driver.settle();
  }
}

/** Alerts as listed (newest first), or oldest first. */
function newestFirst<T>(listed: T[], oldest: boolean | undefined): T[] {
  return oldest ? [...listed].reverse() : listed;
}

/** The real gateway, queue and worker on port 0; the clock is real time plus the scenario's moves. */
export async function stackDriver(kind: StoreKind, scenario: Scenario): Promise<ScenarioDriver> {
  let offset = 0;
  const clock = (): number => Date.now() + offset;
  const stack: Stack = await startStack({ store: kind, clock, configFile: configFileOf(scenario) });
  const url = `${stack.baseUrl}/event/push/alert/standard?integration_key=test-key-0001`;
  const listed = async (path: string) =>
    ((await api(stack, 'GET', path)).body.data as { items: Array<Record<string, unknown>> }).items;
  return {
    store: stack.testStore.store,
    clock,
    moveClock(ms, absolute) {
      offset = absolute ? ms - Date.now() : offset + ms;
    },
    async push(body) {
      const res = await postJson(url, body);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return String(res.body.request_id);
    },
    async deliver(events) {
      await stack.queue.add('events', { events }, ingestJobOptions);
    },
    async incidentAction(action, alertKey, oldest) {
      const alert = newestFirst(await listed('/alerts?limit=500'), oldest).find((item) => item.alert_key === alertKey);
      assert.ok(alert, `no alert with key ${alertKey}`);
      const res = await api(stack, 'POST', `/incidents/${String(alert.incident_id)}/${action}`, { actor: 'scenario' });
      if (res.status !== 200) return String(res.body.error?.code);
      return undefined;
    },
    // Timers wait in wall-clock time; the scenario's clock decides whether they are due.
    fireTimers: () => stack.fireTimers(),
    alerts: () => listed('/alerts?limit=500'),
    incidentIds: async () => (await listed('/incidents?limit=500')).map((item) => String(item.incident_id)),
    settle: () => stack.waitForIdle(),
    close: () => stack.close(),
  };
}

/**
 * The worker's batch applier called directly, as the ingest job would call it, on a fresh store: in-memory SQLite
 * (or a PostgreSQL schema); the clock stands still but for the scenario's moves. Auto-resolve timers are kept in a
 * map and fired by `fire_timers`, through the same `resolveIfDue` as the timer worker.
 */
export async function directDriver(kind: StoreKind, scenario: Scenario): Promise<ScenarioDriver> {
  const testStore: TestStore = await createTestStore(kind, { memory: true });
  const store = testStore.store;
  let config = buildConfig(configFileOf(scenario), 'test', {});
  let rules = rulesFromConfig(config, new StoredSilences());
  const start = Date.now();
  let now = start;
  const clock = (): number => now;
  const timers = new Map<string, number>();
  const json = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
  const deliver = async (events: QueuedEvent[]): Promise<void> => {
    const result = await applyBatch(store, rules, events, clock, newId);
    assert.deepEqual(result.failed, [], 'events that could not be stored');
    for (const timer of result.timers) timers.set(timer.incident_id, timer.due_at);
  };
  const alerts = async () => json((await listAlerts(store.db, { limit: 500 })).items) as Array<Record<string, unknown>>;
  // A push as the gateway stamps it: its request id and events.
  const stamped = (body: unknown): [string, QueuedEvent[]] => {
    const integration = config.integrations[0];
    const items = Array.isArray(body) ? body : [body];
    const receivedAt = clock();
    const context = {
      integrationId: integration.id,
      integrationName: integration.name,
      integrationType: 'standard',
      receivedAt,
    };
    const requestId = newRequestId();
    const events = items.map((item) => normaliseStandardEvent(item, context));
    return [requestId, stampEvents(events, integration, requestId, receivedAt)];
  };
  return {
    store,
    clock,
    moveClock(ms, absolute) {
      now = absolute ? ms : now + ms;
    },
    async push(body) {
      const [requestId, events] = stamped(body);
      await deliver(events);
      return requestId;
    },
    async pushAll(bodies) {
      const requests = bodies.map(stamped);
      await deliver(requests.flatMap(([, events]) => events));
      return requests.map(([requestId]) => requestId);
    },
    deliver,
    async incidentAction(action, alertKey, oldest) {
      const alert = newestFirst(await alerts(), oldest).find((item) => item.alert_key === alertKey);
      assert.ok(alert, `no alert with key ${alertKey}`);
      try {
        await applyIncidentAction(store, String(alert.incident_id), action, { actor: 'scenario' }, clock());
        return undefined;
      } catch (error) {
        if (error instanceof AppError) return error.code;
        throw error;
      }
    },
    reload(configFile) {
      config = buildConfig(configFile, 'test', {});
      rules = rulesFromConfig(config, new StoredSilences());
    },
    async fireTimers() {
      for (const incidentId of [...timers.keys()]) {
        const verdict = await resolveIfDue(store, incidentId, rules.channels, clock());
        if (verdict.kind === 'later') timers.set(incidentId, verdict.dueAt);
        else timers.delete(incidentId);
      }
    },
    alerts,
    incidentIds: async () =>
      (await listIncidents(store.db, store.dialect, { limit: 500 })).items.map((item) => String(item.incident_id)),
    settle: async () => undefined,
    close: () => testStore.dispose(),
  };
}
