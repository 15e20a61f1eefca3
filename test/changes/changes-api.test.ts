import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createChangeQueue } from '../../src/changes/change-queue.js';
import { storeChanges } from '../../src/changes/change-worker.js';
import type { QueuedChange } from '../../src/changes/types.js';
import { packageRoot } from '../../src/paths.js';
import { Redis } from 'ioredis';
import { api, postJson, redisUrl, startStack, type Stack } from '../support/stack.js';
import { storeKinds } from '../support/stores.js';
import { eventually } from '../support/waiting.js';

interface Change {
  change_id: string;
  integration_id: string;
  change_key: string;
  title: string;
  change_status: string;
  labels: Record<string, string>;
  link: string | null;
  statuses: Array<{ status: string; at: number; event_id: string }>;
  start_time: number;
  last_time: number;
  shared_labels?: string[];
  score?: number;
}
interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

const jira = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(join(packageRoot, 'test', 'changes', 'fixtures', `${name}.json`), 'utf8')) as Record<
    string,
    unknown
  >;

const minute = 60_000;

for (const kind of storeKinds) {
  describe(`change events on ${kind}`, () => {
    let stack: Stack;
    const base = Math.floor(Date.now() / 1000) * 1000;
    const pushChange = (body: unknown, key = 'deploy-key-0001') =>
      postJson(`${stack.baseUrl}/event/push/change/standard?integration_key=${key}`, body);
    const changes = async (query = '') => (await api(stack, 'GET', `/changes${query}`)).body.data as Page<Change>;
    const changeNamed = (key: string) =>
      eventually(`change ${key}`, async () => (await changes()).items.find((item) => item.change_key === key));

    before(async () => {
      stack = await startStack({
        store: kind,
        configFile: {
          channels: [{ id: 'ops', name: 'Operations' }],
          integrations: [
            { id: 'std', adapter: 'standard', key: 'alert-key-0001', channel: 'ops' },
            { id: 'deploys', name: 'Deploys', adapter: 'change-standard', key: 'deploy-key-0001' },
            {
              id: 'jira',
              adapter: 'change-jira',
              key: 'jira-key-00001',
              jira: { status_map: { 'Rolled Out': 'Done' } },
            },
          ],
          changes: { correlation_window: '2h' },
        },
      });
    });
    after(async () => {
      const redis = new Redis(redisUrl);
      const queue = createChangeQueue(redis, stack.prefix);
      await queue.obliterate({ force: true }).catch(() => undefined);
      await queue.close();
      redis.disconnect();
      await stack.close();
    });

    test('a change goes Planned → Processing → Done under one change_key; its history keeps each status', async () => {
      const first = await pushChange({
        title: 'Deploy checkout 2.3.0',
        change_key: 'deploy-42',
        change_status: 'Planned',
        labels: { service: 'checkout', env: 'prod' },
        link: 'https://ci.example.com/deploys/42',
        event_time: Math.floor((base - 50 * minute) / 1000),
      });
      assert.equal(first.status, 200);
      assert.deepEqual(first.body.data, { change_key: 'deploy-42' });
      assert.match(String(first.body.request_id), /^[0-9a-f]{32}$/);
      await changeNamed('deploy-42');
      for (const [status, ago] of [
        ['Processing', 40],
        ['Done', 30],
      ] as const) {
        const res = await pushChange({
          title: 'Deploy checkout 2.3.0',
          change_key: 'deploy-42',
          change_status: status,
          labels: { service: 'checkout', env: 'prod' },
          event_time: base - ago * minute,
        });
        assert.equal(res.status, 200);
      }
      const done = await eventually('deploy-42 done', async () => {
        const found = await changeNamed('deploy-42');
        return found.change_status === 'Done' ? found : undefined;
      });
      assert.deepEqual(
        done.statuses.map((entry) => entry.status),
        ['Planned', 'Processing', 'Done'],
      );
      assert.equal(done.start_time, base - 50 * minute);
      assert.equal(done.last_time, base - 30 * minute);
      assert.equal(done.integration_id, 'deploys');
      const one = await api(stack, 'GET', `/changes/${done.change_id}`);
      assert.equal(one.status, 200);
      assert.equal((one.body.data as Change).change_key, 'deploy-42');
      assert.equal((one.body.data as Change).link, 'https://ci.example.com/deploys/42', 'kept: later events gave none');
    });

    test('a redelivered or older change event changes nothing (idempotent on event_id)', async () => {
      const before = await changeNamed('deploy-42');
      const stale: QueuedChange = {
        title: 'stale',
        change_key: 'deploy-42',
        change_status: 'Canceled',
        labels: {},
        event_time: base,
        event_id: before.statuses[0].event_id,
        request_id: 'r',
        integration_id: 'deploys',
        integration_type: 'change-standard',
        received_at: base,
      };
      assert.deepEqual(await storeChanges(stack.testStore.store, { changes: [stale, stale] }, base), [
        'unchanged',
        'unchanged',
      ]);
      const after = await changeNamed('deploy-42');
      assert.deepEqual(after, before);
    });

    test('a list of changes is answered with change_keys; filters by integration, status, label and time', async () => {
      const res = await pushChange([
        { title: 'Scale db', change_key: 'db-1', change_status: 'Processing', labels: { service: 'db', env: 'prod' } },
        { title: 'Rotate certs', change_key: 'certs-1', change_status: 'Ready', labels: { env: 'staging' } },
      ]);
      assert.equal(res.status, 200);
      assert.deepEqual(res.body.data, { change_keys: ['db-1', 'certs-1'] });
      await changeNamed('certs-1');
      const keys = async (query: string) => (await changes(query)).items.map((item) => item.change_key).sort();
      assert.deepEqual(await keys('?status=Processing,Ready'), ['certs-1', 'db-1']);
      assert.deepEqual(await keys('?label=env:prod'), ['db-1', 'deploy-42']);
      assert.deepEqual(await keys('?label=env:prod&label=service=db'), ['db-1']);
      assert.deepEqual(await keys('?integration=jira'), []);
      assert.deepEqual(await keys(`?until=${base - 20 * minute}`), ['deploy-42']);
      assert.deepEqual(await keys(`?since=${base - 20 * minute}`), ['certs-1', 'db-1']);
      const page = await changes('?limit=2');
      assert.equal(page.items.length, 2);
      assert.ok(page.next_cursor);
      const rest = await changes(`?limit=2&cursor=${page.next_cursor}`);
      assert.deepEqual([...page.items, ...rest.items].map((item) => item.change_key).sort(), [
        'certs-1',
        'db-1',
        'deploy-42',
      ]);
      assert.equal(rest.next_cursor, null);
    });

    test('bad change events: 400 InvalidParameter naming the field, as the alert endpoint does', async () => {
      const cases: Array<[unknown, string]> = [
        [{ change_key: 'k', change_status: 'Done' }, 'title: is required'],
        [{ title: 't', change_status: 'Done' }, 'change_key: is required'],
        [
          { title: 't', change_key: 'k', change_status: 'done' },
          'change_status: must be one of Planned, Ready, Processing, Canceled, Done (case-sensitive), got "done"',
        ],
        [{ title: 't', change_key: 'k', change_status: 'Done', link: 'ftp://x' }, 'link: must match ^https?://'],
        [
          { title: 't', change_key: 'k'.repeat(256), change_status: 'Done' },
          'change_key: must be at most 255 characters',
        ],
        [
          { title: 't', change_key: 'k', change_status: 'Done', labels: { 'bad-key': 'x' } },
          'labels: label key "bad-key" must match ^[a-zA-Z_][a-zA-Z0-9_]*$',
        ],
        [[], 'body: a list must hold 1 to 100 change events, got 0'],
        ['"text"', 'body: must be a JSON object (one change event)'],
      ];
      for (const [body, message] of cases) {
        const res = await pushChange(body);
        assert.equal(res.status, 400, JSON.stringify(body).slice(0, 80));
        assert.deepEqual(res.body.error, { code: 'InvalidParameter', message });
      }
      const noKey = await postJson(`${stack.baseUrl}/event/push/change/standard`, {});
      assert.equal(noKey.status, 401);
      assert.equal((noKey.body.error as { code: string }).code, 'Unauthorized');
      const alertKey = await pushChange({ title: 't', change_key: 'k', change_status: 'Done' }, 'alert-key-0001');
      assert.equal(alertKey.status, 400);
      assert.match((alertKey.body.error as { message: string }).message, /^integration std takes standard payloads/);
      const get = await fetch(`${stack.baseUrl}/event/push/change/standard?integration_key=deploy-key-0001`);
      assert.equal(get.status, 400);
      assert.equal(((await get.json()) as { error: { code: string } }).error.code, 'MethodNotAllowed');
      const missing = await api(stack, 'GET', '/changes/01NOPE');
      assert.equal(missing.status, 404);
      assert.deepEqual(missing.body.error, { code: 'ResourceNotFound', message: 'no change with id 01NOPE' });
      const badFilter = await api(stack, 'GET', '/changes?status=Finished');
      assert.equal(badFilter.status, 400);
    });

    test('Jira issue webhooks: created, then the status transitions update the same change', async () => {
      const url = `${stack.baseUrl}/event/push/change/jira?integration_key=jira-key-00001`;
      const created = await postJson(url, jira('jira-issue-created'));
      assert.equal(created.status, 200);
      assert.deepEqual(created.body.data, { change_key: 'OPS-12' });
      await changeNamed('OPS-12');
      assert.equal((await postJson(url, jira('jira-issue-transition-in-progress'))).status, 200);
      assert.equal((await postJson(url, jira('jira-issue-transition-custom'))).status, 200);
      const done = await eventually('OPS-12 done', async () => {
        const found = await changeNamed('OPS-12');
        return found.change_status === 'Done' ? found : undefined;
      });
      assert.deepEqual(
        done.statuses.map((entry) => entry.status),
        ['Planned', 'Processing', 'Done'],
      );
      assert.equal(done.labels.service, 'checkout');
      assert.equal(done.link, 'https://jira.example.com/jira/browse/OPS-12');
      // An edit that keeps the status (here: the same transition sent again, later) adds no history entry.
      const again = { ...jira('jira-issue-transition-custom'), timestamp: 1764672000000 };
      assert.equal((await postJson(url, again)).status, 200);
      await eventually('edit applied', async () => {
        const found = await changeNamed('OPS-12');
        return found.last_time === 1764672000000 ? found : undefined;
      });
      assert.equal((await changeNamed('OPS-12')).statuses.length, 3);
      const comment = await postJson(url, jira('jira-comment-created'));
      assert.equal(comment.status, 400);
      assert.equal((comment.body.error as { code: string }).code, 'InvalidParameter');
    });

    test('an incident lists the changes before it that share a label value, most relevant first', async () => {
      // deploy-42 shares service and env, db-1 only env, certs-1 nothing; OPS-12 shares service and cluster but its
      // Jira fixtures are dated a year back, far outside the 2 h window.
      const res = await postJson(`${stack.baseUrl}/event/push/alert/standard?integration_key=alert-key-0001`, {
        title_rule: 'checkout 5xx',
        event_status: 'Critical',
        alert_key: 'checkout-5xx',
        labels: { service: 'checkout', env: 'prod', cluster: 'eu-1' },
      });
      assert.equal(res.status, 200);
      const incident = await eventually('incident', async () => {
        const list = (await api(stack, 'GET', '/incidents')).body.data as Page<{ incident_id: string }>;
        return list.items[0];
      });
      const detail = (await api(stack, 'GET', `/incidents/${incident.incident_id}`)).body.data as {
        changes: Change[];
      };
      assert.deepEqual(
        detail.changes.map((change) => [change.change_key, change.shared_labels, change.score]),
        [
          ['deploy-42', ['env', 'service'], 2],
          ['db-1', ['env'], 1],
        ],
      );
    });

    test('the integrations API shows the change push URLs', async () => {
      const { items } = (await api(stack, 'GET', '/integrations')).body.data as {
        items: Array<{ id: string; push_url: string }>;
      };
      assert.deepEqual(
        items.filter((item) => item.id !== 'std').map((item) => item.push_url),
        ['http://alertgate.test/event/push/change/standard', 'http://alertgate.test/event/push/change/jira'],
      );
    });

    test('/metrics counts the change events received', async () => {
      const text = await (await fetch(`${stack.baseUrl}/metrics`)).text();
      assert.match(text, /alertgate_changes_received_total\{integration="deploys",status="Done"\} 1/);
      assert.match(text, /alertgate_changes_received_total\{integration="jira",status="Processing"\} 1/);
    });
  });
}
