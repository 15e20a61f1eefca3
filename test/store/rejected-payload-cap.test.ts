import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { AdapterRegistry } from '../../src/adapters/registry.js';
import { postJson, startStack, type Stack } from '../support/stack.js';
import { storeKinds } from '../support/stores.js';
import { manifestFor, tempAdaptersDir } from '../support/temp-adapters.js';

/* A sender of payloads no mapping takes cannot fill the store: each integration keeps a bounded count and size. */

const strictMapping = `$exists(body.name) ? { "title": body.name, "event_status": "Warning", "alert_key": body.id } : $error("payload without name")`;

async function storedOf(stack: Stack, integrationId: string): Promise<Array<{ body: string; stored_bytes: number }>> {
  const rows = await stack.testStore.store.db
    .withTables<{ rejected_payloads: { integration_id: string; id: string; body: string; stored_bytes: number } }>()
    .selectFrom('rejected_payloads')
    .select(['body', 'stored_bytes'])
    .where('integration_id', '=', integrationId)
    .orderBy('id', 'asc')
    .execute();
  return rows.map((row) => ({ body: row.body, stored_bytes: Number(row.stored_bytes) }));
}

async function droppedMetric(stack: Stack, integrationId: string, cap: string): Promise<number> {
  const text = await (await fetch(`${stack.baseUrl}/metrics`)).text();
  const line = text
    .split('\n')
    .find((entry) =>
      entry.startsWith(`alertgate_rejected_payloads_dropped_total{integration="${integrationId}",cap="${cap}"}`),
    );
  return line ? Number(line.split(' ').pop()) : 0;
}

for (const kind of storeKinds) {
  describe(`rejected payloads stay within their caps (${kind})`, () => {
    const temp = tempAdaptersDir({ strict: { manifest: manifestFor('strict'), mapping: strictMapping } });
    const adapters = AdapterRegistry.load({ dir: temp.dir });
    const integration = (id: string, key: string) => ({
      id,
      adapter: 'strict',
      key,
      channel: 'ops',
      rate_limit: { per_second: 100000, per_minute: 1000000 },
    });
    let stack: Stack;
    before(async () => {
      stack = await startStack({
        store: kind,
        worker: false,
        configFile: {
          channels: [{ id: 'ops' }],
          integrations: [integration('by-count', 'count-key-0001'), integration('by-bytes', 'bytes-key-0001')],
          retention: { rejected_payloads_cap: { count: 25, bytes: '20kb' } },
        },
        app: { adapters },
      });
    });
    after(async () => {
      await stack.close();
      temp.remove();
    });

    const flood = async (key: string, count: number, size: number) => {
      for (let start = 0; start < count; start += 20) {
        const responses = await Promise.all(
          Array.from({ length: Math.min(20, count - start) }, (_, i) =>
            postJson(`${stack.baseUrl}/event/push/alert/strict?integration_key=${key}`, {
              n: start + i,
              filler: 'x'.repeat(size),
            }),
          ),
        );
        for (const res of responses) assert.equal(res.status, 400);
      }
    };

    test('a flood of small payloads keeps the newest `count`, the oldest dropped and counted', async () => {
      await flood('count-key-0001', 200, 10);
      const rows = await storedOf(stack, 'by-count');
      assert.equal(rows.length, 25);
      const kept = rows.map((row) => (JSON.parse(row.body) as { n: number }).n);
      // Sent in waves of 20 in parallel: the newest wave is kept whole, nothing of the first waves.
      assert.ok(
        kept.every((n) => n >= 160),
        `kept ${kept.join(',')}`,
      );
      assert.equal(await droppedMetric(stack, 'by-count', 'count'), 175);
    });

    test('large payloads are bounded by bytes: the stored size stays under the cap', async () => {
      await flood('bytes-key-0001', 60, 3000);
      const rows = await storedOf(stack, 'by-bytes');
      const bytes = rows.reduce((sum, row) => sum + row.stored_bytes, 0);
      assert.ok(bytes <= 20 * 1024, `${bytes} bytes stored`);
      assert.ok(rows.length >= 5 && rows.length < 25, `${rows.length} kept`);
      assert.ok(rows.every((row) => row.stored_bytes >= 3000));
      assert.equal(await droppedMetric(stack, 'by-bytes', 'bytes'), 60 - rows.length);
      // The other integration's payloads were left alone.
      assert.equal((await storedOf(stack, 'by-count')).length, 25);
    });
  });
}
