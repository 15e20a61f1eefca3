import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { Migrator, sql, type Kysely } from 'kysely';
import pg from 'pg';
import { migrateToLatest, openDatabase, type StoreDatabase } from '../../src/store/database.js';
import { DeliveriesRepo } from '../../src/store/deliveries-repo.js';
import { migrationProvider } from '../../src/store/migrations.js';
import { postgresUrl, storeKinds, type StoreKind } from '../support/stores.js';

/** A store migrated up to `last` only, as a database written by an earlier release. */
async function storeAt(kind: StoreKind, last: string): Promise<{ store: StoreDatabase; dispose(): Promise<void> }> {
  let store: StoreDatabase;
  let schema: string | undefined;
  let dir: string | undefined;
  if (kind === 'sqlite') {
    dir = mkdtempSync(join(tmpdir(), 'alertgate-migration-'));
    store = openDatabase(`sqlite:${join(dir, 'old.db')}`);
  } else {
    schema = `t_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: postgresUrl });
    await admin.connect();
    await admin.query(`create schema ${schema}`);
    await admin.end();
    store = openDatabase(postgresUrl, schema);
  }
  const migrator = new Migrator({
    db: store.db as unknown as Kysely<unknown>,
    provider: migrationProvider(store.dialect),
    ...(schema && { migrationTableSchema: schema }),
  });
  const { error } = await migrator.migrateTo(last);
  if (error) throw error;
  return {
    store,
    async dispose() {
      await store.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
      if (schema) {
        const admin = new pg.Client({ connectionString: postgresUrl });
        await admin.connect();
        await admin.query(`drop schema ${schema} cascade`);
        await admin.end();
      }
    },
  };
}

for (const kind of storeKinds)
  describe(`change bodies kept once (${kind})`, () => {
    const opened: Array<{ dispose(): Promise<void> }> = [];
    after(async () => {
      for (const each of opened) await each.dispose();
    });

    test('a database whose deliveries carried bodies keeps every body, once per change', async () => {
      const old = await storeAt(kind, '0014_delivery_owner');
      opened.push(old);
      const db = old.store.db as unknown as Kysely<Record<string, Record<string, unknown>>>;
      const delivery = (receiver: string, change: string, body: string) => ({
        delivery_id: `d-${receiver}-${change}`,
        receiver_id: receiver,
        change_id: change,
        event_type: 'i_new',
        channel_id: 'ops',
        incident_id: 'inc-1',
        alert_id: null,
        order_key: 'inc-1',
        body,
        status: 'pending',
        queued: 1,
        job_id: null,
        attempts: 0,
        created_at: 1_000,
        updated_at: 1_000,
        next_attempt_at: null,
        delivered_at: null,
        last_status_code: null,
        last_error: null,
      });
      const body = '{"event_id":"change-1"}';
      await db
        .insertInto('deliveries')
        .values([delivery('slack', 'change-1', body), delivery('pager', 'change-1', body)])
        .execute();
      await db
        .insertInto('outbox')
        .values({
          change_id: 'change-2',
          event_type: 'i_rslv',
          channel_id: 'ops',
          incident_id: 'inc-1',
          alert_id: null,
          order_key: 'inc-1',
          receivers: '["slack"]',
          body: '{"event_id":"change-2"}',
          created_at: 2_000,
        })
        .execute();

      await migrateToLatest(old.store);

      const bodies = await old.store.db
        .selectFrom('change_bodies')
        .select(['change_id', 'body', 'created_at'])
        .orderBy('change_id')
        .execute();
      assert.deepEqual(
        bodies.map((row) => ({ ...row, created_at: Number(row.created_at) })),
        [{ change_id: 'change-1', body: '{"event_id":"change-1"}', created_at: 1_000 }],
      );
      const repo = new DeliveriesRepo(old.store.db, old.store.dialect);
      const read = await repo.getDelivery('d-pager-change-1');
      assert.equal(read?.body, '{"event_id":"change-1"}');
      assert.equal(read?.receiver_id, 'pager');
      const columns = async (table: string) =>
        old.store.dialect === 'sqlite'
          ? (await sql<{ name: string }>`select name from pragma_table_info(${table})`.execute(old.store.db)).rows
          : (
              await sql<{ name: string }>`select column_name as name from information_schema.columns
                where table_schema = current_schema() and table_name = ${table}`.execute(old.store.db)
            ).rows;
      assert.ok(!(await columns('deliveries')).some((column) => column.name === 'body'), 'deliveries keep no body');
      // An outbox row keeps its body until relayed; relaying it keeps the body once for its deliveries.
      const [row] = await repo.outboxBatch(10);
      assert.equal(row?.body, '{"event_id":"change-2"}');
    });
  });
