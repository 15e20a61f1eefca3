import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { buildConfig } from '../../src/config/load-config.js';
import type { Channel } from '../../src/config/types.js';
import { StoredSilences } from '../../src/silences/cache.js';
import { createSilence } from '../../src/silences/service.js';
import { insertSilence } from '../../src/store/silences-repo.js';
import { createTestStore, storeKinds, type TestStore } from '../support/stores.js';

const window = { start: '2020-01-01T00:00:00Z', end: '2099-01-01T00:00:00Z' };
const rule = (id: string, host: string) => ({
  id,
  if: [{ key: `labels.host`, op: 'IN' as const, values: [host] }],
  one_off: window,
});
const silenceIds = (channel: Channel) => channel.rules.silences.map((silence) => silence.rule.id);

for (const kind of storeKinds) {
  describe(`worker cache of API silences on ${kind}`, () => {
    // Each test on a store of its own: neither sees the other's silences.
    let testStore: TestStore;
    const config = buildConfig({ channels: [{ id: 'ops', silences: [rule('from-config', 'db0')] }] }, 'test', {});
    const channel = config.channels[0];
    beforeEach(async () => {
      testStore = await createTestStore(kind);
    });
    afterEach(() => testStore.dispose());

    /** Written as another process would: straight to the table, so this process's change signal does not move. */
    const insertElsewhere = (now: number) =>
      testStore.store.db
        .insertInto('silences')
        .values({
          channel_id: 'ops',
          id: 'elsewhere',
          rule: JSON.stringify(rule('elsewhere', 'db1')),
          created_at: now,
          created_by: null,
          expires_at: null,
        })
        .execute();

    test('merges API silences after configured ones; another process’s change shows within the refresh interval', async () => {
      const db = testStore.store.db;
      let monotonic = 0;
      const cache = new StoredSilences({ monotonic: () => monotonic });
      const now = Date.now();
      assert.equal(
        await cache.channelWithSilences(db, channel, now),
        channel,
        'no API silences: the configured channel itself',
      );
      await insertElsewhere(now);
      monotonic += 1_999;
      assert.deepEqual(silenceIds(await cache.channelWithSilences(db, channel, now)), ['from-config']);
      monotonic += 1;
      const merged = await cache.channelWithSilences(db, channel, now);
      assert.deepEqual(silenceIds(merged), ['from-config', 'elsewhere']);
      assert.equal(await cache.channelWithSilences(db, channel, now), merged, 'merged once per load');
    });

    test('a change made by this process applies at once; expired quick silences are left out', async () => {
      const db = testStore.store.db;
      const now = Date.now();
      await insertElsewhere(now - 1);
      const cache = new StoredSilences({ monotonic: () => 0 });
      await cache.channelWithSilences(db, channel, now);
      // Through the silence service, as the API makes it: the service signals the change.
      await createSilence(
        { store: testStore.store, config: () => config, clock: () => now, newId: () => 'unused' },
        'ops',
        rule('here', 'db2'),
      );
      await insertSilence(db, {
        channel_id: 'ops',
        id: 'quick-old',
        rule: rule('quick-old', 'db3'),
        created_at: now - 10,
        created_by: null,
        expires_at: now - 1,
        comment: null,
        starts_at: now - 10,
      });
      await insertSilence(db, {
        channel_id: 'db',
        id: 'other-channel',
        rule: rule('other-channel', 'db4'),
        created_at: now,
        created_by: null,
        expires_at: null,
        comment: null,
        starts_at: now,
      });
      assert.deepEqual(silenceIds(await cache.channelWithSilences(db, channel, now)), [
        'from-config',
        'elsewhere',
        'here',
      ]);
    });
  });
}
