import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../dialect.js';

/** Events, alert keys, alerts, incidents, their timeline and integration statistics. */
export function migration0001(dialect: Dialect): Migration {
  const serial = dialect === 'postgres' ? 'bigserial' : 'integer';
  return {
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
      await db.schema
        .createIndex('alerts_open_key')
        .on('alerts')
        .columns(['integration_id', 'channel_id', 'alert_key', 'is_open'])
        .unique()
        .execute();
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
      await db.schema
        .createIndex('incident_timeline_incident')
        .on('incident_timeline')
        .columns(['incident_id', 'id'])
        .execute();

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
      for (const table of [
        'integration_counts',
        'integration_stats',
        'incident_timeline',
        'incidents',
        'alerts',
        'alert_keys',
        'events',
      ]) {
        await sql`drop table if exists ${sql.table(table)}`.execute(db);
      }
    },
  };
}
