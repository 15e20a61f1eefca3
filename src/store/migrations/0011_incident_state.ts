import { sql, type Kysely, type Migration } from 'kysely';

/**
 * The open alert of an integration's key in whichever channel it lives: an integration moved to another channel
 * (or routed elsewhere) still finds its open alerts there, for every event of a key with no open alert where it was
 * routed now. The existing unique index leads with the channel, so this lookup needs its own.
 */
export const migration0011: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createIndex('alerts_open_integration_key')
      .on('alerts')
      .columns(['integration_id', 'alert_key', 'is_open'])
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await sql`drop index if exists alerts_open_integration_key`.execute(db);
  },
};
