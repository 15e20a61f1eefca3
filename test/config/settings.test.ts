import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readSettings, readToolSettings } from '../../src/config/settings.js';

test('defaults: no HOST or REDIS_URL chosen, Redis looked for on 127.0.0.1:6379, one mapping thread per core when there are several', () => {
  const settings = readSettings({}, 4);
  assert.equal(settings.host, undefined);
  assert.equal(settings.redisUrl, undefined);
  assert.deepEqual(settings.localRedis, { host: '127.0.0.1', port: 6379 });
  assert.equal(settings.mappingThreads, 4);
  assert.equal(readSettings({}, 1).mappingThreads, 0);
  assert.equal(settings.logLevel, 'info');
  assert.equal(settings.skipBrokenAdapters, false);
  assert.equal(settings.singleThread, false);
});

test('the environment sets each setting', () => {
  const settings = readSettings(
    {
      HOST: '10.0.0.1',
      REDIS_URL: 'redis://r:6380',
      ALERTGATE_LOCAL_REDIS: '127.0.0.1:7000',
      MAPPING_THREADS: '2.7',
      LOG_LEVEL: 'warn',
      ALERTGATE_CONFIG: 'x.yaml',
      ALERTGATE_SINGLE_THREAD: '1',
      ALERTGATE_SKIP_BROKEN_ADAPTERS: '1',
      PATH: '/a:/b',
    },
    8,
  );
  assert.equal(settings.host, '10.0.0.1');
  assert.equal(settings.redisUrl, 'redis://r:6380');
  assert.deepEqual(settings.localRedis, { host: '127.0.0.1', port: 7000 });
  assert.equal(settings.mappingThreads, 2);
  assert.equal(settings.logLevel, 'warn');
  assert.equal(settings.configFile, 'x.yaml');
  assert.equal(settings.singleThread, true);
  assert.equal(settings.skipBrokenAdapters, true);
  assert.deepEqual(settings.executablePath, ['/a', '/b']);
});

test('--skip-broken overrides the environment; the environment is copied, never changed', () => {
  const env = { PORT: '9000' };
  const settings = readSettings(env, 1, { skipBrokenAdapters: true });
  assert.equal(settings.skipBrokenAdapters, true);
  assert.deepEqual(env, { PORT: '9000' });
  assert.notEqual(settings.environment, env);
});

test('an unusable value is refused naming its variable', () => {
  assert.throws(
    () => readSettings({ ALERTGATE_LOCAL_REDIS: 'localhost' }, 1),
    /^Error: ALERTGATE_LOCAL_REDIS must be host:port, got "localhost"$/,
  );
  assert.throws(() => readSettings({ PORT: '-1' }, 1), /^Error: PORT must be a non-negative integer, got "-1"$/);
});

test('the offline tools read the configuration file, UPDATE_FIXTURES, the skip-broken switch, Redis and JSON depth', () => {
  assert.deepEqual(readToolSettings({ ALERTGATE_CONFIG: 'a.yaml', UPDATE_FIXTURES: '1' }), {
    configFile: 'a.yaml',
    environment: { ALERTGATE_CONFIG: 'a.yaml', UPDATE_FIXTURES: '1' },
    skipBrokenAdapters: false,
    updateFixtures: true,
    redisUrl: 'redis://127.0.0.1:6379',
    jsonMaxDepth: 128,
  });
  const tools = readToolSettings({ REDIS_URL: 'redis://cache:6380', JSON_MAX_DEPTH: '16' });
  assert.deepEqual([tools.redisUrl, tools.jsonMaxDepth], ['redis://cache:6380', 16]);
  assert.equal(readToolSettings({ JSON_MAX_DEPTH: 'deep' }).jsonMaxDepth, 128, 'the servers refuse it, tools go on');
});
