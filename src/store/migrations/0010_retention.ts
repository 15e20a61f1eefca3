import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../dialect.js';

/**
 * Retention and bounded rejected payloads: the size each rejected payload takes (so a per-integration byte cap needs
 * no scan of bodies), and the time indexes the retention job walks.
 */
export function migration0010(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .alterTable('rejected_payloads')
        .addColumn('stored_bytes', 'bigint', (c) => c.notNull().defaultTo(0))
        .execute();
      const bytes = dialect === 'postgres' ? sql`octet_length(body)` : sql`length(cast(body as blob))`;
      await sql`update rejected_payloads set stored_bytes = ${bytes} + length(headers) + length(query)`.execute(db);
      await db.schema
        .createIndex('rejected_payloads_received')
        .on('rejected_payloads')
        .columns(['received_at'])
        .execute();
      await db.schema.createIndex('incidents_closed').on('incidents').columns(['progress', 'close_time']).execute();
      await db.schema.createIndex('alerts_closed').on('alerts').columns(['close_time']).execute();
    },
    async down(db: Kysely<unknown>) {
      await sql`drop index if exists alerts_closed`.execute(db);
      await sql`drop index if exists incidents_closed`.execute(db);
      await sql`drop index if exists rejected_payloads_received`.execute(db);
      await sql`alter table rejected_payloads drop column stored_bytes`.execute(db);
    },
  };
}
