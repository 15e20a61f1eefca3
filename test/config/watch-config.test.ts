import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { watchConfigFile } from '../../src/config/watch-config.js';
import { eventually } from '../support/waiting.js';

const dir = mkdtempSync(join(tmpdir(), 'alertgate-watch-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const fast = { intervalMs: 20, debounceMs: 50 };

/** Waits until `seen` holds `count` texts. */
const calls = (seen: string[], count: number) =>
  eventually(`${count} reloads`, async () => (seen.length >= count ? true : undefined), 30_000);

test('one call per burst of writes, none for a rewrite with the same text, one for a rename over the file', async () => {
  const path = join(dir, 'alertgate.yaml');
  writeFileSync(path, 'channels: []\n');
  const seen: string[] = [];
  const watcher = watchConfigFile(path, (text) => seen.push(text), fast);
  try {
    writeFileSync(path, 'channels: [');
    writeFileSync(path, 'channels: [{ id: a }]\n');
    await calls(seen, 1);
    assert.deepEqual(seen, ['channels: [{ id: a }]\n']);

    // The same text again: looked at (a new modification time), and nothing is called. Waiting longer can only
    // make this check weaker, never fail it.
    writeFileSync(path, 'channels: [{ id: a }]\n');
    await pause(10 * (fast.intervalMs + fast.debounceMs));

    // Editors save by writing a new file and renaming it over the old one.
    writeFileSync(join(dir, '.alertgate.yaml.swp'), 'channels: [{ id: b }]\n');
    renameSync(join(dir, '.alertgate.yaml.swp'), path);
    await calls(seen, 2);
    assert.deepEqual(seen, ['channels: [{ id: a }]\n', 'channels: [{ id: b }]\n']);
  } finally {
    watcher.close();
  }
});

test('a link whose target is swapped, as Kubernetes updates a mounted ConfigMap, is read again', async () => {
  const mount = join(dir, 'configmap');
  mkdirSync(join(mount, '..v1'), { recursive: true });
  mkdirSync(join(mount, '..v2'));
  writeFileSync(join(mount, '..v1', 'alertgate.yaml'), 'channels: [{ id: one }]\n');
  writeFileSync(join(mount, '..v2', 'alertgate.yaml'), 'channels: [{ id: two }]\n');
  symlinkSync('..v1', join(mount, '..data'));
  symlinkSync(join('..data', 'alertgate.yaml'), join(mount, 'alertgate.yaml'));
  const seen: string[] = [];
  const watcher = watchConfigFile(join(mount, 'alertgate.yaml'), (text) => seen.push(text), fast);
  try {
    // The kubelet points a new link at the new version and renames it over `..data`.
    symlinkSync('..v2', join(mount, '..data_tmp'));
    renameSync(join(mount, '..data_tmp'), join(mount, '..data'));
    await calls(seen, 1);
    assert.deepEqual(seen, ['channels: [{ id: two }]\n']);
  } finally {
    watcher.close();
  }
});

test('a file missing for a while keeps the text in force, and is read when it is back', async () => {
  const path = join(dir, 'coming-back.yaml');
  writeFileSync(path, 'channels: []\n');
  const seen: string[] = [];
  const watcher = watchConfigFile(path, (text) => seen.push(text), fast);
  try {
    rmSync(path);
    await pause(10 * (fast.intervalMs + fast.debounceMs));
    assert.deepEqual(seen, []);
    writeFileSync(path, 'channels: [{ id: back }]\n');
    await calls(seen, 1);
    assert.deepEqual(seen, ['channels: [{ id: back }]\n']);
  } finally {
    watcher.close();
  }
});
