import { sql, type Kysely, type Migration } from 'kysely';

/**
 * The job that owns a pending delivery: the relay's job for its receiver and pass, or the delivery's own job (retries,
 * the sweep, a redelivery). Only the owner sends it, so a delivery that ends up on two jobs is still sent by one.
 * Null (rows written before): the delivery's own job.
 *
 * The order index gains the status: "the earlier pending delivery of this receiver and incident" is asked before
 * every attempt, and without it SQLite may walk all of a receiver's pending deliveries (a backlog, a receiver down).
 */
export const migration0014: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('deliveries').addColumn('job_id', 'varchar(64)').execute();
    await db.schema
      .createIndex('deliveries_receiver_pending')
      .on('deliveries')
      .columns(['receiver_id', 'order_key', 'status', 'seq'])
      .execute();
    await sql`drop index if exists deliveries_receiver_order`.execute(db);
  },
  async down(db: Kysely<unknown>) {
    await db.schema
      .createIndex('deliveries_receiver_order')
      .on('deliveries')
      .columns(['receiver_id', 'order_key', 'seq'])
      .execute();
    await sql`drop index if exists deliveries_receiver_pending`.execute(db);
    await sql`alter table deliveries drop column job_id`.execute(db);
  },
};
