import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';
import BetterSqlite3 from 'better-sqlite3';
import { sql } from 'kysely';
import pg from 'pg';
import { createIdGenerator } from '../src/events/ids.js';
import { migrateToLatest, openDatabase, type StoreDatabase } from '../src/store/database.js';
import {
  benchDatabase,
  cleanQueue,
  key,
  load,
  prepare,
  quantile,
  startPipeline,
  type BenchDatabase,
  type BenchStore,
} from './ingest-bench.js';

const day = 86_400_000;

export interface RetentionFigures {
  seeded: number;
  seedSeconds: number;
  /** Rows removed per second, from the first removal seen to the last. */
  rowsPerSecond: number;
  /** Pushes answered 200 while retention ran (pushes go on until the seeded events are gone). */
  pushed: number;
  /** Pushes answered per second: below `rate` when the machine could not keep up with the pushes. */
  pushedPerSecond: number;
  /** push→incident latency of events pushed while retention ran, from the second second of the process on. */
  p50: number;
  p99: number;
  samples: number;
  /** p99 of the events pushed in the process's first second (cold: code not yet optimised, connections opening). */
  coldP99: number;
}

/** The first second after the process starts is measured apart: it is the process warming up, whatever else runs. */
const warmUpMs = 1000;

/** Old events of nothing open (past the 30-day default), `count` of them, through bulk inserts. */
async function seedOldEvents(database: BenchDatabase, kind: BenchStore, count: number): Promise<void> {
  const at = Date.now() - 40 * day;
  const nextId = createIdGenerator(() => at);
  const store = openDatabase(database.url, database.schema);
  await migrateToLatest(store);
  await store.close();
  const row = (i: number) => [
    nextId(),
    `seed-${i}`,
    'bench',
    'standard',
    'ops',
    `seed-${i}`,
    'Critical',
    'seeded event',
    'seeded event',
    'load 9.1',
    '{"host":"db-1","service":"svc-1","env":"prod"}',
    at,
    at,
    i,
    at,
    'dropped',
    '[{"step":"drop","result":"dropped"}]',
  ];
  const columns =
    'event_id, request_id, integration_id, integration_type, channel_id, alert_key, event_status, title, title_rule, description, labels, event_time, received_at, seq, processed_at, outcome, trace';
  if (kind === 'sqlite') {
    const file = database.url.replace(/^sqlite:/, '');
    const db = new BetterSqlite3(file);
    const insert = db.prepare(`insert into events (${columns}) values (${Array(17).fill('?').join(', ')})`);
    const chunk = db.transaction((from: number, to: number) => {
      for (let i = from; i < to; i += 1) insert.run(...row(i));
    });
    for (let i = 0; i < count; i += 50_000) chunk(i, Math.min(count, i + 50_000));
    db.close();
    return;
  }
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  await client.query(`set search_path = ${database.schema ?? 'public'}`);
  // One statement per 1,000 rows would take minutes; the server makes the rows itself instead.
  const ids = Array.from({ length: count }, () => nextId());
  for (let i = 0; i < count; i += 100_000) {
    const part = ids.slice(i, i + 100_000);
    await client.query(
      `insert into events (${columns})
       select id, 'seed-' || n, 'bench', 'standard', 'ops', 'seed-' || n, 'Critical', 'seeded event', 'seeded event',
         'load 9.1', '{"host":"db-1","service":"svc-1","env":"prod"}', $2, $2, n, $2, 'dropped',
         '[{"step":"drop","result":"dropped"}]'
       from unnest($1::text[]) with ordinality as t(id, n)`,
      [part, at],
    );
  }
  await client.end();
}

async function oldEventCount(store: StoreDatabase): Promise<number> {
  const rows = await sql<{ n: number }>`select count(*) as n from events where request_id like 'seed-%'`.execute(
    store.db,
  );
  return Number(rows.rows[0]?.n ?? 0);
}

async function totalEventCount(store: StoreDatabase): Promise<number> {
  const rows = await sql<{ n: number }>`select count(*) as n from events`.execute(store.db);
  return Number(rows.rows[0]?.n ?? 0);
}

/**
 * Events the retention job has removed so far, from the process's /metrics: counting the rows left instead would
 * scan a table of a million rows twice a second, work of the bench's own that the store under test would share the
 * machine with.
 */
async function removedEvents(metricsUrl: string): Promise<number> {
  const text = await (await fetch(metricsUrl)).text();
  const line = text
    .split('\n')
    .find((entry) => entry.startsWith('alertgate_retention_removed_rows_total{table="events"}'));
  return line ? Number(line.split(' ').pop()) : 0;
}

/**
 * Retention at scale: `count` events past their retention are seeded by bulk inserts, then `alertgate start` runs
 * with the retention job every few seconds while events are pushed at `rate`/s, for as long as the job takes to
 * remove the seeded events (at least `seconds`). Measures how fast the job removes rows and the push→incident
 * latency of the events pushed meanwhile.
 */
export async function benchRetention(
  count: number,
  rate: number,
  seconds: number,
  kind: BenchStore = 'sqlite',
): Promise<RetentionFigures> {
  const env = prepare(false, { retention: { interval: '3s' } });
  const database = await benchDatabase(kind, env, 'retention');
  const seedStarted = Date.now();
  await seedOldEvents(database, kind, count);
  const seedSeconds = (Date.now() - seedStarted) / 1000;
  const store = openDatabase(database.url, database.schema);
  const pipeline = await startPipeline(env, false, database);
  const loadStarted = Date.now();
  const deadline = loadStarted + Math.max(600_000, seconds * 1000);
  // autocannon's promise is its running instance: stopped once the seeded events are gone.
  const pushing = load(`http://127.0.0.1:${pipeline.port}/event/push/alert/standard?integration_key=${key}`, {
    duration: (deadline - loadStarted) / 1000,
    overallRate: rate,
    connections: 16,
  }) as Promise<autocannon.Result> & Pick<autocannon.Instance, 'stop'>;
  let firstRemoval: number | undefined;
  let lastRemoval = Date.now();
  let removed = 0;
  while ((removed < count || Date.now() < loadStarted + seconds * 1000) && Date.now() < deadline) {
    await sleep(500);
    const now = await removedEvents(`http://127.0.0.1:${pipeline.port}/metrics`);
    if (now > removed) {
      firstRemoval ??= Date.now();
      lastRemoval = Date.now();
    }
    removed = now;
  }
  pushing.stop();
  const result = await pushing;
  const left = await oldEventCount(store);
  // Every pushed event stored before the latencies are read.
  const expected = left + result.requests.total - result.non2xx;
  while ((await totalEventCount(store)) < expected && Date.now() < deadline) await sleep(200);
  const rows = await store.db
    .selectFrom('events')
    .innerJoin('incidents', 'incidents.incident_id', 'events.incident_id')
    .select(['events.received_at as received', 'incidents.created_at as created'])
    .where('events.outcome', '=', 'new_alert')
    .where('events.received_at', '>=', loadStarted)
    .execute();
  await pipeline.stop();
  await store.close();
  await cleanQueue(env.prefix);
  await database.drop();
  const latency = (row: (typeof rows)[number]) => Number(row.created) - Number(row.received);
  const sorted = (list: typeof rows) => list.map(latency).sort((a, b) => a - b);
  const latencies = sorted(rows.filter((row) => Number(row.received) >= loadStarted + warmUpMs));
  const cold = sorted(rows.filter((row) => Number(row.received) < loadStarted + warmUpMs));
  if (result.non2xx > 0) throw new Error(`${result.non2xx} pushes were refused during the retention bench`);
  return {
    seeded: count,
    seedSeconds,
    rowsPerSecond: firstRemoval === undefined ? 0 : (count - left) / Math.max(0.5, (lastRemoval - firstRemoval) / 1000),
    pushed: result.requests.total - result.non2xx,
    pushedPerSecond: (result.requests.total - result.non2xx) / result.duration,
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
    samples: latencies.length,
    coldP99: quantile(cold, 0.99),
  };
}
