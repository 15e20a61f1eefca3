import { sql, type Kysely, type Migration } from 'kysely';

/** Silences made through the API (config silences stay in alertgate.yaml); one rule per row, as JSON. */
export const migration0004: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('silences')
      .addColumn('channel_id', 'varchar(64)', (c) => c.notNull())
      .addColumn('id', 'varchar(64)', (c) => c.notNull())
      .addColumn('rule', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('created_by', 'varchar(128)')
      .addColumn('expires_at', 'bigint')
      .addPrimaryKeyConstraint('silences_pk', ['channel_id', 'id'])
      .execute();
    await db.schema.createIndex('silences_expires').on('silences').column('expires_at').execute();
  },
  async down(db: Kysely<unknown>) {
    await sql`drop table if exists silences`.execute(db);
  },
};
