import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { AppError } from '../../src/errors.js';
import { applyIncidentAction } from '../../src/incidents/actions.js';
import type { IncidentAction } from '../../src/incidents/state.js';
import { highestSeverity } from '../../src/rules/severity.js';
import type { Severity } from '../../src/events/types.js';
import { directDriver, type ScenarioDriver } from '../support/scenarios.js';
import type { StoreKind } from '../support/stores.js';

/**
 * The incident state machine (src/incidents/state.ts) under random sequences of events (with and without their own
 * times, routed to one channel or the other), reloads moving the integration, clock moves, auto-resolve timers and
 * actions by hand, through the worker's batch applier on a real store. After every step every incident
 * of the sequence must agree with its alerts, and no open incident may be left that nothing can close.
 */

/** mulberry32: a small seeded PRNG, so a failing sequence can be replayed from its seed. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const statuses = ['Critical', 'Warning', 'Info', 'Ok', 'Ok'] as const;
const actions: IncidentAction[] = ['ack', 'unack', 'close', 'reopen'];
const stepsPerSequence = 24;

/** Two channels: `ops` groups by check, closes with its alerts and auto-resolves; `quiet` stays open when recovered. */
const config = {
  channels: [
    { id: 'ops', grouping: { method: 'rules' as const, equals: [['labels.check']] }, auto_resolve: { after: '1h' } },
    { id: 'quiet', auto_close: false },
  ],
  integrations: [
    {
      id: 'std',
      adapter: 'standard',
      key: 'test-key-0001',
      rate_limit: { per_second: 100000, per_minute: 1000000 },
      routes: [{ if: [{ key: 'labels.lane', op: 'IN' as const, values: ['*'] }], channel_label: 'lane' }],
    },
  ],
};

/** The same integration moved: dedicated to `quiet`, so open alerts of `ops` are left where they opened. */
const { routes: _routes, ...integration } = config.integrations[0];
const moved = { ...config, integrations: [{ ...integration, channel: 'quiet' }] };

type Row = Record<string, unknown>;

/** Every way an incident of the sequence disagrees with its alerts or is stuck open; empty when none. */
async function violations(driver: ScenarioDriver, prefix: string): Promise<string[]> {
  const db = driver.store.db;
  const alerts = (await db
    .selectFrom('alerts')
    .selectAll()
    .where('alert_key', 'like', `${prefix}%`)
    .execute()) as Row[];
  const ids = [...new Set(alerts.map((alert) => alert.incident_id).filter((id) => id !== null))] as string[];
  const incidents = ids.length
    ? ((await db.selectFrom('incidents').selectAll().where('incident_id', 'in', ids).execute()) as Row[])
    : [];
  const found: string[] = [];
  const fail = (incident: Row, what: string) => found.push(`incident ${String(incident.incident_id)}: ${what}`);
  for (const incident of incidents) {
    const own = alerts.filter((alert) => alert.incident_id === incident.incident_id);
    const active = own.filter((alert) => alert.is_open === 1 && alert.alert_status !== 'Ok');
    const closed = incident.progress === 'Closed';
    if (Number(incident.alert_cnt) !== own.length) fail(incident, `alert_cnt ${incident.alert_cnt} ≠ ${own.length}`);
    if (Number(incident.active_alert_cnt) !== active.length)
      fail(incident, `active_alert_cnt ${incident.active_alert_cnt} ≠ ${active.length}`);
    const status = active.length === 0 ? 'Ok' : highestSeverity(active.map((alert) => alert.alert_status as Severity));
    if (incident.incident_status !== status) fail(incident, `status ${incident.incident_status} ≠ ${status}`);
    const severity = highestSeverity(own.map((alert) => alert.alert_severity as Severity));
    if (incident.incident_severity !== severity) fail(incident, `severity ${incident.incident_severity} ≠ ${severity}`);
    if (closed && own.some((alert) => alert.is_open === 1)) fail(incident, 'closed with an open alert');
    if (closed && (incident.close_time === null || incident.open_grouping_key !== null))
      fail(incident, 'closed without close_time or still holding its grouping key');
    if (!closed && incident.close_time !== null) fail(incident, 'open with a close_time');
    // A closed incident keeps the time it was acknowledged, if it was.
    if (!closed && (incident.progress === 'Processing') !== (incident.ack_time !== null))
      fail(incident, `progress ${incident.progress} with ack_time ${incident.ack_time}`);
    if (incident.end_time !== null && active.length > 0) fail(incident, 'ended with active alerts');
    if (!closed && active.length === 0 && incident.end_time === null)
      fail(incident, 'open, no active alert and not recovered');
    const ends = own.map((alert) => alert.end_time).filter((end) => end !== null) as number[];
    if (!closed && active.length === 0 && incident.end_time !== null && Number(incident.end_time) !== Math.max(...ends))
      fail(incident, `end_time ${incident.end_time} is not its last recovery ${Math.max(...ends)}`);
    if (incident.end_time !== null && Number(incident.end_time) < Number(incident.start_time))
      fail(incident, 'ended before it started');
    // Nothing could ever close it: no alert left to recover, and a channel that closes only with its alerts.
    if (!closed && active.length === 0 && incident.channel_id === 'ops') fail(incident, 'open with no active alert');
  }
  for (const alert of alerts) {
    if (alert.end_time !== null && Number(alert.end_time) < Number(alert.start_time))
      found.push(`alert ${String(alert.alert_id)} ended before it started`);
    if (Number(alert.last_time) < Number(alert.start_time))
      found.push(`alert ${String(alert.alert_id)} last heard of before it started`);
    if (alert.is_open !== 1 || alert.muted !== null) continue;
    const incident = incidents.find((item) => item.incident_id === alert.incident_id);
    if (!incident || incident.progress === 'Closed')
      found.push(`alert ${String(alert.alert_id)} is open in a closed or missing incident`);
  }
  return found;
}

/** The error code of an action refused, undefined when it was applied. */
async function refusal(apply: () => Promise<unknown>): Promise<string | undefined> {
  try {
    await apply();
    return undefined;
  } catch (error) {
    if (error instanceof AppError) return error.code;
    throw error;
  }
}

/** One random sequence; the log of its steps, for the failure message. */
async function runSequence(driver: ScenarioDriver, seed: number): Promise<void> {
  const random = prng(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
  const prefix = `s${seed}-`;
  const log: string[] = [];
  for (let step = 0; step < stepsPerSequence; step++) {
    const roll = random();
    const key = `${prefix}k${Math.floor(random() * 3)}`;
    if (roll < 0.55) {
      // The source's time: absent, a backlog up to 2 hours old, a clock a little or far ahead, or a day too old.
      const offset = pick([undefined, -Math.floor(random() * 7_200_000), 120_000, 3_600_000, -90_000_000]);
      const body = {
        title_rule: `check ${key}`,
        event_status: pick(statuses),
        alert_key: key,
        labels: { lane: random() < 0.75 ? 'ops' : 'quiet', check: `${prefix}c${Math.floor(random() * 2)}` },
        ...(offset !== undefined && { event_time: driver.clock() + offset }),
      };
      log.push(`push ${body.alert_key} ${body.event_status} ${body.labels.lane} ${offset ?? ''}`);
      await driver.push(body);
    } else if (roll < 0.85) {
      const action = pick(actions);
      const newest = await driver.store.db
        .selectFrom('alerts')
        .select('incident_id')
        .where('alert_key', '=', key)
        .where('incident_id', 'is not', null)
        .orderBy('alert_id', 'desc')
        .executeTakeFirst();
      if (!newest?.incident_id) continue;
      const refused = await refusal(() =>
        applyIncidentAction(driver.store, String(newest.incident_id), action, {}, driver.clock()),
      );
      log.push(`${action} ${key}${refused ? ` → ${refused}` : ''}`);
      if (refused !== undefined) assert.equal(refused, 'Conflict', log.join('; '));
    } else if (roll < 0.87) {
      const toQuiet = random() < 0.5;
      log.push(toQuiet ? 'reload: integration moved to quiet' : 'reload: integration routed by lane');
      driver.reload?.(toQuiet ? moved : config);
    } else if (roll < 0.95) {
      const minutes = Math.floor(random() * 90);
      log.push(`advance ${minutes}m, fire timers`);
      driver.moveClock(minutes * 60_000);
      await driver.fireTimers();
    } else {
      log.push('fire timers');
      await driver.fireTimers();
    }
    const found = await violations(driver, prefix);
    assert.deepEqual(found, [], `seed ${seed}, after: ${log.join('; ')}`);
  }
}

function propertySuite(kind: StoreKind, sequences: number, firstSeed: number): void {
  describe(`incident state machine under random sequences on ${kind}`, () => {
    let driver: ScenarioDriver;
    before(async () => {
      driver = await directDriver(kind, { name: 'property', config, steps: [] });
    });
    after(() => driver.close());
    test(`${sequences} sequences of ${stepsPerSequence} steps keep every invariant`, async () => {
      for (let seed = firstSeed; seed < firstSeed + sequences; seed++) await runSequence(driver, seed);
    });
  });
}

propertySuite('sqlite', 300, 1);
propertySuite('postgres', 60, 1001);
