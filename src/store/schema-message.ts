import { sql, type Kysely } from 'kysely';
import type { Database } from './tables.js';

/** One search_path entry as PostgreSQL reads it: a quoted name as written, an unquoted one folded to lower case. */
function schemaName(entry: string): string {
  const quoted = /^"(.*)"$/.exec(entry);
  return quoted ? quoted[1].replace(/""/g, '"') : entry.toLowerCase();
}

const quoteIdentifier = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/**
 * What to say when no schema of the search_path exists (PostgreSQL itself only says "no schema has been selected to
 * create in"): the schema by name and the statement that creates it.
 */
export function missingSchemaMessage(searchPath: string): string {
  const entries = searchPath
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '' && entry !== '"$user"' && entry !== '$user');
  if (entries.length !== 1)
    return `no schema of the PostgreSQL search_path (${searchPath}) exists: create one with CREATE SCHEMA "name" and set DATABASE_SCHEMA to it`;
  const name = quoteIdentifier(schemaName(entries[0]));
  return `PostgreSQL schema ${name} does not exist (DATABASE_SCHEMA / search_path): create it with CREATE SCHEMA ${name}; or name an existing schema`;
}

/** The error for a PostgreSQL connection whose search_path names no existing schema. */
export async function missingSchemaError(db: Kysely<Database>): Promise<Error> {
  const { rows } = await sql<{ search_path: string }>`show search_path`.execute(db);
  return new Error(missingSchemaMessage(rows[0]?.search_path ?? ''));
}
