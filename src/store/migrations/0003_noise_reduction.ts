import { sql, type Kysely, type Migration } from 'kysely';

/** Grouping, muting (silence, inhibition, flapping) and storm state (contract §5). */
export const migration0003: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('incidents').addColumn('open_grouping_key', 'varchar(128)').execute();
    await db.schema.alterTable('incidents').addColumn('storm_raised', 'text').execute();
    await db.schema
      .alterTable('incidents')
      .addColumn('flapping', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    // The database, not luck, keeps one open incident per channel and grouping key, across workers.
    await db.schema
      .createIndex('incidents_open_grouping_key')
      .on('incidents')
      .columns(['channel_id', 'open_grouping_key'])
      .unique()
      .execute();
    await db.schema.alterTable('alerts').addColumn('muted', 'varchar(160)').execute();
    await db.schema
      .alterTable('alerts')
      .addColumn('flapping', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema
      .createIndex('alerts_channel_open')
      .on('alerts')
      .columns(['channel_id', 'is_open', 'last_time'])
      .execute();
    await db.schema.alterTable('alert_keys').addColumn('status_changes', 'text').execute();
    await db.schema.alterTable('alert_keys').addColumn('muted_until', 'bigint').execute();
    await db.schema.alterTable('alert_keys').addColumn('last_status', 'varchar(16)').execute();
  },
  async down(db: Kysely<unknown>) {
    await sql`drop index if exists incidents_open_grouping_key`.execute(db);
    await sql`drop index if exists alerts_channel_open`.execute(db);
    for (const [table, column] of [
      ['incidents', 'open_grouping_key'],
      ['incidents', 'storm_raised'],
      ['incidents', 'flapping'],
      ['alerts', 'muted'],
      ['alerts', 'flapping'],
      ['alert_keys', 'status_changes'],
      ['alert_keys', 'muted_until'],
      ['alert_keys', 'last_status'],
    ]) {
      await sql`alter table ${sql.table(table)} drop column ${sql.ref(column)}`.execute(db);
    }
  },
};
