import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../dialect.js';

/**
 * The outbox proper: one row per change worth a message, written in the transaction that records the change, with
 * the receivers that take it and the body as it was then. The notifier turns each row into one delivery per receiver
 * and removes it, so the pipeline's transaction writes one narrow row per change whatever the number of receivers.
 */
export function migration0013(dialect: Dialect): Migration {
  const serial = dialect === 'postgres' ? 'bigserial' : 'integer';
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('outbox')
        .addColumn('seq', serial, (c) => c.primaryKey())
        .addColumn('change_id', 'varchar(200)', (c) => c.notNull())
        .addColumn('event_type', 'varchar(32)', (c) => c.notNull())
        .addColumn('channel_id', 'varchar(64)', (c) => c.notNull())
        .addColumn('incident_id', 'varchar(64)')
        .addColumn('alert_id', 'varchar(64)')
        .addColumn('order_key', 'varchar(64)', (c) => c.notNull())
        .addColumn('receivers', 'text', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await sql`drop table if exists outbox`.execute(db);
    },
  };
}
