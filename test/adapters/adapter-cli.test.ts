import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { listAdapters, testAdapters, tryAdapter, type CliOutput } from '../../src/adapters/adapter-cli.js';
import { scaffoldAdapter } from '../../src/adapters/scaffold.js';
import { manifestFor, tempAdaptersDir } from '../support/temp-adapters.js';

function capture(): CliOutput & { text(): string } {
  const lines: string[] = [];
  return { out: (line) => lines.push(line), err: (line) => lines.push(line), text: () => lines.join('\n') };
}

describe('alertgate adapter new / test / try / list', () => {
  const temp = tempAdaptersDir({});
  after(() => temp.remove());

  test('new scaffolds an adapter whose fixtures pass', async () => {
    const folder = await scaffoldAdapter('acme', temp.dir);
    const mapping = readFileSync(join(folder, 'mapping.jsonata'), 'utf8');
    assert.match(mapping, /^\/\* acme: <vendor>'s webhook/);
    const io = capture();
    assert.equal(await testAdapters(io, { dir: temp.dir }), 0, io.text());
    assert.match(io.text(), /ok {4}acme\/firing\n.*ok {4}acme\/malformed\n.*ok {4}acme\/resolved\n3 passed, 0 failed/);
    await assert.rejects(scaffoldAdapter('acme', temp.dir), /already exists/);
    await assert.rejects(scaffoldAdapter('Bad Name', temp.dir), /lower-case letters/);
  });

  test('test shows a readable diff and exits 1 on a mismatch', async () => {
    const file = join(temp.dir, 'acme', 'fixtures', 'firing.expected.json');
    const original = readFileSync(file, 'utf8');
    writeFileSync(file, original.replace('"Critical"', '"Warning"'));
    const io = capture();
    assert.equal(await testAdapters(io, { dir: temp.dir, name: 'acme' }), 1);
    assert.match(io.text(), /FAIL {2}acme\/firing/);
    assert.match(io.text(), /\+ {4,}event_status: 'Critical'/);
    assert.match(io.text(), /- {4,}event_status: 'Warning'/);
    assert.match(io.text(), /2 passed, 1 failed/);
    writeFileSync(file, original);
  });

  test('test warns, with file:line:column, of a path no fixture has and of = for :=, and still passes', async () => {
    const file = join(temp.dir, 'acme', 'mapping.jsonata');
    const original = readFileSync(file, 'utf8');
    writeFileSync(file, original.replace(/^\(/m, '(\n  $unused = body.idd;'));
    const io = capture();
    assert.equal(await testAdapters(io, { dir: temp.dir, name: 'acme' }), 0, io.text());
    assert.match(io.text(), /warn {2}acme\/mapping\.jsonata:\d+:\d+: \$unused = … compares and throws the result away/);
    assert.match(io.text(), /warn {2}acme\/mapping\.jsonata:\d+:\d+: body\.idd matches nothing in any fixture/);
    assert.match(io.text(), /3 passed, 0 failed, 2 warnings$/);
    writeFileSync(file, original);
  });

  test('try prints the standard events of a bare payload or a fixture input', async () => {
    const payload = join(temp.dir, 'payload.json');
    writeFileSync(payload, JSON.stringify({ id: 7, status: 'firing', severity: 'info', name: 'Queue backlog' }));
    const io = capture();
    assert.equal(await tryAdapter(io, 'acme', payload, temp.dir), 0, io.text());
    const [event] = JSON.parse(io.text()) as Array<{ title: string; event_status: string; alert_key: string }>;
    assert.deepEqual([event.title, event.event_status, event.alert_key], ['Queue backlog', 'Info', '7']);
    const failing = capture();
    assert.equal(
      await tryAdapter(failing, 'acme', join(temp.dir, 'acme', 'fixtures', 'malformed.input.json'), temp.dir),
      1,
    );
    assert.match(failing.text(), /^400 InvalidParameter: not a acme payload: expected an id/);
  });

  test('list shows adapters and the broken ones with their problem', () => {
    temp.write('broken', { manifest: manifestFor('broken'), mapping: '{ "title": ' });
    const io = capture();
    assert.equal(listAdapters(io, temp.dir), 1, 'a broken adapter makes list exit non-zero');
    assert.match(io.text(), /^acme {13}acme \(edit me\) {2}\(POST; application\/json; 3 fixtures\)/);
    assert.match(io.text(), /broken {11}BROKEN\n {2}adapters\/broken\/mapping\.jsonata:1:/);
  });

  test('try on a broken adapter prints its compile error with file, line and column', async () => {
    temp.write('broken', { manifest: manifestFor('broken'), mapping: '{ "title": ' });
    const io = capture();
    assert.equal(
      await tryAdapter(io, 'broken', join(temp.dir, 'acme', 'fixtures', 'malformed.input.json'), temp.dir),
      1,
    );
    assert.match(io.text(), /adapter broken is broken:\n {2}adapters\/broken\/mapping\.jsonata:1:\d+: JSONata/);
    assert.doesNotMatch(io.text(), /no adapter named/);
  });
});
