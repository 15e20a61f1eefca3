import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Change events (one row per integration and change_key, its labels in a table of their own so lists filter by
 * label and correlation finds changes by shared label values) and the state of heartbeats (last ping).
 */
export const migration0006: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('changes')
      .addColumn('change_id', 'varchar(32)', (c) => c.primaryKey())
      .addColumn('integration_id', 'varchar(64)', (c) => c.notNull())
      .addColumn('change_key', 'varchar(255)', (c) => c.notNull())
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('description', 'text')
      .addColumn('change_status', 'varchar(16)', (c) => c.notNull())
      .addColumn('labels', 'text', (c) => c.notNull())
      .addColumn('link', 'text')
      .addColumn('statuses', 'text', (c) => c.notNull())
      .addColumn('start_time', 'bigint', (c) => c.notNull())
      .addColumn('last_time', 'bigint', (c) => c.notNull())
      .addColumn('last_event_id', 'varchar(32)', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addUniqueConstraint('changes_key', ['integration_id', 'change_key'])
      .execute();
    await db.schema.createIndex('changes_last_time').on('changes').columns(['last_time', 'change_id']).execute();
    await db.schema
      .createTable('change_labels')
      .addColumn('change_id', 'varchar(32)', (c) => c.notNull())
      .addColumn('name', 'varchar(128)', (c) => c.notNull())
      .addColumn('value', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('change_labels_pk', ['change_id', 'name'])
      .execute();
    await db.schema.createIndex('change_labels_value').on('change_labels').columns(['name', 'value']).execute();
    await db.schema
      .createTable('heartbeats')
      .addColumn('heartbeat_id', 'varchar(64)', (c) => c.primaryKey())
      .addColumn('since', 'bigint', (c) => c.notNull())
      .addColumn('last_ping_at', 'bigint')
      .addColumn('last_missed_at', 'bigint')
      .addColumn('missed_cnt', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await sql`drop table if exists change_labels`.execute(db);
    await sql`drop table if exists changes`.execute(db);
    await sql`drop table if exists heartbeats`.execute(db);
  },
};
