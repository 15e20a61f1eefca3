import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../dialect.js';

/**
 * The outbox of outbound webhooks: one delivery per (receiver, change), written in the transaction that records the
 * change, and every attempt to send it. `seq` orders the deliveries of one receiver and incident.
 */
export function migration0005(dialect: Dialect): Migration {
  const serial = dialect === 'postgres' ? 'bigserial' : 'integer';
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('deliveries')
        // SQLite: the rowid itself (no AUTOINCREMENT bookkeeping per insert); rows are never deleted, so it only grows.
        .addColumn('seq', serial, (c) => c.primaryKey())
        .addColumn('delivery_id', 'varchar(64)', (c) => c.notNull().unique())
        .addColumn('receiver_id', 'varchar(64)', (c) => c.notNull())
        .addColumn('change_id', 'varchar(200)', (c) => c.notNull())
        .addColumn('event_type', 'varchar(32)', (c) => c.notNull())
        .addColumn('channel_id', 'varchar(64)', (c) => c.notNull())
        .addColumn('incident_id', 'varchar(64)')
        .addColumn('alert_id', 'varchar(64)')
        .addColumn('order_key', 'varchar(64)', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('status', 'varchar(16)', (c) => c.notNull())
        .addColumn('queued', 'integer', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('next_attempt_at', 'bigint')
        .addColumn('delivered_at', 'bigint')
        .addColumn('last_status_code', 'integer')
        .addColumn('last_error', 'text')
        .execute();
      await db.schema
        .createIndex('deliveries_receiver_status')
        .on('deliveries')
        .columns(['receiver_id', 'status', 'seq'])
        .execute();
      await db.schema
        .createIndex('deliveries_receiver_order')
        .on('deliveries')
        .columns(['receiver_id', 'order_key', 'seq'])
        .execute();
      await db.schema.createIndex('deliveries_unqueued').on('deliveries').columns(['queued', 'status']).execute();
      await db.schema
        .createTable('delivery_attempts')
        .addColumn('id', serial, (c) => (dialect === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey()))
        .addColumn('delivery_id', 'varchar(64)', (c) => c.notNull())
        .addColumn('attempt', 'integer', (c) => c.notNull())
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addColumn('status_code', 'integer')
        .addColumn('latency_ms', 'integer', (c) => c.notNull())
        .addColumn('error', 'text')
        .addColumn('response', 'text')
        .execute();
      await db.schema
        .createIndex('delivery_attempts_delivery')
        .on('delivery_attempts')
        .columns(['delivery_id', 'id'])
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await sql`drop table if exists delivery_attempts`.execute(db);
      await sql`drop table if exists deliveries`.execute(db);
    },
  };
}
