import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { migrateToLatest, openDatabase } from '../../src/store/database.js';
import { missingSchemaMessage } from '../../src/store/schema-message.js';
import { postgresUrl } from '../support/stores.js';

test('PostgreSQL: a schema that does not exist is named, with the statement that creates it', async () => {
  const schema = `absent_${randomBytes(4).toString('hex')}`;
  const store = openDatabase(postgresUrl, schema);
  try {
    await assert.rejects(migrateToLatest(store), {
      message: `PostgreSQL schema "${schema}" does not exist (DATABASE_SCHEMA / search_path): create it with CREATE SCHEMA "${schema}"; or name an existing schema`,
    });
  } finally {
    await store.close();
  }
});

test('the schema is named as PostgreSQL reads search_path: unquoted names fold to lower case, quoted ones stay', () => {
  assert.match(missingSchemaMessage('Alerts'), /schema "alerts" does not exist .* CREATE SCHEMA "alerts";/);
  assert.match(missingSchemaMessage('"Alerts"'), /schema "Alerts" does not exist .* CREATE SCHEMA "Alerts";/);
  assert.match(missingSchemaMessage('"a""b"'), /CREATE SCHEMA "a""b";/);
  assert.match(missingSchemaMessage('"$user", public'), /^PostgreSQL schema "public" does not exist/);
  assert.equal(
    missingSchemaMessage('a, b'),
    'no schema of the PostgreSQL search_path (a, b) exists: create one with CREATE SCHEMA "name" and set DATABASE_SCHEMA to it',
  );
});
