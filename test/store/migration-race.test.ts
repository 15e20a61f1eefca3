import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { openDatabase } from '../../src/store/database.js';
import { packageRoot } from '../../src/paths.js';

const child = join(packageRoot, 'dist', 'test', 'support', 'migrate-child.js');

function migrateInChild(url: string, startAt: number): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const process_ = spawn(process.execPath, [child, url, String(startAt)], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    process_.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    process_.on('exit', (code) => resolve({ code, stderr }));
  });
}

describe('SQLite migrations from several processes at once', () => {
  const dir = mkdtempSync(join(tmpdir(), 'alertgate-migrate-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('six processes migrating one fresh file all succeed, and the schema is complete once', async () => {
    for (let round = 0; round < 4; round += 1) {
      const url = `sqlite:${join(dir, `race-${round}.db`)}`;
      // A common start time: the children load their modules first, then all migrate in the same moment.
      const startAt = Date.now() + 1500;
      const results = await Promise.all(Array.from({ length: 6 }, () => migrateInChild(url, startAt)));
      for (const result of results) assert.equal(result.code, 0, `a migrating process failed: ${result.stderr}`);
      const store = openDatabase(url);
      try {
        const applied = await store.db.selectNoFrom((eb) => eb.lit(1).as('one')).execute();
        assert.equal(applied.length, 1);
        const tables = await store.db.introspection.getTables();
        assert.ok(
          tables.some((table) => table.name === 'events'),
          'the events table exists',
        );
        const migrations = await (
          store.db as unknown as import('kysely').Kysely<{ kysely_migration: { name: string } }>
        )
          .selectFrom('kysely_migration')
          .select('name')
          .execute();
        assert.equal(
          new Set(migrations.map((row) => row.name)).size,
          migrations.length,
          'each migration recorded once',
        );
      } finally {
        await store.close();
      }
    }
  });
});
