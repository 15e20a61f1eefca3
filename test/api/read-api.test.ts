import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { api, postJson, startStack, type Stack } from '../support/stack.js';
import { storeKinds } from '../support/stores.js';

interface Page<T> {
  items: T[];
  next_cursor: string | null;
  counts?: Record<string, number>;
}
interface EventItem {
  event_id: string;
  request_id: string;
  integration_id: string;
  alert_key: string;
  alert_id: string | null;
  incident_id: string | null;
  title: string;
  outcome: string;
  received_at: number;
  labels: Record<string, string>;
  trace: Array<Record<string, unknown>>;
  [field: string]: unknown;
}
interface IncidentItem {
  incident_id: string;
  title: string;
  progress: string;
  start_time: number;
  [field: string]: unknown;
}

/** Columns of the store that the API names differently or keeps to itself. */
const internalColumns = ['open_grouping_key', 'storm_raised', 'last_event_hash', 'last_event_core_hash', 'is_open'];

/** Every key of every object in a JSON value. */
function keysIn(value: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const item of value) keysIn(item, into);
  else if (typeof value === 'object' && value !== null)
    for (const [key, item] of Object.entries(value)) {
      into.add(key);
      keysIn(item, into);
    }
  return into;
}

const t0 = Date.parse('2026-03-01T10:00:00.000Z');
const minute = 60_000;
const iso = (ms: number): string => new Date(ms).toISOString();

for (const kind of storeKinds) {
  describe(`read API (events, incident filters) on ${kind}`, () => {
    let stack: Stack;
    let now = t0;
    let batchRequest = '';
    const all: EventItem[] = [];
    const get = async <T>(path: string): Promise<T> => {
      const res = await api(stack, 'GET', path);
      assert.equal(res.status, 200, `${path}: ${JSON.stringify(res.body)}`);
      return res.body.data as T;
    };
    const events = (query: string) => get<Page<EventItem>>(`/events?limit=500&${query}`);
    const incidents = (query: string) => get<Page<IncidentItem>>(`/incidents?limit=500&${query}`);
    const badRequest = async (path: string, message: string) => {
      const res = await api(stack, 'GET', path);
      assert.equal(res.status, 400, path);
      assert.deepEqual(res.body.error, { code: 'InvalidParameter', message }, path);
    };
    /** Pushes at t0 + `minutes`, through the real endpoint. */
    const push = async (minutes: number, body: unknown, key = 'key-ops-0001') => {
      now = t0 + minutes * minute;
      const res = await postJson(`${stack.baseUrl}/event/push/alert/standard?integration_key=${key}`, body);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return String(res.body.request_id);
    };

    before(async () => {
      stack = await startStack({
        store: kind,
        clock: () => now,
        configFile: {
          channels: [
            { id: 'ops', drop: [{ id: 'no-info', if: [{ key: 'severity', op: 'IN', values: ['Info'] }] }] },
            { id: 'db' },
          ],
          integrations: [
            {
              id: 'ops-std',
              adapter: 'standard',
              key: 'key-ops-0001',
              channel: 'ops',
              rate_limit: { per_second: 10000, per_minute: 100000 },
            },
            {
              id: 'db-std',
              adapter: 'standard',
              key: 'key-db-00001',
              channel: 'db',
              rate_limit: { per_second: 10000, per_minute: 100000 },
            },
          ],
        },
      });
      const cpu = { title_rule: 'CPU high on web1', alert_key: 'cpu-web1', labels: { service: 'web' } };
      await push(0, { ...cpu, event_status: 'Critical' });
      await stack.waitForEvents(1);
      await push(1, { ...cpu, event_status: 'Critical' });
      await push(2, { title_rule: 'fyi disk', event_status: 'Info', alert_key: 'fyi' });
      await push(3, { title_rule: 'gone', event_status: 'Ok', alert_key: 'never' });
      await push(
        4,
        {
          title_rule: 'DB slow_query 100%',
          event_status: 'Warning',
          alert_key: 'db1',
          labels: { service: 'db', team: 'data,ops' },
        },
        'key-db-00001',
      );
      await stack.waitForEvents(5);
      await push(5, { ...cpu, event_status: 'Ok' });
      await stack.waitForEvents(6);
      batchRequest = await push(
        6,
        [0, 1, 2].map((i) => ({ title_rule: `batch ${i}`, event_status: 'Critical', alert_key: `b${i}` })),
      );
      await stack.waitForEvents(9);
      await stack.waitForIdle();
      all.push(...(await events('')).items);
    });
    after(() => stack.close());

    test('events: every stored event, newest first by received time then id', () => {
      assert.equal(all.length, 9);
      const order = all.map((event) => [event.received_at, event.event_id] as const);
      const sorted = [...order].sort((a, b) => b[0] - a[0] || (a[1] < b[1] ? 1 : -1));
      assert.deepEqual(order, sorted);
      assert.deepEqual(
        all.map((event) => event.outcome),
        [
          'new_alert',
          'new_alert',
          'new_alert',
          'recovered',
          'new_alert',
          'ignored',
          'dropped',
          'duplicate',
          'new_alert',
        ],
      );
    });

    test('events: cursor pages cover the list once, in order, also inside one request', async () => {
      for (const limit of [1, 2, 4]) {
        const seen: string[] = [];
        let cursor: string | null = null;
        do {
          const page: Page<EventItem> = await get(`/events?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
          assert.ok(page.items.length <= limit);
          seen.push(...page.items.map((event) => event.event_id));
          cursor = page.next_cursor;
        } while (cursor);
        assert.deepEqual(
          seen,
          all.map((event) => event.event_id),
          `limit ${limit}`,
        );
      }
      const filtered = await get<Page<EventItem>>('/events?channel=ops&limit=3');
      const rest = await get<Page<EventItem>>(`/events?channel=ops&limit=500&cursor=${filtered.next_cursor}`);
      assert.equal(filtered.items.length + rest.items.length, 8);
      assert.equal(rest.next_cursor, null);
    });

    test('events: by integration, channel, outcome, alert_key, request_id, alert and incident', async () => {
      const titles = (page: Page<EventItem>) => page.items.map((event) => event.title);
      assert.deepEqual(titles(await events('integration=db-std')), ['DB slow_query 100%']);
      assert.equal((await events('channel=ops')).items.length, 8);
      assert.equal((await events('channel=db,ops')).items.length, 9);
      const dropped = (await events('outcome=dropped')).items;
      assert.deepEqual(titles({ items: dropped, next_cursor: null }), ['fyi disk']);
      assert.deepEqual(
        dropped[0].trace.map((step) => [step.step, step.result]),
        [
          ['route', dropped[0].trace[0].result],
          ['drop', 'dropped'],
        ],
      );
      assert.equal(dropped[0].trace[1].rule_id, 'no-info');
      assert.equal((await events('outcome=new_alert,duplicate')).items.length, 6);
      assert.equal((await events('outcome=new_alert&outcome=duplicate')).items.length, 6);
      const cpu = (await events('alert_key=cpu-web1')).items;
      assert.deepEqual(
        cpu.map((event) => event.outcome),
        ['recovered', 'duplicate', 'new_alert'],
      );
      const batch = (await events(`request_id=${batchRequest}`)).items;
      assert.deepEqual(titles({ items: batch, next_cursor: null }).sort(), ['batch 0', 'batch 1', 'batch 2']);
      const alertId = String(cpu[2].alert_id);
      assert.equal((await events(`alert=${alertId}`)).items.length, 3);
      const incidentId = String(cpu[2].incident_id);
      assert.deepEqual(
        (await events(`incident=${incidentId}`)).items.map((event) => event.alert_key),
        ['cpu-web1', 'cpu-web1', 'cpu-web1'],
      );
      assert.equal((await events('integration=ops-std&outcome=new_alert&alert_key=b1')).items.length, 1);
      assert.equal((await events('integration=nobody')).items.length, 0);
    });

    test('events: since and until as epoch ms or ISO 8601, and title text', async () => {
      const window = (page: Page<EventItem>) => page.items.map((event) => event.title);
      const expected = ['DB slow_query 100%', 'gone', 'fyi disk'];
      assert.deepEqual(window(await events(`since=${t0 + 2 * minute}&until=${t0 + 5 * minute}`)), expected);
      assert.deepEqual(window(await events(`since=${iso(t0 + 2 * minute)}&until=${iso(t0 + 5 * minute)}`)), expected);
      assert.deepEqual(
        window(await events(`since=${encodeURIComponent('2026-03-01T11:02:00+01:00')}&until=${t0 + 5 * minute}`)),
        expected,
      );
      // Without a zone: UTC, whatever the server's zone.
      assert.deepEqual(window(await events(`since=2026-03-01T10:02:00&until=2026-03-01T10:05`)), expected);
      assert.equal((await events('until=2026-03-01')).items.length, 0);
      assert.equal((await events(`since=${t0 + 6 * minute}`)).items.length, 3);
      assert.deepEqual(window(await events('q=cpu%20HIGH&outcome=new_alert')), ['CPU high on web1']);
      assert.deepEqual(window(await events('q=100%25')), ['DB slow_query 100%']);
      assert.deepEqual(window(await events('q=_')), ['DB slow_query 100%']);
      assert.equal((await events('q=100%25x')).items.length, 0);
    });

    test('events: one by id with its trace as JSON; time_format=iso adds ISO twins', async () => {
      const first = all[all.length - 1];
      const plain = await get<EventItem>(`/events/${first.event_id}`);
      assert.deepEqual(plain.labels, { service: 'web' });
      assert.ok(Array.isArray(plain.trace) && plain.trace.length > 0);
      for (const step of plain.trace) assert.equal(typeof step, 'object');
      assert.deepEqual(
        Object.keys(plain).filter((key) => key.endsWith('_iso')),
        [],
      );
      const withIso = await get<EventItem>(`/events/${first.event_id}?time_format=iso`);
      assert.equal(withIso.received_at_iso, iso(t0));
      assert.equal(withIso.processed_at_iso, iso(plain.processed_at as number));
      assert.equal(withIso.event_time_iso, iso(plain.event_time as number));
      const page = await get<Page<EventItem>>('/events?limit=1&time_format=iso');
      assert.equal(page.items[0].received_at_iso, iso(t0 + 6 * minute));
      const missing = await api(stack, 'GET', '/events/NOPE');
      assert.equal(missing.status, 404);
      assert.deepEqual(missing.body.error, { code: 'ResourceNotFound', message: 'no event with id NOPE' });
    });

    test('events: bad parameters are 400 InvalidParameter naming the parameter', async () => {
      await badRequest(
        '/events?outcome=paged',
        'outcome: must be one of new_alert, merged, recovered, labels_updated, duplicate, ignored, late, dropped, silenced, inhibited, rejected, got "paged"',
      );
      await badRequest(
        '/events?since=yesterday',
        'since: must be epoch milliseconds or an ISO 8601 time (2026-01-31T08:00:00Z), got "yesterday"',
      );
      await badRequest(
        '/events?until=2026-13-45T00:00:00Z',
        'until: must be epoch milliseconds or an ISO 8601 time (2026-01-31T08:00:00Z), got "2026-13-45T00:00:00Z"',
      );
      await badRequest(
        '/events?until=2026-02-30',
        'until: must be epoch milliseconds or an ISO 8601 time (2026-01-31T08:00:00Z), got "2026-02-30"',
      );
      await badRequest('/events?since=1&since=2', 'since: must be given once');
      await badRequest('/events?cursor=abc', 'cursor: must be a next_cursor of this list, got "abc"');
      await badRequest('/events?limit=501', 'limit: must be an integer from 1 to 500');
      await badRequest('/events?time_format=unix', 'time_format: must be one of ms, iso, got "unix"');
      await badRequest(`/events?q=${'x'.repeat(201)}`, 'q: must be at most 200 characters');
    });

    test('incidents: severity, status, label, q and ISO times filter; counts by severity of the open ones', async () => {
      const titles = async (query: string) => (await incidents(query)).items.map((item) => item.title).sort();
      assert.deepEqual(await titles(''), ['CPU high on web1', 'DB slow_query 100%', 'batch 0', 'batch 1', 'batch 2']);
      assert.deepEqual(await titles('severity=Warning'), ['DB slow_query 100%']);
      assert.deepEqual(await titles('severity=Warning,Info&channel=db'), ['DB slow_query 100%']);
      assert.deepEqual(await titles('status=Ok'), ['CPU high on web1']);
      assert.deepEqual(await titles('label=service=web'), ['CPU high on web1']);
      assert.deepEqual(await titles(`label=${encodeURIComponent('team=data,ops')}`), ['DB slow_query 100%']);
      assert.deepEqual(await titles('label=service=db&label=team=nope'), []);
      assert.deepEqual(await titles('q=BATCH&severity=Critical'), ['batch 0', 'batch 1', 'batch 2']);
      assert.deepEqual(await titles(`since=${iso(t0 + 4 * minute)}&until=${t0 + 6 * minute}`), ['DB slow_query 100%']);
      const counted = await incidents('counts=1');
      assert.deepEqual(counted.counts, { Critical: 3, Warning: 1, Info: 0 });
      assert.deepEqual((await get<Page<IncidentItem>>('/incidents?counts=1&channel=ops&limit=1')).counts, {
        Critical: 3,
        Warning: 0,
        Info: 0,
      });
      assert.deepEqual((await incidents('counts=1&progress=Closed')).counts, { Critical: 0, Warning: 0, Info: 0 });
      assert.equal((await incidents('')).counts, undefined);
    });

    test('incidents: named states instead of internal columns; time_format=iso throughout the detail', async () => {
      const [cpu] = (await incidents('label=service=web')).items;
      assert.equal(cpu.progress, 'Closed');
      assert.equal(cpu.group_method, 'none');
      assert.equal(cpu.accepts_alerts, false);
      assert.deepEqual(cpu.storm, { raised: false, thresholds: [] });
      assert.deepEqual(cpu.flapping, { state: 'none' });
      const detail = await get<{
        incident: IncidentItem;
        alerts: Array<Record<string, unknown>>;
        timeline: Array<Record<string, unknown>>;
      }>(`/incidents/${cpu.incident_id}?time_format=iso`);
      assert.equal(detail.incident.start_time_iso, iso(t0));
      assert.equal(detail.incident.ack_time_iso, null);
      assert.equal(detail.alerts[0].start_time_iso, iso(t0));
      assert.deepEqual(detail.alerts[0].flapping, { state: 'none' });
      assert.equal(detail.alerts[0].muted, null);
      assert.deepEqual(
        detail.timeline.map((entry) => [entry.type, entry.at_iso]),
        [
          ['i_new', iso(t0)],
          ['i_rslv', iso(t0 + 5 * minute)],
        ],
      );
      const alerts = await get<Page<Record<string, unknown>>>('/alerts?time_format=iso&limit=500');
      assert.ok(alerts.items.every((alert) => typeof alert.start_time_iso === 'string'));
      const integrations = await get<{ items: Array<Record<string, unknown>> }>('/integrations?time_format=iso');
      const db = integrations.items.find((item) => item.id === 'db-std');
      assert.equal(db?.latest_event_at_iso, iso(t0 + 4 * minute));
    });

    test('incidents: bad filters are 400 InvalidParameter naming the parameter', async () => {
      await badRequest('/incidents?severity=High', 'severity: must be one of Critical, Warning, Info, got "High"');
      await badRequest('/incidents?status=Fine', 'status: must be one of Critical, Warning, Info, Ok, got "Fine"');
      await badRequest('/incidents?label=service', 'label: must be key=value, got "service"');
      await badRequest('/incidents?label==web', 'label: must be key=value, got "=web"');
      await badRequest('/incidents?counts=2', 'counts: must be 1 or 0, got "2"');
      await badRequest(
        '/incidents?since=last%20week',
        'since: must be epoch milliseconds or an ISO 8601 time (2026-01-31T08:00:00Z), got "last week"',
      );
      await badRequest('/incidents/x?time_format=iso8601', 'time_format: must be one of ms, iso, got "iso8601"');
    });

    test('no response carries an internal column', async () => {
      const [incident] = (await incidents('')).items;
      const alertId = String(all[0].alert_id);
      const bodies = await Promise.all(
        [
          '/events?limit=500',
          `/events/${all[0].event_id}`,
          '/incidents?limit=500&counts=1',
          `/incidents/${incident.incident_id}`,
          '/alerts?limit=500',
          `/alerts/${alertId}`,
          '/integrations',
          '/channels',
        ].map((path) => get<unknown>(`${path}${path.includes('?') ? '&' : '?'}time_format=iso`)),
      );
      const keys = keysIn(bodies);
      assert.deepEqual(
        internalColumns.filter((column) => keys.has(column)),
        [],
      );
    });
  });
}
