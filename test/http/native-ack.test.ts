import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DeliveryQueues } from '../../src/queue/delivery-queue.js';
import { createProducerConnection } from '../../src/queue/redis.js';
import { startReceiver, type TestReceiver } from '../notify/receiver.js';
import { api, postJson, redisUrl, startStack, type Stack } from '../support/stack.js';
import { storeKinds } from '../support/stores.js';
import { eventually } from '../support/waiting.js';

// Acknowledging through the drop-in APIs: PagerDuty `event_action: acknowledge` and Opsgenie
// `POST /v2/alerts/{alias}/acknowledge` acknowledge the alert's incident, durably (queued before the answer).

const routingKey = 'R0123456789abcdef0123456789abcde';
const genieKey = 'genie-key-00000001';
const limits = { rate_limit: { per_second: 10000, per_minute: 100000 } };

interface IncidentDetail {
  incident: { incident_id: string; progress: string };
  timeline: Array<{ type: string; actor: string | null; detail: { reason?: string } | null }>;
}

for (const storeKind of storeKinds) {
  describe(`drop-in acknowledge (${storeKind})`, () => {
    let stack: Stack;
    let receiver: TestReceiver;
    before(async () => {
      receiver = await startReceiver();
      stack = await startStack({
        store: storeKind,
        configFile: {
          webhooks: [{ id: 'acks', url: receiver.url, events: ['i_ack'] }],
          channels: [{ id: 'ops' }],
          integrations: [
            { id: 'pd', adapter: 'pagerduty', key: routingKey, channel: 'ops', ...limits },
            { id: 'og', adapter: 'opsgenie', key: genieKey, channel: 'ops', ...limits },
          ],
        },
      });
    });
    after(async () => {
      const connection = createProducerConnection({ url: redisUrl, prefix: stack.prefix });
      const queues = new DeliveryQueues(connection, stack.prefix);
      await queues
        .queue('acks')
        .obliterate({ force: true })
        .catch(() => undefined);
      await queues.close();
      connection.disconnect();
      await stack.close();
      await receiver.close();
    });

    const pagerDuty = (action: string, dedupKey: string | undefined, summary = 'Disk 95% on db-7') =>
      postJson(`${stack.baseUrl}/v2/enqueue`, {
        routing_key: routingKey,
        event_action: action,
        dedup_key: dedupKey,
        ...(action === 'trigger' && { payload: { summary, source: 'db-7', severity: 'critical' } }),
      });
    const opsgenie = (path: string, body: unknown) =>
      postJson(`${stack.baseUrl}/v2/alerts${path}`, body, { authorization: `GenieKey ${genieKey}` });

    /** The incident of the alert `alertKey` of `integration`, once the worker has opened it. */
    const incidentOf = (integration: string, alertKey: string) =>
      eventually(`an incident for ${alertKey}`, async () => {
        const row = await stack.testStore.store.db
          .selectFrom('alerts')
          .select('incident_id')
          .where('integration_id', '=', integration)
          .where('alert_key', '=', alertKey)
          .executeTakeFirst();
        return row?.incident_id ?? undefined;
      });
    const detail = async (incidentId: string) =>
      (await api(stack, 'GET', `/incidents/${incidentId}`)).body.data as IncidentDetail;
    const acknowledged = (incidentId: string) =>
      eventually(`incident ${incidentId} acknowledged`, async () => {
        const found = await detail(incidentId);
        return found.incident.progress === 'Processing' ? found : undefined;
      });
    const noFailedJobs = async () => assert.equal(await stack.queue.getFailedCount(), 0);

    test('PagerDuty acknowledge → 202, the incident is acknowledged once, a repeat changes nothing', async () => {
      assert.equal((await pagerDuty('trigger', 'db-7/disk')).status, 202);
      const incidentId = await incidentOf('pd', 'db-7/disk');
      const ack = await pagerDuty('acknowledge', 'db-7/disk');
      assert.equal(ack.status, 202);
      assert.deepEqual(ack.body, { status: 'success', message: 'Event processed', dedup_key: 'db-7/disk' });
      const found = await acknowledged(incidentId);
      assert.deepEqual(
        found.timeline.filter((entry) => entry.type === 'i_ack').map((entry) => entry.actor),
        ['integration pd (PagerDuty Events API)'],
      );
      assert.equal((await pagerDuty('acknowledge', 'db-7/disk')).status, 202);
      await stack.waitForIdle(30_000);
      const again = await detail(incidentId);
      assert.equal(again.incident.progress, 'Processing');
      assert.equal(again.timeline.filter((entry) => entry.type === 'i_ack').length, 1);
      await noFailedJobs();
      // The sender's acknowledge reaches the receivers as the API's would.
      const delivered = await eventually('i_ack delivered', async () =>
        receiver
          .succeeded()
          .find((request) => (request.json.incident as { incident_id?: string })?.incident_id === incidentId),
      );
      assert.equal(delivered.json.event_type, 'i_ack');
    });

    test('an acknowledge sent right behind its trigger still acknowledges (the worker waits for the alert)', async () => {
      const [trigger, ack] = [
        await pagerDuty('trigger', 'web-3/cpu', 'CPU 99% on web-3'),
        await pagerDuty('acknowledge', 'web-3/cpu'),
      ];
      assert.deepEqual([trigger.status, ack.status], [202, 202]);
      await acknowledged(await incidentOf('pd', 'web-3/cpu'));
    });

    test('Opsgenie acknowledge by alias → 202, acknowledged by the user named, with the note as reason', async () => {
      const created = await opsgenie('', {
        message: 'Disk /var 96% on web-7',
        alias: 'disk-full/web-7/var',
        priority: 'P1',
      });
      assert.equal(created.status, 202);
      const incidentId = await incidentOf('og', 'disk-full/web-7/var');
      const ack = await opsgenie(`/${encodeURIComponent('disk-full/web-7/var')}/acknowledge?identifierType=alias`, {
        user: 'alice',
        source: 'chatops',
        note: 'on it',
      });
      assert.equal(ack.status, 202);
      assert.equal(ack.body.result, 'Request will be processed');
      assert.equal(typeof ack.body.requestId, 'string');
      const found = await acknowledged(incidentId);
      const entry = found.timeline.find((item) => item.type === 'i_ack');
      assert.deepEqual([entry?.actor, entry?.detail?.reason], ['alice', 'on it']);
    });

    test('an acknowledge of an unknown alert is answered like the vendors do (202) and ends quietly', async () => {
      const pd = await pagerDuty('acknowledge', 'never/seen');
      assert.deepEqual([pd.status, pd.body.status], [202, 'success']);
      const og = await opsgenie('/never-seen/acknowledge?identifierType=alias', {});
      assert.deepEqual([og.status, og.body.result], [202, 'Request will be processed']);
      await stack.waitForIdle(60_000);
      await noFailedJobs();
    });

    test('bad acknowledges: the vendor-shaped 400, never a 500', async () => {
      const keyless = await pagerDuty('acknowledge', undefined);
      assert.equal(keyless.status, 400);
      assert.equal(keyless.body.status, 'invalid event');
      assert.match(String((keyless.body.errors as string[])[0]), /a PagerDuty acknowledge event needs dedup_key/);
      const byId = await opsgenie('/abc/acknowledge?identifierType=id', {});
      assert.equal(byId.status, 400);
      assert.equal(byId.body.message, 'identifierType must be alias, got "id"');
      const anonymous = await postJson(`${stack.baseUrl}/v2/alerts/abc/acknowledge`, {});
      assert.equal(anonymous.status, 401);
      assert.deepEqual(Object.keys(anonymous.body).sort(), ['message', 'requestId', 'took']);
      await stack.waitForIdle(30_000);
      await noFailedJobs();
    });
  });
}
