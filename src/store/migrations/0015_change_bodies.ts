import { sql, type Kysely, type Migration } from 'kysely';

/**
 * A change's body is kept once, however many receivers take it: each delivery names the change, and `change_bodies`
 * holds its body (the outbox row keeps carrying it until relayed). Copying the body into every delivery tripled what
 * the notifier wrote per change (three receivers: three copies of about a kilobyte), and in one SQLite file those
 * writes are also what the pipeline's transactions and the checkpoints pay for. Deliveries gain an index on the
 * change, which retention asks before it removes a body.
 */
export const migration0015: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('change_bodies')
      .addColumn('change_id', 'varchar(200)', (c) => c.primaryKey())
      .addColumn('body', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    // `where true`: SQLite reads an upsert after a bare select as part of the select.
    await sql`insert into change_bodies (change_id, body, created_at)
      select change_id, body, created_at from deliveries where true
      on conflict (change_id) do nothing`.execute(db);
    await sql`alter table deliveries drop column body`.execute(db);
    await db.schema.createIndex('deliveries_change').on('deliveries').column('change_id').execute();
  },
  async down(db: Kysely<unknown>) {
    await sql`drop index if exists deliveries_change`.execute(db);
    await sql`alter table deliveries add column body text not null default ''`.execute(db);
    await sql`update deliveries set body = (
      select change_bodies.body from change_bodies where change_bodies.change_id = deliveries.change_id
    ) where exists (select 1 from change_bodies where change_bodies.change_id = deliveries.change_id)`.execute(db);
    await sql`drop table if exists change_bodies`.execute(db);
  },
};
