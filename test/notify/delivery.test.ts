import assert from 'node:assert/strict';
import { webcrypto } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { ConfigFile, WebhookConfig } from '../../src/config/types.js';
import { createProducerConnection } from '../../src/queue/redis.js';
import { DeliveryQueues } from '../../src/queue/delivery-queue.js';
import { api, postJson, redisUrl, startStack, type Stack } from '../support/stack.js';
import { storeKinds } from '../support/stores.js';
import { eventually } from '../support/waiting.js';
import { startReceiver, type Received, type TestReceiver } from './receiver.js';

const secret = 'whsec-test-0001';

function configWith(webhooks: WebhookConfig[]): ConfigFile {
  return {
    channels: [
      {
        id: 'ops',
        name: 'Operations',
        silences: [
          {
            id: 'staging',
            if: [[{ key: 'labels.env', op: 'IN', values: ['staging'] }]],
            one_off: { start: 0, end: 4102444800 },
          },
        ],
      },
    ],
    integrations: [
      {
        id: 'std',
        adapter: 'standard',
        key: 'test-key-0001',
        channel: 'ops',
        rate_limit: { per_second: 100000, per_minute: 1000000 },
      },
    ],
    webhooks,
  } as ConfigFile;
}

async function push(stack: Stack, alertKey: string, status: string, labels: Record<string, string> = {}) {
  const res = await postJson(`${stack.baseUrl}/event/push/alert/standard?integration_key=test-key-0001`, {
    title_rule: `disk full on ${alertKey}`,
    event_status: status,
    alert_key: alertKey,
    labels: { check: 'disk', ...labels },
  });
  assert.equal(res.status, 200, JSON.stringify(res.body));
}

/**
 * Verifies X-Alertgate-Signature the way a receiver written from the README would, with WebCrypto rather than the
 * node:crypto HMAC alertgate signs with: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>.
 */
async function verifySignature(header: string | undefined, body: string, key: string): Promise<boolean> {
  const parts = Object.fromEntries((header ?? '').split(',').map((part) => part.split('=') as [string, string]));
  if (!parts.t || !parts.v1) return false;
  const cryptoKey = await webcrypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(key),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  const mac = await webcrypto.subtle.sign('HMAC', cryptoKey, new TextEncoder().encode(`${parts.t}.${body}`));
  return Buffer.from(mac).toString('hex') === parts.v1;
}

const eventTypes = (requests: Received[]) => requests.map((request) => request.json.event_type);

/** Changes a receiver got successfully, each change (event_id) counted once per success. */
function successesByChange(receiver: TestReceiver): Map<string, number> {
  const counts = new Map<string, number>();
  for (const request of receiver.succeeded())
    counts.set(String(request.json.event_id), (counts.get(String(request.json.event_id)) ?? 0) + 1);
  return counts;
}

async function obliterateDeliveryQueues(stack: Stack, receiverIds: string[]): Promise<void> {
  const connection = createProducerConnection({ url: redisUrl, prefix: stack.prefix });
  await connection.connect().catch(() => undefined);
  const queues = new DeliveryQueues(connection, stack.prefix);
  for (const id of receiverIds)
    await queues
      .queue(id)
      .obliterate({ force: true })
      .catch(() => undefined);
  await queues.close();
  connection.disconnect();
}

const fast = { delivery: { retryBaseMs: 200, sweepIntervalMs: 500, sweepGraceMs: 1_000 } };

for (const kind of storeKinds) {
  describe(`outbound webhooks (${kind})`, () => {
    describe('a healthy receiver', () => {
      let stack: Stack;
      let receiver: TestReceiver;
      before(async () => {
        receiver = await startReceiver();
        stack = await startStack({
          store: kind,
          configFile: configWith([
            {
              id: 'hook',
              url: receiver.url,
              secret,
              events: ['a_new', 'i_new', 'i_ack', 'i_rslv'],
              headers: { 'X-Team': 'sre' },
            },
          ]),
          workerOptions: fast,
        });
      });
      after(async () => {
        await obliterateDeliveryQueues(stack, ['hook']);
        await stack.close();
        await receiver.close();
      });

      test('each change is delivered once, in order, signed, in the alertgate body shape', async () => {
        await push(stack, 'k1', 'Critical');
        await push(stack, 'k1', 'Critical');
        await push(stack, 'muted', 'Critical', { env: 'staging' });
        await stack.waitForEvents(3);
        await eventually('i_new delivered', async () => (receiver.succeeded().length >= 2 ? true : undefined));
        await push(stack, 'k1', 'Ok');
        await eventually('i_rslv delivered', async () => (receiver.succeeded().length >= 3 ? true : undefined));
        // Time for anything that should not come (the duplicate, the silenced alert) to arrive anyway.
        await new Promise((resolve) => setTimeout(resolve, 1_500));
        assert.deepEqual(eventTypes(receiver.received), ['a_new', 'i_new', 'i_rslv']);
        const [aNew, iNew, iRslv] = receiver.received;
        for (const request of receiver.received) {
          assert.equal(
            await verifySignature(request.headers['x-alertgate-signature'] as string, request.body, secret),
            true,
          );
          assert.equal(
            await verifySignature(request.headers['x-alertgate-signature'] as string, request.body, 'other'),
            false,
          );
          assert.match(String(request.headers['user-agent']), /^alertgate\/\d+\.\d+\.\d+/);
          assert.equal(request.headers['content-type'], 'application/json');
          assert.equal(request.headers['x-team'], 'sre');
          assert.match(String(request.headers['x-alertgate-delivery']), /^d[0-9A-Z]{10}[0-9a-f]{21}$/);
        }
        const incident = iNew.json.incident as Record<string, unknown>;
        assert.equal(typeof iNew.json.event_id, 'string');
        assert.equal(typeof iNew.json.event_time, 'number');
        assert.ok((iNew.json.event_time as number) > 1e12, 'event_time is milliseconds');
        const incidentFields = [
          'active_alert_cnt',
          'ack_time',
          'alert_cnt',
          'channel_id',
          'channel_name',
          'close_time',
          'created_at',
          'description',
          'detail_url',
          'end_time',
          'group_method',
          'incident_id',
          'incident_severity',
          'incident_status',
          'labels',
          'last_time',
          'progress',
          'start_time',
          'title',
          'updated_at',
        ];
        assert.deepEqual(Object.keys(incident).sort(), incidentFields.sort());
        assert.equal(incident.channel_name, 'Operations');
        assert.equal(incident.progress, 'Triggered');
        assert.equal(incident.incident_severity, 'Critical');
        assert.ok((incident.start_time as number) < 1e11, 'times inside incident are seconds');
        assert.equal(incident.detail_url, `http://alertgate.test/incidents/${String(incident.incident_id)}`);
        const alert = aNew.json.alert as Record<string, unknown>;
        assert.equal(alert.alert_key, 'k1');
        assert.equal(alert.data_source_id, 'std');
        assert.deepEqual(alert.incident, { incident_id: incident.incident_id, title: incident.title });
        const resolved = iRslv.json.incident as Record<string, unknown>;
        assert.equal(resolved.incident_id, incident.incident_id);
        assert.equal(resolved.progress, 'Closed');
        assert.equal(resolved.incident_status, 'Ok');
        const stored = await stack.testStore.store.db.selectFrom('deliveries').selectAll().orderBy('seq').execute();
        assert.deepEqual(
          stored.map((row) => [row.event_type, row.status, row.attempts]),
          [
            ['a_new', 'delivered', 1],
            ['i_new', 'delivered', 1],
            ['i_rslv', 'delivered', 1],
          ],
        );
        assert.deepEqual(
          stored.map((row) => row.delivery_id),
          receiver.received.map((request) => request.headers['x-alertgate-delivery']),
        );
        // The incident's detail lists what was sent about it, and how each delivery went.
        const detail = await api(stack, 'GET', `/incidents/${String(incident.incident_id)}`);
        const notifications = (detail.body.data as { notifications: Array<Record<string, unknown>> }).notifications;
        assert.deepEqual(
          notifications.map((row) => [row.receiver_id, row.event_type, row.status, row.attempts]),
          [
            ['hook', 'a_new', 'delivered', 1],
            ['hook', 'i_new', 'delivered', 1],
            ['hook', 'i_rslv', 'delivered', 1],
          ],
        );
      });

      test('an acknowledgement through the API is delivered as i_ack, with who did it', async () => {
        await push(stack, 'k2', 'Warning');
        const incident = await eventually('k2 incident notified', async () =>
          receiver.received.find(
            (request) =>
              request.json.event_type === 'i_new' &&
              (request.json.incident as { labels: Record<string, string> }).labels !== undefined &&
              receiver.received.indexOf(request) >= 3,
          ),
        );
        const incidentId = String((incident.json.incident as { incident_id: string }).incident_id);
        const acked = await api(stack, 'POST', `/incidents/${incidentId}/ack`, { actor: 'alice' });
        assert.equal(acked.status, 200);
        const ack = await eventually('i_ack delivered', async () =>
          receiver.received.find((request) => request.json.event_type === 'i_ack'),
        );
        assert.deepEqual(ack.json.person, { person_id: 'alice', person_name: 'alice' });
        assert.equal((ack.json.incident as { progress: string }).progress, 'Processing');
      });

      test('the delivery log: receivers with counts, deliveries by filter, attempts, redelivery, a test send', async () => {
        const receivers = await api(stack, 'GET', '/webhooks');
        assert.equal(receivers.status, 200);
        const [listed] = (receivers.body.data as { items: Array<Record<string, unknown>> }).items;
        assert.equal(listed.id, 'hook');
        assert.equal(listed.signed, true);
        assert.equal(listed.secret, undefined);
        assert.equal((listed.deliveries as Record<string, number>).delivered >= 5, true);
        const page = await api(stack, 'GET', '/webhooks/hook/deliveries?status=delivered&limit=2');
        const data = page.body.data as { items: Array<Record<string, unknown>>; next_cursor: string | null };
        assert.equal(data.items.length, 2);
        assert.ok(data.next_cursor);
        const next = await api(stack, 'GET', `/webhooks/hook/deliveries?status=delivered&cursor=${data.next_cursor}`);
        const rest = (next.body.data as { items: Array<{ delivery_id: string }> }).items;
        assert.ok(rest.length >= 3);
        assert.equal(
          rest.some((item) => data.items.some((seen) => seen.delivery_id === item.delivery_id)),
          false,
        );
        const bad = await api(stack, 'GET', '/webhooks/hook/deliveries?status=lost');
        assert.equal(bad.status, 400);
        assert.equal(bad.body.error?.code, 'InvalidParameter');
        const missing = await api(stack, 'GET', '/webhooks/nope/deliveries');
        assert.equal(missing.status, 404);
        assert.equal(missing.body.error?.code, 'ResourceNotFound');

        const first = receiver.received[0];
        const id = String(first.headers['x-alertgate-delivery']);
        const log = await api(stack, 'GET', `/deliveries/${id}`);
        const entry = log.body.data as { attempts: Array<Record<string, unknown>>; body: Record<string, unknown> };
        assert.equal(entry.attempts.length, 1);
        assert.equal(entry.attempts[0].status_code, 200);
        assert.equal(entry.attempts[0].response, 'answer 200');
        assert.equal(typeof entry.attempts[0].latency_ms, 'number');
        assert.equal(entry.body.event_id, first.json.event_id);

        const before = receiver.received.length;
        const again = await api(stack, 'POST', `/deliveries/${id}/redeliver`);
        assert.equal(again.status, 200);
        const resent = await eventually('redelivered', async () => receiver.received[before]);
        assert.equal(resent.headers['x-alertgate-delivery'], id);
        assert.equal(resent.body, first.body);
        await eventually('two attempts logged', async () => {
          const after = await api(stack, 'GET', `/deliveries/${id}`);
          return (after.body.data as { attempts: unknown[] }).attempts.length === 2 ? true : undefined;
        });

        const tested = await api(stack, 'POST', '/webhooks/hook/test');
        assert.equal(tested.status, 200);
        const result = tested.body.data as Record<string, unknown>;
        assert.equal(result.ok, true);
        assert.equal(result.status_code, 200);
        const sample = receiver.received[receiver.received.length - 1];
        assert.equal(sample.json.event_type, 'i_new');
        assert.equal(
          await verifySignature(sample.headers['x-alertgate-signature'] as string, sample.body, secret),
          true,
        );
      });
    });

    describe('a receiver that is down for a while', () => {
      let stack: Stack;
      let receiver: TestReceiver;
      let downUntil = 0;
      before(async () => {
        // Down (503, no Retry-After) for 4 s from its first request, then up.
        receiver = await startReceiver(() => {
          downUntil ||= Date.now() + 4_000;
          return Date.now() < downUntil ? { status: 503 } : { status: 200 };
        });
        stack = await startStack({
          store: kind,
          configFile: configWith([{ id: 'down', url: receiver.url }]),
          workerOptions: fast,
        });
      });
      after(async () => {
        await obliterateDeliveryQueues(stack, ['down']);
        await stack.close();
        await receiver.close();
      });

      test('its worker rests between probes instead of every delivery failing, then delivers everything once', async (t) => {
        const keys = Array.from({ length: 20 }, (_, i) => `k${i}`);
        for (const key of keys) await push(stack, key, 'Critical');
        await eventually('all 20 delivered', async () => (receiver.succeeded().length >= 20 ? true : undefined));
        await new Promise((resolve) => setTimeout(resolve, 500));
        const failed = receiver.received.filter((request) => request.answered === 503).length;
        t.diagnostic(`${failed} failed requests while down, for ${keys.length} deliveries`);
        assert.ok(failed < keys.length, `${failed} failed requests for ${keys.length} deliveries`);
        assert.equal(receiver.succeeded().length, 20);
        assert.equal(new Set(receiver.succeeded().map((request) => request.json.event_id)).size, 20);
      });
    });

    describe('receivers that fail first', () => {
      let stack: Stack;
      const receivers: Record<string, TestReceiver> = {};
      before(async () => {
        receivers.flaky = await startReceiver((n) => (n === 0 ? { status: 500 } : { status: 200 }));
        receivers.slow = await startReceiver((n) => (n === 0 ? 'hang' : { status: 200 }));
        receivers.limited = await startReceiver((n) =>
          n === 0 ? { status: 429, headers: { 'Retry-After': '1' } } : { status: 200 },
        );
        stack = await startStack({
          store: kind,
          configFile: configWith([
            { id: 'flaky', url: receivers.flaky.url },
            // Long enough that a loaded machine's pauses never outlast it: only the hung request times out.
            { id: 'slow', url: receivers.slow.url, timeout: '2s' },
            { id: 'limited', url: receivers.limited.url },
            { id: 'metadata', url: 'http://169.254.169.254/latest/meta-data', max_attempts: 1, timeout: '1s' },
          ]),
          workerOptions: fast,
        });
      });
      after(async () => {
        await obliterateDeliveryQueues(stack, ['flaky', 'slow', 'limited', 'metadata']);
        await stack.close();
        for (const receiver of Object.values(receivers)) await receiver.close();
      });

      test('500 then 200, a timeout, 429 with Retry-After: exactly one success per change, i_new before i_rslv', async () => {
        await push(stack, 'k1', 'Critical');
        await stack.waitForEvents(1);
        await push(stack, 'k1', 'Ok');
        for (const [name, receiver] of Object.entries(receivers))
          await eventually(`${name} got both changes`, async () =>
            receiver.succeeded().length >= 2 ? true : undefined,
          );
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        for (const [name, receiver] of Object.entries(receivers)) {
          assert.deepEqual(eventTypes(receiver.succeeded()), ['i_new', 'i_rslv'], name);
          assert.deepEqual([...successesByChange(receiver).values()], [1, 1], name);
          // The failed first attempt and its retry carry the same delivery id and body.
          assert.equal(
            receiver.received[0].headers['x-alertgate-delivery'],
            receiver.received[1].headers['x-alertgate-delivery'],
          );
          assert.equal(receiver.received[0].body, receiver.received[1].body);
        }
        const limited = await stack.testStore.store.db
          .selectFrom('delivery_attempts')
          .innerJoin('deliveries', 'deliveries.delivery_id', 'delivery_attempts.delivery_id')
          .select(['delivery_attempts.status_code', 'delivery_attempts.error', 'delivery_attempts.at'])
          .where('deliveries.receiver_id', '=', 'limited')
          .where('deliveries.event_type', '=', 'i_new')
          .orderBy('delivery_attempts.id')
          .execute();
        assert.deepEqual(
          limited.map((row) => row.status_code),
          [429, 200],
        );
        assert.ok(limited[1].at - limited[0].at >= 1_000, 'Retry-After: 1 was honoured');
        const slow = await stack.testStore.store.db
          .selectFrom('delivery_attempts')
          .innerJoin('deliveries', 'deliveries.delivery_id', 'delivery_attempts.delivery_id')
          .select(['delivery_attempts.status_code', 'delivery_attempts.error'])
          .where('deliveries.receiver_id', '=', 'slow')
          .orderBy('delivery_attempts.id')
          .execute();
        assert.equal(slow[0].status_code, null);
        assert.equal(slow[0].error, 'timed out after 2000 ms');
      });

      test('a receiver URL on a link-local (metadata) address is refused, and the delivery is dead', async () => {
        const dead = await eventually('metadata deliveries dead', async () => {
          const rows = await stack.testStore.store.db
            .selectFrom('deliveries')
            .select(['status', 'last_error', 'attempts'])
            .where('receiver_id', '=', 'metadata')
            .execute();
          return rows.length === 2 && rows.every((row) => row.status === 'dead') ? rows : undefined;
        });
        for (const row of dead) {
          assert.equal(row.attempts, 1);
          assert.match(String(row.last_error), /169\.254\.169\.254.*link-local or metadata address/);
        }
      });
    });
  });
}
