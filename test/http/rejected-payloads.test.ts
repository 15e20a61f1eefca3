import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { AdapterRegistry } from '../../src/adapters/registry.js';
import type { RejectedPayload } from '../../src/store/rejected-payloads.js';
import { queuedEventsOf } from '../support/queued.js';
import { api, postJson, startStack, type Stack } from '../support/stack.js';
import { storeKinds } from '../support/stores.js';
import { manifestFor, tempAdaptersDir } from '../support/temp-adapters.js';

const strictMapping = `$exists(body.name) ? { "title": body.name, "event_status": "Warning", "alert_key": body.id } : $error("payload without name")`;
const fixedMapping = `{ "title": body.name ?: body.label, "event_status": "Warning", "alert_key": body.id }`;

for (const kind of storeKinds) {
  describe(`rejected payloads, replay, recent payloads, preview (${kind})`, () => {
    const temp = tempAdaptersDir({
      strict: {
        manifest: manifestFor('strict', { content_types: ['application/json', 'application/x-www-form-urlencoded'] }),
        mapping: strictMapping,
      },
    });
    const adapters = AdapterRegistry.load({ dir: temp.dir });
    const push = (stack: Stack) =>
      `${stack.baseUrl}/event/push/alert/strict?integration_key=strict-key-0001&source=test`;
    let stack: Stack;
    before(async () => {
      stack = await startStack({
        store: kind,
        worker: false,
        configFile: {
          channels: [{ id: 'ops' }],
          integrations: [
            {
              id: 'strict-int',
              adapter: 'strict',
              key: 'strict-key-0001',
              channel: 'ops',
              rate_limit: { per_second: 10000, per_minute: 100000 },
            },
          ],
        },
        app: { adapters },
      });
    });
    after(async () => {
      await stack.close();
      temp.remove();
    });

    const listRejected = async (query = '') =>
      (await api(stack, 'GET', `/integrations/strict-int/rejected${query}`)).body.data as {
        items: RejectedPayload[];
        next_cursor: string | null;
      };

    test('a payload the mapping cannot map → 400, stored with its error, headers (no credentials) and body', async () => {
      const res = await postJson(
        push(stack),
        { label: 'disk full', id: 'a-1' },
        { 'x-trace': 't-1', authorization: 'Bearer secret-thing' },
      );
      assert.equal(res.status, 400);
      assert.match(
        (res.body.error as { message: string }).message,
        /^payload without name \(adapters\/strict\/mapping\.jsonata:1:\d+, JSONata D3137\)$/,
      );
      const { items } = await listRejected();
      assert.equal(items.length, 1);
      const [stored] = items;
      assert.equal(stored.adapter, 'strict');
      assert.equal(stored.request_id, res.body.request_id);
      assert.equal(stored.error.code, 'InvalidParameter');
      assert.deepEqual(JSON.parse(stored.body), { label: 'disk full', id: 'a-1' });
      assert.equal(stored.headers['x-trace'], 't-1');
      assert.equal(stored.headers.authorization, undefined);
      assert.deepEqual(stored.query, { source: 'test' });
      assert.equal(stored.content_type, 'application/json');
      assert.equal(stored.replayed_at, null);
    });

    test('a body that does not parse is kept too', async () => {
      const response = await fetch(push(stack), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"name": ',
      });
      assert.equal(response.status, 400);
      const { items } = await listRejected();
      assert.equal(items[0].body, '{"name": ');
      assert.match(items[0].error.message, /^request body is not valid JSON/);
    });

    test('replaying before the fix leaves it pending with the new error', async () => {
      const [, first] = (await listRejected()).items;
      const res = await api(stack, 'POST', `/integrations/strict-int/rejected/${first.id}/replay`);
      assert.equal(res.status, 200);
      assert.equal((res.body.data as { status: string }).status, 'rejected');
      const again = (await listRejected()).items.find((item) => item.id === first.id);
      assert.equal(again?.replayed_at, null);
      assert.equal((again?.replay_result as { status: string }).status, 'rejected');
    });

    test('after fixing the adapter, one replay queues its events; replaying it again → 409', async () => {
      temp.write('strict', { mapping: fixedMapping });
      await adapters.refresh();
      const [, first] = (await listRejected()).items;
      const res = await api(stack, 'POST', `/integrations/strict-int/rejected/${first.id}/replay`);
      const result = res.body.data as { status: string; request_id: string; alert_keys: string[] };
      assert.equal(result.status, 'accepted');
      assert.deepEqual(result.alert_keys, ['a-1']);
      const [event] = await queuedEventsOf(stack, result.request_id);
      assert.equal(event.title, 'disk full');
      assert.equal(event.integration_id, 'strict-int');
      const stored = (await listRejected()).items.find((item) => item.id === first.id);
      assert.ok(stored?.replayed_at);
      const twice = await api(stack, 'POST', `/integrations/strict-int/rejected/${first.id}/replay`);
      assert.equal(twice.status, 409);
      assert.equal(twice.body.error?.code, 'Conflict');
    });

    test('replay all: every pending payload, oldest first; still-broken ones stay pending', async () => {
      temp.write('strict', { mapping: strictMapping });
      await adapters.refresh();
      await postJson(push(stack), { label: 'b', id: 'b-1' });
      await postJson(push(stack), { label: 'c', id: 'c-1' });
      temp.write('strict', { mapping: fixedMapping });
      await adapters.refresh();
      const res = await api(stack, 'POST', '/integrations/strict-int/rejected/replay');
      const summary = res.body.data as {
        accepted: number;
        rejected: number;
        remaining: boolean;
        items: Array<{ status: string; alert_keys?: string[] }>;
      };
      assert.equal(summary.accepted, 2);
      assert.equal(summary.rejected, 1, 'the unparseable body stays rejected');
      assert.deepEqual(
        summary.items.filter((item) => item.status === 'accepted').map((item) => item.alert_keys),
        [['b-1'], ['c-1']],
      );
      const pending = await listRejected('?pending=true');
      assert.equal(pending.items.length, 1);
    });

    test('paging, unknown ids and integrations', async () => {
      const page = await listRejected('?limit=2');
      assert.equal(page.items.length, 2);
      assert.ok(page.next_cursor);
      const rest = await listRejected(`?limit=2&cursor=${page.next_cursor}`);
      assert.equal(rest.items.length, 2);
      assert.equal((await api(stack, 'POST', '/integrations/strict-int/rejected/nope/replay')).status, 404);
      assert.equal((await api(stack, 'GET', '/integrations/nope/rejected')).status, 404);
    });

    test('accepted payloads are kept as recent payloads (newest first)', async () => {
      await postJson(push(stack), { name: 'recent', id: 'r-1' });
      let items: Array<{ body: string; events: number; adapter: string }> = [];
      for (let i = 0; i < 50 && items.length === 0; i += 1) {
        items = ((await api(stack, 'GET', '/integrations/strict-int/payloads')).body.data as { items: typeof items })
          .items;
        if (items.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
      }
      assert.deepEqual(JSON.parse(items[0].body), { name: 'recent', id: 'r-1' });
      assert.equal(items[0].events, 1);
      assert.equal(items[0].adapter, 'strict');
    });

    test('preview maps a payload (JSON or form) and stores nothing', async () => {
      const before = (await listRejected()).items.length;
      const jobs = await stack.queue.count();
      const wrapped = await api(stack, 'POST', '/adapters/strict/preview', {
        payload: { name: 'preview me', id: 'p-1' },
      });
      assert.equal(wrapped.status, 200);
      const data = wrapped.body.data as { events: Array<{ title: string; alert_key: string }>; errors: unknown[] };
      assert.deepEqual([data.events[0].title, data.events[0].alert_key, data.errors], ['preview me', 'p-1', []]);
      const form = await api(stack, 'POST', '/adapters/strict/preview', {
        payload: 'name=from+form&id=f-1',
        content_type: 'application/x-www-form-urlencoded',
      });
      assert.equal((form.body.data as { events: Array<{ title: string }> }).events[0].title, 'from form');
      const raw = await api(stack, 'POST', '/adapters/strict/preview', { id: 'no-title' });
      assert.deepEqual((raw.body.data as { errors: Array<{ code: string; message: string }> }).errors, [
        { code: 'InvalidParameter', message: 'title_rule: is required' },
      ]);
      assert.equal((await listRejected()).items.length, before);
      assert.equal(await stack.queue.count(), jobs);
      assert.equal((await api(stack, 'POST', '/adapters/nothing/preview', {})).status, 404);
    });

    test('GET /adapters lists the loaded adapters; the API needs the admin token', async () => {
      const res = await api(stack, 'GET', '/adapters');
      const items = (res.body.data as { items: Array<{ name: string; push_url: string }> }).items;
      assert.deepEqual(
        items.map((item) => [item.name, item.push_url]),
        [['strict', 'http://alertgate.test/event/push/alert/strict']],
      );
      const anonymous = await fetch(`${stack.baseUrl}/api/v1/adapters`);
      assert.equal(anonymous.status, 401);
    });
  });
}
