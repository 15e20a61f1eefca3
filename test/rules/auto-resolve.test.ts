import assert from 'node:assert/strict';
import { test } from 'node:test';
import { autoResolveDueAt, type AutoResolveSettings } from '../../src/rules/auto-resolve.js';

const cases: Array<{
  name: string;
  incident: { created_at: number; last_time: number };
  settings: AutoResolveSettings;
  due: number;
}> = [
  {
    name: 'trigger: from the start, merges do not matter',
    incident: { created_at: 1000, last_time: 9000 },
    settings: { afterMs: 500, from: 'trigger' },
    due: 1500,
  },
  {
    name: 'last-merge: from the last merge',
    incident: { created_at: 1000, last_time: 9000 },
    settings: { afterMs: 500, from: 'last-merge' },
    due: 9500,
  },
  {
    name: 'last-merge without merges: from the start',
    incident: { created_at: 1000, last_time: 1000 },
    settings: { afterMs: 500, from: 'last-merge' },
    due: 1500,
  },
  {
    name: 'last-merge never earlier than the trigger',
    incident: { created_at: 2000, last_time: 1000 },
    settings: { afterMs: 500, from: 'last-merge' },
    due: 2500,
  },
];

for (const { name, incident, settings, due } of cases) {
  test(`autoResolveDueAt: ${name}`, () => assert.equal(autoResolveDueAt(incident, settings), due));
}
