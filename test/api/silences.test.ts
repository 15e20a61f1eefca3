import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eventView } from '../../src/store/api-views.js';
import { api, postJson, startStack, type Stack } from '../support/stack.js';
import { storeKinds } from '../support/stores.js';

interface SilenceItem {
  id: string;
  channel_id: string;
  source: string;
  rule: Record<string, unknown>;
  state: string;
  active: boolean;
  comment: string | null;
  created_at: number | null;
  created_by: string | null;
  starts_at: number | null;
  expires_at: number | null;
}

const condition = (key: string, values: string[]) => ({ key, op: 'IN' as const, values });
const farWindow = { start: '2020-01-01T00:00:00Z', end: '2099-01-01T00:00:00Z' };
const configSilence = {
  id: 'cfg-staging',
  if: [condition('labels.env', ['staging'])],
  weekly: { timezone: 'UTC', windows: [{ start: '00:00', end: '24:00' }] },
};

for (const kind of storeKinds) {
  describe(`silences API on ${kind}`, () => {
    let stack: Stack;
    let offset = 0;
    let pushed = 0;
    const push = async (body: Record<string, unknown>) => {
      const res = await postJson(`${stack.baseUrl}/event/push/alert/standard?integration_key=key-ops-0001`, body);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      pushed += 1;
      await stack.waitForEvents(pushed);
    };
    const eventOf = async (alertKey: string) => {
      const row = await stack.testStore.store.db
        .selectFrom('events')
        .selectAll()
        .where('alert_key', '=', alertKey)
        .orderBy('event_id', 'desc')
        .executeTakeFirstOrThrow();
      return eventView(row);
    };

    before(async () => {
      stack = await startStack({
        store: kind,
        clock: () => Date.now() + offset,
        configFile: {
          channels: [{ id: 'ops', silences: [configSilence] }, { id: 'db' }],
          integrations: [
            {
              id: 'std',
              adapter: 'standard',
              key: 'key-ops-0001',
              channel: 'ops',
              rate_limit: { per_second: 10000, per_minute: 100000 },
            },
          ],
        },
      });
    });
    after(() => stack.close());

    test('configured silences are listed, read-only', async () => {
      const list = await api(stack, 'GET', '/channels/ops/silences');
      assert.equal(list.status, 200);
      assert.deepEqual((list.body.data as { items: SilenceItem[] }).items, [
        {
          id: 'cfg-staging',
          channel_id: 'ops',
          source: 'config',
          rule: configSilence,
          state: 'active',
          active: true,
          comment: null,
          created_at: null,
          created_by: null,
          starts_at: null,
          expires_at: null,
        },
      ]);
      assert.equal(
        ((await api(stack, 'GET', '/channels/ops/silences/cfg-staging')).body.data as SilenceItem).source,
        'config',
      );
      const readOnly = {
        code: 'Conflict',
        message: 'silence cfg-staging of channel ops comes from the configuration file and is read-only there',
      };
      for (const [method, path] of [
        ['PUT', '/channels/ops/silences/cfg-staging'],
        ['DELETE', '/channels/ops/silences/cfg-staging'],
        ['POST', '/channels/ops/silences'],
        ['POST', '/channels/ops/silences/cfg-staging/expire'],
      ] as const) {
        const res = await api(stack, method, path, method === 'DELETE' ? undefined : configSilence);
        assert.equal(res.status, 409, `${method} ${path}`);
        assert.deepEqual(res.body.error, readOnly);
      }
    });

    test('create, read, replace and delete a silence', async () => {
      const rule = { id: 'maint', name: 'DB maintenance', if: [condition('labels.host', ['db7'])], one_off: farWindow };
      const created = await api(stack, 'POST', '/channels/ops/silences?actor=alice', rule);
      assert.equal(created.status, 201);
      const item = created.body.data as SilenceItem;
      assert.deepEqual(
        { ...item, created_at: 0 },
        {
          id: 'maint',
          channel_id: 'ops',
          source: 'api',
          rule,
          state: 'active',
          active: true,
          comment: null,
          created_at: 0,
          created_by: 'alice',
          starts_at: Date.parse(farWindow.start),
          expires_at: Date.parse(farWindow.end),
        },
      );
      const again = await api(stack, 'POST', '/channels/ops/silences', rule);
      assert.equal(again.status, 409);
      assert.deepEqual(again.body.error, {
        code: 'Conflict',
        message: 'channel ops already has a silence with id maint',
      });
      assert.deepEqual((await api(stack, 'GET', '/channels/ops/silences/maint')).body.data, item);
      const { id: _id, ...withoutId } = rule;
      const replaced = await api(stack, 'PUT', '/channels/ops/silences/maint', { ...withoutId, mode: 'drop' });
      assert.equal(replaced.status, 200);
      assert.deepEqual((replaced.body.data as SilenceItem).rule, { ...rule, mode: 'drop' });
      const list = (await api(stack, 'GET', '/channels/ops/silences')).body.data as { items: SilenceItem[] };
      assert.deepEqual(
        list.items.map((silence) => [silence.id, silence.source]),
        [
          ['cfg-staging', 'config'],
          ['maint', 'api'],
        ],
      );
      const deleted = await api(stack, 'DELETE', '/channels/ops/silences/maint');
      assert.deepEqual(deleted.body.data, { id: 'maint', deleted: true });
      const gone = { code: 'ResourceNotFound', message: 'no silence with id maint' };
      assert.deepEqual((await api(stack, 'GET', '/channels/ops/silences/maint')).body.error, gone);
      for (const method of ['PUT', 'DELETE'] as const) {
        const res = await api(stack, method, '/channels/ops/silences/maint', method === 'PUT' ? rule : undefined);
        assert.equal(res.status, 404);
        assert.deepEqual(res.body.error, gone);
      }
    });

    test('an unknown channel is 404; a bad rule is 400 naming the field', async () => {
      const noChannel = { code: 'ResourceNotFound', message: 'no channel with id nope' };
      for (const [method, path] of [
        ['GET', '/channels/nope/silences'],
        ['POST', '/channels/nope/silences'],
        ['GET', '/channels/nope/silences/x'],
      ] as const) {
        const res = await api(stack, method, path, method === 'POST' ? configSilence : undefined);
        assert.equal(res.status, 404);
        assert.deepEqual(res.body.error, noChannel);
      }
      const cases: Array<[unknown, string]> = [
        [
          { id: 's1', if: [condition('labels.host', ['db1'])] },
          'body: needs expires_at or duration (or a one_off or weekly window)',
        ],
        [
          { if: [condition('labels.host', ['db1'])], duration: '2h', expires_at: '2099-01-01T00:00:00Z' },
          'duration: give expires_at or duration, not both',
        ],
        [
          { if: [condition('labels.host', ['db1'])], duration: 'soon' },
          'duration: not a duration such as 30m, 1h, 1d, 1w',
        ],
        [
          { if: [condition('labels.host', ['db1'])], starts_at: 'tomorrow', duration: '1h' },
          'starts_at: must be ISO 8601 with Z or an offset, or Unix seconds/milliseconds',
        ],
        [
          {
            if: [condition('labels.host', ['db1'])],
            starts_at: '2030-01-02T00:00:00Z',
            expires_at: '2030-01-01T00:00:00Z',
          },
          'expires_at: must be after starts_at',
        ],
        [
          { if: [condition('labels.host', ['db1'])], one_off: farWindow, duration: '1h' },
          'one_off: give starts_at with expires_at or duration, or one_off, not both',
        ],
        [
          { if: [condition('labels.host', ['db1'])], duration: '1h', comment: 7 },
          'comment: must be text of at most 1000 characters',
        ],
        [
          {
            id: 's1',
            if: [condition('labels.host', ['db1'])],
            one_off: { start: '2030-01-02T00:00:00Z', end: '2030-01-01T00:00:00Z' },
          },
          'one_off.end: must be after start',
        ],
        [
          { id: 's1', if: [{ key: 'labels.host', op: 'IS', values: ['db1'] }], one_off: farWindow },
          'if[0].op: must be one of IN, NOTIN',
        ],
        [
          { id: 's1', if: [[condition('title', ['x'])], [{ key: 'labels.a', op: 'IN' }]], one_off: farWindow },
          'if[1][0]: missing required field "values"',
        ],
        [
          { id: 's1', if: [condition('title', ['/(a/'])], one_off: farWindow },
          'if[0].values[0]: invalid regex /(a/: missing )',
        ],
        [
          {
            id: 's1',
            if: [condition('title', ['x'])],
            weekly: { timezone: 'UTC', windows: [{ start: '7am', end: '09:00' }] },
          },
          'weekly.windows[0].start: must be HH:MM (00:00..23:59)',
        ],
        [{ if: [condition('title', ['x'])], one_off: farWindow, color: 'red' }, 'body: unknown field "color"'],
        [['not', 'a', 'rule'], 'body: must be object'],
      ];
      for (const [body, message] of cases) {
        const res = await api(stack, 'POST', '/channels/ops/silences', body);
        assert.equal(res.status, 400, message);
        assert.deepEqual(res.body.error, { code: 'InvalidParameter', message });
      }
      const otherId = await api(stack, 'PUT', '/channels/ops/silences/s2', { ...configSilence, id: 's3' });
      assert.deepEqual(otherId.body.error, {
        code: 'InvalidParameter',
        message: 'id: must be "s2", the id in the path',
      });
    });

    test('a silence made through the API silences the next matching alert in the worker', async () => {
      const now = Date.now() + offset;
      const rule = {
        id: 'checkout-maint',
        if: [condition('labels.service', ['checkout'])],
        one_off: { start: new Date(now - 60_000).toISOString(), end: new Date(now + 3_600_000).toISOString() },
      };
      assert.equal((await api(stack, 'POST', '/channels/ops/silences', rule)).status, 201);
      await push({
        title_rule: 'checkout down',
        event_status: 'Critical',
        alert_key: 'c1',
        labels: { service: 'checkout' },
      });
      await push({
        title_rule: 'payments down',
        event_status: 'Critical',
        alert_key: 'p1',
        labels: { service: 'payments' },
      });
      await push({
        title_rule: 'staging down',
        event_status: 'Critical',
        alert_key: 'st1',
        labels: { env: 'staging' },
      });
      const silenced = await eventOf('c1');
      assert.equal(silenced.outcome, 'silenced');
      assert.deepEqual((silenced.trace as Array<Record<string, unknown>>)[1], {
        step: 'silence',
        result: 'silenced',
        rule_id: 'checkout-maint',
      });
      assert.equal(silenced.incident_id, null);
      assert.equal((await eventOf('p1')).outcome, 'new_alert');
      const staging = await eventOf('st1');
      assert.equal(staging.outcome, 'silenced');
      assert.deepEqual(
        (staging.trace as Array<Record<string, unknown>>).find((step) => step.step === 'silence'),
        { step: 'silence', result: 'silenced', rule_id: 'cfg-staging' },
      );
      const alert = await stack.testStore.store.db
        .selectFrom('alerts')
        .select(['muted', 'incident_id'])
        .where('alert_key', '=', 'c1')
        .executeTakeFirstOrThrow();
      assert.deepEqual(alert, { muted: 'silenced:checkout-maint', incident_id: null });
      assert.equal((await api(stack, 'DELETE', '/channels/ops/silences/checkout-maint')).status, 200);
    });

    test('a silence without id gets one; comment, starts_at and duration; pending, active, expired; expire keeps it', async () => {
      const now = Date.now() + offset;
      const body = {
        if: [condition('labels.service', ['billing'])],
        comment: 'migrating the billing database',
        duration: '2h',
      };
      const created = await api(stack, 'POST', '/channels/ops/silences?actor=carol', body);
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const item = created.body.data as SilenceItem;
      assert.match(item.id, /^[0-9A-Z]{26}$/);
      assert.deepEqual(
        [item.comment, item.created_by, item.state, item.active, item.expires_at! - item.starts_at!],
        ['migrating the billing database', 'carol', 'active', true, 7_200_000],
      );
      assert.ok(item.starts_at! >= now && item.starts_at === item.created_at);
      const second = (await api(stack, 'POST', '/channels/ops/silences', body)).body.data as SilenceItem;
      assert.notEqual(second.id, item.id);

      const later = await api(stack, 'POST', '/channels/ops/silences', {
        if: [condition('labels.service', ['billing'])],
        starts_at: new Date(now + 3_600_000).toISOString(),
        expires_at: new Date(now + 7_200_000).toISOString(),
      });
      const pending = later.body.data as SilenceItem;
      assert.deepEqual([pending.state, pending.active, pending.starts_at], ['pending', false, now + 3_600_000]);

      await push({
        title_rule: 'billing slow',
        event_status: 'Warning',
        alert_key: 'b1',
        labels: { service: 'billing' },
      });
      assert.equal((await eventOf('b1')).outcome, 'silenced');

      for (const id of [item.id, second.id]) {
        const expired = await api(stack, 'POST', `/channels/ops/silences/${id}/expire`);
        assert.equal(expired.status, 200);
        const view = expired.body.data as SilenceItem;
        assert.deepEqual([view.state, view.active], ['expired', false]);
        assert.ok(view.expires_at! <= Date.now() + offset);
      }
      const again = await api(stack, 'POST', `/channels/ops/silences/${item.id}/expire`);
      assert.equal((again.body.data as SilenceItem).state, 'expired');
      assert.equal((await api(stack, 'GET', `/channels/ops/silences/${item.id}`)).status, 200);
      const byState = async (state: string) =>
        ((await api(stack, 'GET', `/channels/ops/silences?state=${state}`)).body.data as { items: SilenceItem[] }).items
          .map((silence) => silence.id)
          .filter((id) => [item.id, second.id, pending.id].includes(id));
      assert.deepEqual(await byState('expired'), [item.id, second.id].sort());
      assert.deepEqual(await byState('pending'), [pending.id]);
      assert.deepEqual(await byState('active'), []);
      const badState = await api(stack, 'GET', '/channels/ops/silences?state=gone');
      assert.deepEqual(
        [badState.status, badState.body.error],
        [400, { code: 'InvalidParameter', message: 'state (query): must be one of pending, active, expired' }],
      );
      const missing = await api(stack, 'POST', '/channels/ops/silences/nope/expire');
      assert.deepEqual(missing.body.error, { code: 'ResourceNotFound', message: 'no silence with id nope' });

      await push({
        title_rule: 'billing slow',
        event_status: 'Warning',
        alert_key: 'b2',
        labels: { service: 'billing' },
      });
      assert.equal((await eventOf('b2')).outcome, 'new_alert', 'expired silences no longer apply');
      assert.equal((await api(stack, 'DELETE', `/channels/ops/silences/${pending.id}`)).status, 200);
    });

    test('preview: a silence body with ?preview=1 answers the open alerts it would match and saves nothing', async () => {
      await push({ title_rule: 'api errors', event_status: 'Critical', alert_key: 'pv1', labels: { service: 'api' } });
      await push({ title_rule: 'api slow', event_status: 'Warning', alert_key: 'pv2', labels: { service: 'api' } });
      const before = await stack.testStore.store.db.selectFrom('silences').select('id').execute();
      const res = await api(stack, 'POST', '/channels/ops/silences?preview=1', {
        id: 'api-maint',
        if: [condition('labels.service', ['api'])],
        duration: '1h',
      });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      const preview = res.body.data as {
        preview: boolean;
        silence: SilenceItem;
        matching_alerts: { count: number; items: Array<{ alert_key: string }> };
      };
      assert.equal(preview.preview, true);
      assert.equal(preview.silence.id, 'api-maint');
      assert.equal(preview.matching_alerts.count, 2);
      assert.deepEqual(preview.matching_alerts.items.map((alert) => alert.alert_key).sort(), ['pv1', 'pv2']);
      assert.deepEqual(await stack.testStore.store.db.selectFrom('silences').select('id').execute(), before);
    });

    test('quick silence from an alert: identifying labels only, default one day, renewed by asking again, expired ones kept as history', async () => {
      await push({
        title_rule: 'web slow',
        event_status: 'Warning',
        alert_key: 'q1',
        labels: { alertname: 'WebSlow', host: 'web1', pid: '4242', description: 'p99 is 1.7s' },
      });
      const { alert_id: alertId } = await stack.testStore.store.db
        .selectFrom('alerts')
        .select('alert_id')
        .where('alert_key', '=', 'q1')
        .executeTakeFirstOrThrow();
      const previewed = await api(stack, 'POST', `/alerts/${alertId}/quick-silence`, { dry_run: true });
      assert.equal(previewed.status, 200);
      const preview = previewed.body.data as {
        silence: SilenceItem;
        matching_alerts: { items: Array<{ alert_id: string }> };
      };
      assert.deepEqual(
        preview.matching_alerts.items.map((alert) => alert.alert_id),
        [alertId],
      );
      assert.equal((await api(stack, 'POST', `/alerts/${alertId}/quick-silence?preview=1`)).status, 200);
      assert.equal((await api(stack, 'GET', `/channels/ops/silences/quick-${alertId}`)).status, 404, 'nothing saved');

      const first = await api(stack, 'POST', `/alerts/${alertId}/quick-silence`, { comment: 'known, ticket OPS-12' });
      assert.equal(first.status, 201);
      const silence = first.body.data as SilenceItem;
      assert.equal(silence.id, `quick-${alertId}`);
      assert.deepEqual(preview.silence.rule.if, silence.rule.if);
      assert.deepEqual(silence.rule.if, [
        condition('integration', ['std']),
        condition('labels.alertname', ['WebSlow']),
        condition('labels.host', ['web1']),
      ]);
      assert.equal(silence.comment, 'known, ticket OPS-12');
      assert.equal((silence.expires_at ?? 0) - (silence.created_at ?? 0), 86_400_000);
      const renewed = await api(stack, 'POST', `/alerts/${alertId}/quick-silence`, {
        duration: '2h',
        mode: 'drop',
        actor: 'bob',
      });
      assert.equal(renewed.status, 200);
      const again = renewed.body.data as SilenceItem;
      assert.deepEqual([again.id, again.rule.mode, again.created_at], [silence.id, 'drop', silence.created_at]);
      assert.equal(again.expires_at, Date.parse(String((again.rule.one_off as { end: string }).end)));
      const quick = (
        (await api(stack, 'GET', '/channels/ops/silences')).body.data as { items: SilenceItem[] }
      ).items.filter((item) => item.id.startsWith('quick-'));
      assert.equal(quick.length, 1);

      // The next occurrence says something else in its description and its pid: still silenced.
      await push({
        title_rule: 'web slow',
        event_status: 'Warning',
        alert_key: 'q2',
        labels: { alertname: 'WebSlow', host: 'web1', pid: '777', description: 'p99 is 2.4s' },
      });
      const dropped = await eventOf('q2');
      assert.equal(dropped.outcome, 'silenced');
      assert.deepEqual((dropped.trace as Array<Record<string, unknown>>)[1], {
        step: 'silence',
        result: 'dropped',
        rule_id: silence.id,
      });

      offset += 3 * 3_600_000;
      const later = ((await api(stack, 'GET', '/channels/ops/silences')).body.data as { items: SilenceItem[] }).items;
      assert.equal(later.find((item) => item.id === silence.id)?.state, 'expired');
      offset += 31 * 86_400_000;
      const muchLater = ((await api(stack, 'GET', '/channels/ops/silences')).body.data as { items: SilenceItem[] })
        .items;
      assert.equal(
        muchLater.find((item) => item.id === silence.id),
        undefined,
        'history is kept 30 days',
      );
      offset = 0;
    });

    test('quick silence errors', async () => {
      const missing = await api(stack, 'POST', '/alerts/NOPE/quick-silence');
      assert.equal(missing.status, 404);
      assert.deepEqual(missing.body.error, { code: 'ResourceNotFound', message: 'no alert with id NOPE' });
      const { alert_id: alertId } = await stack.testStore.store.db
        .selectFrom('alerts')
        .select('alert_id')
        .where('alert_key', '=', 'p1')
        .executeTakeFirstOrThrow();
      const cases: Array<[unknown, string]> = [
        [{ duration: 'soon' }, 'duration: not a duration such as 30m, 1h, 1d, 1w'],
        [{ mode: 'mute' }, 'mode: must be one of mark, drop'],
        [{ until: 'tomorrow' }, 'until: unknown field (duration, mode, name, actor, comment, dry_run)'],
      ];
      for (const [body, message] of cases) {
        const res = await api(stack, 'POST', `/alerts/${alertId}/quick-silence`, body);
        assert.equal(res.status, 400, message);
        assert.deepEqual(res.body.error, { code: 'InvalidParameter', message });
      }
    });
  });
}
