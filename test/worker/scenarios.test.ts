import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createIdGenerator } from '../../src/events/ids.js';
import type { QueuedEvent } from '../../src/events/types.js';
import { ingestJobOptions } from '../../src/queue/ingest-queue.js';
import { packageRoot } from '../../src/paths.js';
import { eventView, getIncident } from '../../src/store/read-models.js';
import type { ChannelConfig, ConfigFile } from '../../src/config/types.js';
import { parseDuration } from '../../src/rules/duration.js';
import { api, postJson, startStack, type Stack } from '../support/stack.js';
import { storeKinds } from '../support/stores.js';

/**
 * Worker scenarios as data (test/worker/scenarios/*.json): a sequence of steps through the real gateway, queue and
 * worker, then the expected events (outcomes in gateway order), alerts and incidents (partial match, ordered by alert
 * key then age: different keys may apply in parallel).
 */
type Step =
  | { push: unknown }
  | { push_late: Record<string, unknown>; seconds_ago: number }
  | { redeliver_push: number }
  | { incident_action: 'ack' | 'unack' | 'close' | 'reopen'; of_alert_key: string }
  | { advance: string }
  | { at: string }
  | { fire_timers: true }
  | { expect: Expectation };

interface Expectation {
  events?: Array<Record<string, unknown>>;
  alerts?: Array<Record<string, unknown>>;
  incidents?: Array<Record<string, unknown>>;
}

interface Scenario {
  name: string;
  /** Settings of the default channel `ops`. */
  channel?: Partial<ChannelConfig>;
  /** A whole configuration instead (its integration must use key test-key-0001). */
  config?: ConfigFile;
  steps: Step[];
}

/** The scenario's clock: real time plus what `advance` steps added. */
let clockOffset = 0;
const scenarioClock = (): number => Date.now() + clockOffset;

const scenarioDir = join(packageRoot, 'test', 'worker', 'scenarios');
const scenarios = readdirSync(scenarioDir)
  .filter((file) => file.endsWith('.json'))
  .sort()
  .map((file) => ({ file, scenario: JSON.parse(readFileSync(join(scenarioDir, file), 'utf8')) as Scenario }));

function assertPartial(actual: unknown, expected: unknown, path: string): void {
  if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual) && actual.length === expected.length, `${path}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
    expected.forEach((item, i) => assertPartial(actual[i], item, `${path}[${i}]`));
    return;
  }
  if (expected !== null && typeof expected === 'object' && !Array.isArray(expected)) {
    assert.ok(actual !== null && typeof actual === 'object', `${path}: expected an object, got ${JSON.stringify(actual)}`);
    for (const [key, value] of Object.entries(expected)) assertPartial((actual as Record<string, unknown>)[key], value, `${path}.${key}`);
    return;
  }
  assert.deepEqual(actual, expected, `${path}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

async function checkState(stack: Stack, expectation: Expectation): Promise<void> {
  const db = stack.testStore.store.db;
  if (expectation.events) {
    const events = (await db.selectFrom('events').selectAll().orderBy('event_id').execute()).map(eventView);
    assert.equal(events.length, expectation.events.length, `event count: ${JSON.stringify(events.map((event) => event.outcome))}`);
    expectation.events.forEach((expected, i) => assertPartial(events[i], expected, `events[${i}]`));
  }
  if (expectation.alerts) {
    const alerts = (await api(stack, 'GET', '/alerts?limit=500')).body.data as { items: Array<Record<string, unknown>> };
    // Different keys may apply in parallel lanes: order by key, then by age.
    const ordered = alerts.items.sort((a, b) => String(a.alert_key).localeCompare(String(b.alert_key)) || String(a.alert_id).localeCompare(String(b.alert_id)));
    assert.equal(ordered.length, expectation.alerts.length, 'alert count');
    expectation.alerts.forEach((expected, i) => assertPartial(ordered[i], expected, `alerts[${i}]`));
  }
  if (expectation.incidents) {
    const list = (await api(stack, 'GET', '/incidents?limit=500')).body.data as { items: Array<{ incident_id: string }> };
    assert.equal(list.items.length, expectation.incidents.length, 'incident count');
    const details = await Promise.all(list.items.map((item) => getIncident(db, item.incident_id)));
    const actual = details
      .map((detail) => ({ ...detail?.incident, timeline: detail?.timeline.map((entry) => entry.type), alerts: detail?.alerts.map((alert) => alert.alert_key) }))
      .sort((a, b) => String(a.alerts?.[0]).localeCompare(String(b.alerts?.[0])) || String(a.incident_id).localeCompare(String(b.incident_id)));
    expectation.incidents.forEach((expected, i) => assertPartial(actual[i], expected, `incidents[${i}]`));
  }
}

async function runStep(stack: Stack, step: Step, pushes: string[][]): Promise<void> {
  const url = `${stack.baseUrl}/event/push/alert/standard?integration_key=test-key-0001`;
  if ('push' in step) {
    const res = await postJson(url, step.push);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    pushes.push([String(res.body.request_id)]);
  } else if ('push_late' in step) {
    // A job that was delayed (e.g. retried) and arrives after later events of the same alert were applied.
    const at = scenarioClock() - step.seconds_ago * 1000;
    const event: QueuedEvent = {
      title: String(step.push_late.title_rule), title_rule: String(step.push_late.title_rule), event_status: step.push_late.event_status as 'Critical',
      alert_key: String(step.push_late.alert_key), alert_key_derived: false, labels: {}, event_time: at,
      event_id: createIdGenerator(() => at)(), request_id: 'late', integration_id: 'std', integration_type: 'standard', received_at: at, seq: 0,
    };
    await stack.queue.add('events', { events: [event] }, ingestJobOptions);
  } else if ('redeliver_push' in step) {
    const requestId = pushes[step.redeliver_push][0];
    const rows = await stack.testStore.store.db.selectFrom('events').selectAll().where('request_id', '=', requestId).execute();
    const events = rows.map((row) => ({ ...eventView(row), alert_key_derived: false, description: row.description ?? undefined, images: undefined }) as unknown as QueuedEvent);
    await stack.queue.add('events', { events }, ingestJobOptions);
  } else if ('advance' in step) {
    clockOffset += parseDuration(step.advance) ?? 0;
  } else if ('at' in step) {
    clockOffset = Date.parse(step.at) - Date.now();
  } else if ('fire_timers' in step) {
    // Timers wait in wall-clock time; the scenario's clock decides whether they are due.
    await stack.fireTimers();
  } else if ('incident_action' in step) {
    const alerts = (await api(stack, 'GET', '/alerts?limit=500')).body.data as { items: Array<{ alert_key: string; incident_id: string }> };
    const alert = alerts.items.find((item) => item.alert_key === step.of_alert_key);
    assert.ok(alert, `no alert with key ${step.of_alert_key}`);
    const res = await api(stack, 'POST', `/incidents/${alert.incident_id}/${step.incident_action}`, { actor: 'scenario' });
    assert.equal(res.status, 200, JSON.stringify(res.body));
  } else {
    await checkState(stack, step.expect);
  }
  await stack.waitForIdle();
}

for (const kind of storeKinds) {
  describe(`worker scenarios on ${kind}`, () => {
    for (const { file, scenario } of scenarios) {
      describe(`${file}: ${scenario.name}`, () => {
        let stack: Stack;
        before(async () => {
          clockOffset = 0;
          stack = await startStack({
            store: kind,
            clock: scenarioClock,
            configFile: scenario.config ?? {
              channels: [{ id: 'ops', ...scenario.channel }],
              integrations: [{ id: 'std', adapter: 'standard', key: 'test-key-0001', channel: 'ops', rate_limit: { per_second: 100000, per_minute: 1000000 } }],
            },
          });
        });
        after(() => stack.close());
        test('runs every step', async () => {
          const pushes: string[][] = [];
          for (const step of scenario.steps) await runStep(stack, step, pushes);
        });
      });
    }
  });
}
