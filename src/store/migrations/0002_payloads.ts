import { sql, type Kysely, type Migration } from 'kysely';

/** Adapter payloads that could not be mapped, kept for listing and replay (contract §4). */
export const migration0002: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('rejected_payloads')
      .addColumn('id', 'varchar(32)', (c) => c.primaryKey())
      .addColumn('integration_id', 'varchar(64)', (c) => c.notNull())
      .addColumn('adapter', 'varchar(64)', (c) => c.notNull())
      .addColumn('request_id', 'varchar(64)', (c) => c.notNull())
      .addColumn('error_code', 'varchar(32)', (c) => c.notNull())
      .addColumn('error_message', 'text', (c) => c.notNull())
      .addColumn('method', 'varchar(8)', (c) => c.notNull())
      .addColumn('headers', 'text', (c) => c.notNull())
      .addColumn('query', 'text', (c) => c.notNull())
      .addColumn('content_type', 'varchar(255)')
      .addColumn('body', 'text', (c) => c.notNull())
      .addColumn('received_at', 'bigint', (c) => c.notNull())
      .addColumn('replayed_at', 'bigint')
      .addColumn('replay_result', 'text')
      .execute();
    await db.schema
      .createIndex('rejected_payloads_integration')
      .on('rejected_payloads')
      .columns(['integration_id', 'id'])
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await sql`drop table if exists rejected_payloads`.execute(db);
  },
};
