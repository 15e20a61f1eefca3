import { sql, type Kysely, type Migration } from 'kysely';

/**
 * The time index retention walks to remove finished deliveries and their attempts, and the incident index its detail
 * lists its notifications by.
 */
export const migration0012: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.createIndex('deliveries_created').on('deliveries').columns(['created_at']).execute();
    await db.schema.createIndex('deliveries_incident').on('deliveries').columns(['incident_id', 'seq']).execute();
  },
  async down(db: Kysely<unknown>) {
    await sql`drop index if exists deliveries_incident`.execute(db);
    await sql`drop index if exists deliveries_created`.execute(db);
  },
};
