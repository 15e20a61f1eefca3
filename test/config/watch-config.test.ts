import assert from 'node:assert/strict';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { watchConfigFile } from '../../src/config/watch-config.js';

const dir = mkdtempSync(join(tmpdir(), 'alertgate-watch-'));
const path = join(dir, 'alertgate.yaml');
after(() => rmSync(dir, { recursive: true, force: true }));

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('one call per burst of writes, none for a rewrite with the same text, one for a rename over the file', async () => {
  writeFileSync(path, 'channels: []\n');
  const seen: string[] = [];
  const watcher = watchConfigFile(path, (text) => seen.push(text), { debounceMs: 100 });
  try {
    writeFileSync(path, 'channels: [');
    writeFileSync(path, 'channels: [{ id: a }]\n');
    writeFileSync(join(dir, 'other.yaml'), 'ignored');
    await pause(400);
    assert.deepEqual(seen, ['channels: [{ id: a }]\n']);

    writeFileSync(path, 'channels: [{ id: a }]\n');
    await pause(300);
    assert.equal(seen.length, 1, 'same text: no reload');

    // Editors save by writing a new file and renaming it over the old one.
    writeFileSync(join(dir, '.alertgate.yaml.swp'), 'channels: [{ id: b }]\n');
    renameSync(join(dir, '.alertgate.yaml.swp'), path);
    await pause(400);
    assert.deepEqual(seen.at(-1), 'channels: [{ id: b }]\n');
    assert.equal(seen.length, 2);
  } finally {
    watcher.close();
  }
});
