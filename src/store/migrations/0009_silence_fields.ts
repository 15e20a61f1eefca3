import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Silences made through the API keep a comment and the instant they start; expired ones stay as history (their
 * `expires_at`, already indexed, says when they ended).
 */
export const migration0009: Migration = {
  async up(db: Kysely<unknown>) {
    // One column per statement: SQLite adds one column per ALTER TABLE.
    await db.schema.alterTable('silences').addColumn('comment', 'text').execute();
    await db.schema.alterTable('silences').addColumn('starts_at', 'bigint').execute();
  },
  async down(db: Kysely<unknown>) {
    await sql`alter table silences drop column comment`.execute(db);
    await sql`alter table silences drop column starts_at`.execute(db);
  },
};
