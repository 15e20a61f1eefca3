import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { api, postJson, startStack, type Stack } from '../support/stack.js';
import { storeKinds } from '../support/stores.js';

interface Page<T> {
  items: T[];
  next_cursor: string | null;
}
interface IncidentItem {
  incident_id: string;
  progress: string;
  channel_id: string;
  title: string;
}

for (const kind of storeKinds) {
  describe(`management API on ${kind}`, () => {
    let stack: Stack;
    const push = (body: unknown, key = 'key-ops-0001') =>
      postJson(`${stack.baseUrl}/event/push/alert/standard?integration_key=${key}`, body);

    before(async () => {
      stack = await startStack({
        store: kind,
        configFile: {
          channels: [{ id: 'ops', name: 'Operations' }, { id: 'db' }],
          integrations: [
            {
              id: 'ops-std',
              name: 'Ops standard',
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
      for (let i = 0; i < 5; i += 1)
        assert.equal(
          (await push({ title_rule: `ops ${i}`, event_status: 'Critical', alert_key: `o${i}` })).status,
          200,
        );
      await push({ title_rule: 'ops 0', event_status: 'Critical', alert_key: 'o0' });
      await push({ title_rule: 'gone', event_status: 'Ok', alert_key: 'never' });
      await push({ title_rule: 'db slow', event_status: 'Warning', alert_key: 'd1' }, 'key-db-00001');
      await stack.waitForEvents(8);
    });
    after(() => stack.close());

    test('needs the admin bearer token', async () => {
      const none = await fetch(`${stack.baseUrl}/api/v1/incidents`);
      assert.equal(none.status, 401);
      assert.deepEqual(((await none.json()) as { error: unknown }).error, {
        code: 'Unauthorized',
        message: 'management API needs Authorization: Bearer <ADMIN_TOKEN>',
      });
      const wrong = await fetch(`${stack.baseUrl}/api/v1/incidents`, { headers: { authorization: 'Bearer nope' } });
      assert.equal(wrong.status, 401);
    });

    test('incidents: filter by channel and page with a cursor, newest first', async () => {
      const seen: IncidentItem[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res = await api(stack, 'GET', `/incidents?channel=ops&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        assert.equal(res.status, 200);
        const page = res.body.data as Page<IncidentItem>;
        seen.push(...page.items);
        cursor = page.next_cursor;
        pages += 1;
      } while (cursor);
      assert.equal(pages, 3);
      // Newest first by id; different alerts may apply in parallel lanes, so ids need not follow push order.
      const ids = seen.map((item) => item.incident_id);
      assert.deepEqual(ids, [...ids].sort().reverse());
      assert.deepEqual(seen.map((item) => item.title).sort(), ['ops 0', 'ops 1', 'ops 2', 'ops 3', 'ops 4']);
      const db = (await api(stack, 'GET', '/incidents?channel=db')).body.data as Page<IncidentItem>;
      assert.deepEqual(
        db.items.map((item) => item.title),
        ['db slow'],
      );
    });

    test('incidents: time and progress filters; bad parameters are 400 with the field named', async () => {
      const future = (await api(stack, 'GET', `/incidents?since=${Date.now() + 60_000}`)).body
        .data as Page<IncidentItem>;
      assert.equal(future.items.length, 0);
      const past = (await api(stack, 'GET', `/incidents?until=${Date.now() + 60_000}&progress=Triggered`)).body
        .data as Page<IncidentItem>;
      assert.equal(past.items.length, 6);
      const bad = await api(stack, 'GET', '/incidents?progress=Open');
      assert.equal(bad.status, 400);
      assert.deepEqual(bad.body.error, {
        code: 'InvalidParameter',
        message: 'progress: must be one of Triggered, Processing, Closed, got "Open"',
      });
      const badLimit = await api(stack, 'GET', '/incidents?limit=0');
      assert.equal(badLimit.body.error?.message, 'limit: must be an integer from 1 to 500');
    });

    test('incident detail has its alerts and timeline; actions move progress; closed cannot be acked', async () => {
      const list = (await api(stack, 'GET', '/incidents?channel=db')).body.data as Page<IncidentItem>;
      const id = list.items[0].incident_id;
      const ack = await api(stack, 'POST', `/incidents/${id}/ack`, { actor: 'alice' });
      assert.equal((ack.body.data as IncidentItem).progress, 'Processing');
      assert.equal(
        ((await api(stack, 'POST', `/incidents/${id}/unack`)).body.data as IncidentItem).progress,
        'Triggered',
      );
      assert.equal(
        ((await api(stack, 'POST', `/incidents/${id}/close`, { reason: 'fixed' })).body.data as IncidentItem).progress,
        'Closed',
      );
      const conflict = await api(stack, 'POST', `/incidents/${id}/ack`);
      assert.equal(conflict.status, 409);
      assert.equal(conflict.body.error?.code, 'Conflict');
      assert.equal(
        ((await api(stack, 'POST', `/incidents/${id}/reopen`)).body.data as IncidentItem).progress,
        'Triggered',
      );
      const detail = (await api(stack, 'GET', `/incidents/${id}`)).body.data as {
        alerts: Array<{ alert_key: string; progress: string }>;
        timeline: Array<{ type: string; actor: string | null; detail: unknown }>;
      };
      assert.deepEqual(
        detail.alerts.map((alert) => [alert.alert_key, alert.progress]),
        [['d1', 'Triggered']],
      );
      assert.deepEqual(
        detail.timeline.map((entry) => entry.type),
        ['i_new', 'i_ack', 'i_unack', 'i_close', 'i_reopen'],
      );
      assert.equal(detail.timeline[1].actor, 'alice');
      assert.deepEqual(detail.timeline[3].detail, { reason: 'fixed', closed_alerts: 1 });
      const missing = await api(stack, 'GET', '/incidents/NOPE');
      assert.equal(missing.status, 404);
      assert.deepEqual(missing.body.error, { code: 'ResourceNotFound', message: 'no incident with id NOPE' });
    });

    test('alerts: list by integration and state; detail has events with traces; an event by id', async () => {
      const active = (await api(stack, 'GET', '/alerts?integration=ops-std&state=active')).body.data as Page<{
        alert_id: string;
        alert_key: string;
        event_cnt: number;
      }>;
      assert.equal(active.items.length, 5);
      const o0 = active.items.find((alert) => alert.alert_key === 'o0');
      assert.ok(o0);
      const detail = (await api(stack, 'GET', `/alerts/${o0.alert_id}`)).body.data as {
        alert: { last_time: number; start_time: number };
        events: Array<{ event_id: string; outcome: string; trace: Array<{ step: string }> }>;
      };
      assert.deepEqual(
        detail.events.map((event) => event.outcome),
        ['new_alert', 'duplicate'],
      );
      assert.ok(detail.alert.last_time >= detail.alert.start_time);
      assert.deepEqual(
        detail.events[1].trace.map((step) => step.step),
        ['route', 'merge'],
      );
      const event = (await api(stack, 'GET', `/events/${detail.events[0].event_id}`)).body.data as {
        outcome: string;
        labels: unknown;
      };
      assert.equal(event.outcome, 'new_alert');
      assert.deepEqual(event.labels, {});
    });

    test('integrations: push URL, latest event time and counts by outcome', async () => {
      const list = (await api(stack, 'GET', '/integrations')).body.data as {
        items: Array<{ id: string; push_url: string; latest_event_at: number | null; counts: Record<string, number> }>;
      };
      const ops = list.items.find((item) => item.id === 'ops-std');
      assert.ok(ops);
      assert.equal(ops.push_url, 'http://alertgate.test/event/push/alert/standard');
      assert.ok(ops.latest_event_at && ops.latest_event_at > Date.now() - 60_000);
      assert.deepEqual(ops.counts, { new_alert: 5, duplicate: 1, ignored: 1 });
      const channels = (await api(stack, 'GET', '/channels')).body.data as { items: Array<{ id: string }> };
      assert.deepEqual(
        channels.items.map((channel) => channel.id),
        ['ops', 'db'],
      );
      assert.equal((await api(stack, 'GET', '/integrations/none')).status, 404);
    });

    test('failed jobs are listed and can be retried', async () => {
      await stack.queue.add('events', { events: null } as never, { attempts: 1 });
      let failed: Array<{ id: string; failed_reason: string }> = [];
      for (let i = 0; i < 100 && failed.length === 0; i += 1) {
        failed = ((await api(stack, 'GET', '/failed-jobs')).body.data as { items: typeof failed }).items;
        if (failed.length === 0) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.equal(failed.length, 1);
      const retried = await api(stack, 'POST', `/failed-jobs/${failed[0].id}/retry`);
      assert.deepEqual(retried.body.data, { id: failed[0].id, retried: true });
      assert.equal((await api(stack, 'POST', '/failed-jobs/999999/retry')).status, 404);
    });

    test('health, readiness and metrics', async () => {
      assert.deepEqual(await (await fetch(`${stack.baseUrl}/healthz`)).json(), { status: 'ok' });
      const ready = await fetch(`${stack.baseUrl}/readyz`);
      assert.equal(ready.status, 200);
      assert.deepEqual(await ready.json(), {
        status: 'ready',
        checks: { redis: 'ok', database: 'ok', adapters: 'ok' },
      });
      const metrics = await (await fetch(`${stack.baseUrl}/metrics`)).text();
      for (const name of [
        'alertgate_http_requests_total{route="push_standard",code="200"}',
        'alertgate_gateway_events_total',
        'alertgate_events_total{integration="ops-std",outcome="new_alert"} 5',
        'alertgate_queue_jobs',
        'alertgate_worker_batch_duration_seconds_bucket',
        'alertgate_event_latency_seconds_bucket',
      ]) {
        assert.ok(metrics.includes(name), `metrics lack ${name}`);
      }
    });
  });
}
