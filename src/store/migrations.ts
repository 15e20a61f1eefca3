import { sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';

export type Dialect = 'sqlite' | 'postgres';

/** Schema migrations, in order. Add new ones at the end; never edit a released one. */
function migrations(dialect: Dialect): Record<string, Migration> {
  const serial = dialect === 'postgres' ? 'bigserial' : 'integer';
  return {
    '0001_core': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('events')
          .addColumn('event_id', 'varchar(32)', (c) => c.primaryKey())
          .addColumn('request_id', 'varchar(64)', (c) => c.notNull())
          .addColumn('integration_id', 'varchar(64)', (c) => c.notNull())
          .addColumn('integration_type', 'varchar(64)', (c) => c.notNull())
          .addColumn('channel_id', 'varchar(64)')
          .addColumn('alert_key', 'varchar(255)', (c) => c.notNull())
          .addColumn('alert_id', 'varchar(32)')
          .addColumn('incident_id', 'varchar(32)')
          .addColumn('event_status', 'varchar(16)', (c) => c.notNull())
          .addColumn('title', 'text', (c) => c.notNull())
          .addColumn('title_rule', 'text', (c) => c.notNull())
          .addColumn('description', 'text')
          .addColumn('labels', 'text', (c) => c.notNull())
          .addColumn('images', 'text')
          .addColumn('event_time', 'bigint', (c) => c.notNull())
          .addColumn('received_at', 'bigint', (c) => c.notNull())
          .addColumn('seq', 'bigint', (c) => c.notNull())
          .addColumn('processed_at', 'bigint', (c) => c.notNull())
          .addColumn('outcome', 'varchar(32)', (c) => c.notNull())
          .addColumn('trace', 'text', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('events_alert').on('events').columns(['alert_id', 'event_id']).execute();
        await db.schema.createIndex('events_integration').on('events').columns(['integration_id', 'event_id']).execute();

        await db.schema
          .createTable('alert_keys')
          .addColumn('integration_id', 'varchar(64)', (c) => c.notNull())
          .addColumn('channel_id', 'varchar(64)', (c) => c.notNull())
          .addColumn('alert_key', 'varchar(255)', (c) => c.notNull())
          .addColumn('last_event_id', 'varchar(32)', (c) => c.notNull())
          .addPrimaryKeyConstraint('alert_keys_pk', ['integration_id', 'channel_id', 'alert_key'])
          .execute();

        await db.schema
          .createTable('alerts')
          .addColumn('alert_id', 'varchar(32)', (c) => c.primaryKey())
          .addColumn('integration_id', 'varchar(64)', (c) => c.notNull())
          .addColumn('integration_type', 'varchar(64)', (c) => c.notNull())
          .addColumn('channel_id', 'varchar(64)', (c) => c.notNull())
          .addColumn('alert_key', 'varchar(255)', (c) => c.notNull())
          .addColumn('incident_id', 'varchar(32)')
          .addColumn('title', 'text', (c) => c.notNull())
          .addColumn('title_rule', 'text', (c) => c.notNull())
          .addColumn('description', 'text')
          .addColumn('alert_status', 'varchar(16)', (c) => c.notNull())
          .addColumn('alert_severity', 'varchar(16)', (c) => c.notNull())
          .addColumn('labels', 'text', (c) => c.notNull())
          .addColumn('images', 'text')
          .addColumn('last_event_hash', 'varchar(64)', (c) => c.notNull())
          .addColumn('last_event_core_hash', 'varchar(64)', (c) => c.notNull())
          .addColumn('event_cnt', 'integer', (c) => c.notNull())
          .addColumn('start_time', 'bigint', (c) => c.notNull())
          .addColumn('last_time', 'bigint', (c) => c.notNull())
          .addColumn('end_time', 'bigint')
          .addColumn('close_time', 'bigint')
          .addColumn('is_open', 'integer')
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('updated_at', 'bigint', (c) => c.notNull())
          .execute();
        // NULLs are distinct in a unique index (SQLite and PostgreSQL): at most one open alert per key.
        await db.schema.createIndex('alerts_open_key').on('alerts').columns(['integration_id', 'channel_id', 'alert_key', 'is_open']).unique().execute();
        await db.schema.createIndex('alerts_incident').on('alerts').columns(['incident_id', 'alert_id']).execute();
        await db.schema.createIndex('alerts_channel').on('alerts').columns(['channel_id', 'alert_id']).execute();

        await db.schema
          .createTable('incidents')
          .addColumn('incident_id', 'varchar(32)', (c) => c.primaryKey())
          .addColumn('channel_id', 'varchar(64)', (c) => c.notNull())
          .addColumn('title', 'text', (c) => c.notNull())
          .addColumn('description', 'text')
          .addColumn('incident_severity', 'varchar(16)', (c) => c.notNull())
          .addColumn('incident_status', 'varchar(16)', (c) => c.notNull())
          .addColumn('progress', 'varchar(16)', (c) => c.notNull())
          .addColumn('labels', 'text', (c) => c.notNull())
          .addColumn('first_alert_id', 'varchar(32)')
          .addColumn('alert_cnt', 'integer', (c) => c.notNull())
          .addColumn('active_alert_cnt', 'integer', (c) => c.notNull())
          .addColumn('group_method', 'varchar(16)', (c) => c.notNull())
          .addColumn('grouping_key', 'varchar(128)')
          .addColumn('start_time', 'bigint', (c) => c.notNull())
          .addColumn('last_time', 'bigint', (c) => c.notNull())
          .addColumn('end_time', 'bigint')
          .addColumn('ack_time', 'bigint')
          .addColumn('close_time', 'bigint')
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('updated_at', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('incidents_channel').on('incidents').columns(['channel_id', 'incident_id']).execute();
        await db.schema.createIndex('incidents_progress').on('incidents').columns(['progress', 'incident_id']).execute();

        await db.schema
          .createTable('incident_timeline')
          .addColumn('id', serial, (c) => (dialect === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey()))
          .addColumn('incident_id', 'varchar(32)', (c) => c.notNull())
          .addColumn('type', 'varchar(32)', (c) => c.notNull())
          .addColumn('at', 'bigint', (c) => c.notNull())
          .addColumn('actor', 'varchar(128)')
          .addColumn('alert_id', 'varchar(32)')
          .addColumn('detail', 'text')
          .execute();
        await db.schema.createIndex('incident_timeline_incident').on('incident_timeline').columns(['incident_id', 'id']).execute();

        await db.schema
          .createTable('integration_stats')
          .addColumn('integration_id', 'varchar(64)', (c) => c.primaryKey())
          .addColumn('latest_event_at', 'bigint')
          .addColumn('latest_event_id', 'varchar(32)')
          .execute();
        await db.schema
          .createTable('integration_counts')
          .addColumn('integration_id', 'varchar(64)', (c) => c.notNull())
          .addColumn('outcome', 'varchar(32)', (c) => c.notNull())
          .addColumn('count', 'bigint', (c) => c.notNull())
          .addPrimaryKeyConstraint('integration_counts_pk', ['integration_id', 'outcome'])
          .execute();
      },
      async down(db: Kysely<unknown>) {
        for (const table of ['integration_counts', 'integration_stats', 'incident_timeline', 'incidents', 'alerts', 'alert_keys', 'events']) {
          await sql`drop table if exists ${sql.table(table)}`.execute(db);
        }
      },
    },
    '0002_payloads': {
      // Adapter payloads that could not be mapped, kept for listing and replay (contract §4).
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
        await db.schema.createIndex('rejected_payloads_integration').on('rejected_payloads').columns(['integration_id', 'id']).execute();
      },
      async down(db: Kysely<unknown>) {
        await sql`drop table if exists rejected_payloads`.execute(db);
      },
    },
    '0003_noise_reduction': {
      // Grouping, muting (silence, inhibition, flapping) and storm state (contract §5).
      async up(db: Kysely<unknown>) {
        await db.schema.alterTable('incidents').addColumn('open_grouping_key', 'varchar(128)').execute();
        await db.schema.alterTable('incidents').addColumn('storm_raised', 'text').execute();
        await db.schema.alterTable('incidents').addColumn('flapping', 'integer', (c) => c.notNull().defaultTo(0)).execute();
        // The database, not luck, keeps one open incident per channel and grouping key, across workers.
        await db.schema.createIndex('incidents_open_grouping_key').on('incidents').columns(['channel_id', 'open_grouping_key']).unique().execute();
        await db.schema.alterTable('alerts').addColumn('muted', 'varchar(160)').execute();
        await db.schema.alterTable('alerts').addColumn('flapping', 'integer', (c) => c.notNull().defaultTo(0)).execute();
        await db.schema.createIndex('alerts_channel_open').on('alerts').columns(['channel_id', 'is_open', 'last_time']).execute();
        await db.schema.alterTable('alert_keys').addColumn('status_changes', 'text').execute();
        await db.schema.alterTable('alert_keys').addColumn('muted_until', 'bigint').execute();
        await db.schema.alterTable('alert_keys').addColumn('last_status', 'varchar(16)').execute();
      },
      async down(db: Kysely<unknown>) {
        await sql`drop index if exists incidents_open_grouping_key`.execute(db);
        await sql`drop index if exists alerts_channel_open`.execute(db);
        for (const [table, column] of [['incidents', 'open_grouping_key'], ['incidents', 'storm_raised'], ['incidents', 'flapping'], ['alerts', 'muted'], ['alerts', 'flapping'], ['alert_keys', 'status_changes'], ['alert_keys', 'muted_until'], ['alert_keys', 'last_status']]) {
          await sql`alter table ${sql.table(table)} drop column ${sql.ref(column)}`.execute(db);
        }
      },
    },
    '0004_silences': {
      // Silences made through the API (config silences stay in alertgate.yaml); one rule per row, as JSON.
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
    },
  };
}

/** Kysely migration provider for the given dialect. */
export function migrationProvider(dialect: Dialect): MigrationProvider {
  return { getMigrations: async () => migrations(dialect) };
}
