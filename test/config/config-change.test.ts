import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { stringify } from 'yaml';
import { summariseConfigChange } from '../../src/config/config-change.js';
import { buildConfig } from '../../src/config/load-config.js';
import { createReloader } from '../../src/config/reloader.js';
import { createLogger } from '../../src/observability/logger.js';

const before = {
  channels: [
    { id: 'ops', name: 'Ops' },
    { id: 'db', name: 'DB', auto_close: true },
  ],
  integrations: [{ id: 'std', name: 'Standard', adapter: 'standard', key: 'std-key-0001', channel: 'ops' }],
};
const after = {
  channels: [
    { id: 'ops', name: 'Operations' },
    { id: 'db', name: 'DB', auto_close: false, auto_resolve: { after: '1h' } },
    { id: 'web', name: 'Web' },
  ],
  integrations: [{ id: 'std', name: 'Standard', adapter: 'standard', key: 'std-key-0001', channel: 'db' }],
};

describe('what a reload changed', () => {
  test('per channel and integration kept, the fields whose definition changed', () => {
    const summary = summariseConfigChange(buildConfig(before, 'a', {}), buildConfig(after, 'b', {}), {
      previous: stringify(before),
      next: stringify(after),
    });
    assert.deepEqual(summary.channels_added, ['web']);
    assert.deepEqual(summary.channels_changed, { ops: ['name'], db: ['auto_close', 'auto_resolve'] });
    assert.deepEqual(summary.integrations_changed, { std: ['channel'] });
    assert.deepEqual(summary.integrations_moved, {
      std: 'ops → db: its open alerts stay in ops until they close (their recoveries still reach them); new alerts open in the new place',
    });
  });

  test('every attempt reports its outcome: a refused file is 0, an applied one 1', () => {
    const outcomes: boolean[] = [];
    let next = stringify(after);
    const reload = createReloader({
      logger: createLogger('silent'),
      initial: buildConfig(before, 'a', {}),
      initialText: stringify(before),
      load: () => {
        if (next === 'broken') throw new Error('unreadable');
        return { config: buildConfig(after, 'b', {}), text: next, isExample: false };
      },
      apply: () => undefined,
      onOutcome: (successful) => outcomes.push(successful),
    });
    assert.equal(reload(), next);
    next = 'broken';
    assert.equal(reload(), undefined);
    assert.deepEqual(outcomes, [true, false]);
  });
});
