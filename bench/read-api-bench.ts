import BetterSqlite3 from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createIdGenerator } from '../src/events/ids.js';
import { migrateToLatest, openDatabase } from '../src/store/database.js';
import { listEvents, parseEventCursor, type EventFilter } from '../src/store/event-search.js';
import { listIncidents } from '../src/store/read-models.js';

/*
 * The events search over a large table: a SQLite store filled with `count` events (a week of traffic from 20
 * integrations), each query of the console timed as a median of repeated runs, with the search indexes of migration
 * 0008 and, as the baseline in the same run, without them.
 */

const outcomes = ['duplicate', 'duplicate', 'duplicate', 'new_alert', 'merged', 'recovered', 'dropped', 'silenced'];

function fill(file: string, count: number, start: number, spanMs: number): void {
  const database = new BetterSqlite3(file);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = OFF');
  const insert = database.prepare(
    `insert into events (event_id, request_id, integration_id, integration_type, channel_id, alert_key, alert_id,
       incident_id, event_status, title, title_rule, description, labels, images, event_time, received_at, seq,
       processed_at, outcome, trace)
     values (?, ?, ?, 'standard', ?, ?, ?, ?, 'Critical', ?, ?, null, '{}', null, ?, ?, ?, ?, ?, '[]')`,
  );
  let receivedAt = start;
  const ids = createIdGenerator(() => receivedAt);
  const rows = database.transaction((from: number, to: number) => {
    for (let i = from; i < to; i += 1) {
      receivedAt = start + Math.floor((i / count) * spanMs);
      const key = `k${i % 5000}`;
      const title = i % 1000 === 0 ? `disk full on db${i % 7}` : `cpu high on web${i % 50}`;
      insert.run(
        ids(),
        randomBytes(16).toString('hex'),
        `int-${i % 20}`,
        `ch-${i % 5}`,
        key,
        `A${i % 5000}`,
        `I${(i % 5000) % 2000}`,
        title,
        title,
        receivedAt,
        receivedAt,
        i,
        receivedAt,
        outcomes[i % outcomes.length],
      );
    }
  });
  for (let i = 0; i < count; i += 50_000) rows(i, Math.min(count, i + 50_000));
  // The alerts the events belong to: 5,000, each in one of 2,000 incidents (the incident filter goes through them).
  const alert = database.prepare(
    `insert into alerts (alert_id, integration_id, integration_type, channel_id, alert_key, incident_id, title,
       title_rule, description, alert_status, alert_severity, labels, images, last_event_hash, last_event_core_hash,
       event_cnt, start_time, last_time, end_time, close_time, is_open, muted, flapping, created_at, updated_at)
     values (?, 'int-0', 'standard', 'ch-0', ?, ?, 't', 't', null, 'Critical', 'Critical', '{}', null, '', '', 1, ?, ?,
       null, null, null, null, 0, ?, ?)`,
  );
  database.transaction(() => {
    for (let j = 0; j < 5000; j += 1) alert.run(`A${j}`, `k${j}`, `I${j % 2000}`, start, start, start, start);
  })();
  database.close();
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

export interface SearchFigure {
  name: string;
  indexedMs: number;
  baselineMs: number;
}

/** Fills a store with `count` events and times a page (50) of each search, with and without the 0008 indexes. */
export async function benchEventSearch(count: number, runs = 15): Promise<SearchFigure[]> {
  const dir = mkdtempSync(join(tmpdir(), 'alertgate-search-'));
  const url = `sqlite:${join(dir, 'search.db')}`;
  const start = Date.parse('2026-03-01T00:00:00Z');
  const week = 7 * 24 * 3_600_000;
  try {
    const store = openDatabase(url);
    await migrateToLatest(store);
    await store.close();
    fill(url.slice('sqlite:'.length), count, start, week);
    const probe = new BetterSqlite3(url.slice('sqlite:'.length));
    const { request_id: requestId } = probe.prepare('select request_id from events where seq = ?').get(count >> 1) as {
      request_id: string;
    };
    probe.close();
    const middle = start + week / 2;
    const searches: Array<[string, Omit<EventFilter, 'limit'>]> = [
      ['newest page', {}],
      ['page in the middle (cursor)', { cursor: parseEventCursor(`${middle}-0`) }],
      ['outcome=dropped', { outcomes: ['dropped'] }],
      ['integration + outcome', { integrationIds: ['int-3'], outcomes: ['silenced'] }],
      ['alert_key', { alertKeys: ['k1234'] }],
      ['channel (a fifth of the events)', { channelIds: ['ch-2'] }],
      ['incident', { incidentIds: ['I123'] }],
      ['request_id', { requestIds: [requestId] }],
      ['one hour, a day ago', { since: start + week - 86_400_000, until: start + week - 82_800_000 }],
      ['q (title text, 0.1% match)', { text: 'disk full' }],
    ];
    const time = async (db: ReturnType<typeof openDatabase>, filter: Omit<EventFilter, 'limit'>, times: number) => {
      const samples: number[] = [];
      for (let i = 0; i < times; i += 1) {
        const began = process.hrtime.bigint();
        await listEvents(db.db, db.dialect, { ...filter, limit: 50 });
        samples.push(Number(process.hrtime.bigint() - began) / 1e6);
      }
      return median(samples);
    };
    const indexed = openDatabase(url);
    const figures: SearchFigure[] = [];
    for (const [name, filter] of searches)
      figures.push({ name, indexedMs: await time(indexed, filter, runs), baselineMs: 0 });
    await indexed.close();
    const bare = new BetterSqlite3(url.slice('sqlite:'.length));
    for (const index of bare
      .prepare("select name from sqlite_master where type = 'index' and name like 'events\\_%' escape '\\'")
      .all() as Array<{ name: string }>)
      if (index.name !== 'events_alert') bare.exec(`drop index ${index.name}`);
    // The baseline is the store before 0008, which had this one.
    bare.exec('create index events_integration on events (integration_id, event_id)');
    bare.close();
    const baseline = openDatabase(url);
    for (const [i, [, filter]] of searches.entries()) figures[i].baselineMs = await time(baseline, filter, 3);
    await baseline.close();
    return figures;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The console's first load of the incidents page: the newest page (50) and the counts by severity, over `count` open
 * incidents and as many closed ones; median of repeated runs.
 */
export async function benchIncidentList(
  count: number,
  runs = 15,
): Promise<{ pageMs: number; pageWithCountsMs: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'alertgate-incidents-'));
  const url = `sqlite:${join(dir, 'incidents.db')}`;
  try {
    const store = openDatabase(url);
    await migrateToLatest(store);
    await store.close();
    const database = new BetterSqlite3(url.slice('sqlite:'.length));
    const insert = database.prepare(
      `insert into incidents (incident_id, channel_id, title, description, incident_severity, incident_status, progress,
         labels, first_alert_id, alert_cnt, active_alert_cnt, group_method, grouping_key, open_grouping_key,
         storm_raised, flapping, start_time, last_time, end_time, ack_time, close_time, created_at, updated_at)
       values (?, ?, ?, null, ?, ?, ?, '{"service":"web"}', null, 1, 1, 'n', null, null, null, 0, ?, ?, null, null,
         null, ?, ?)`,
    );
    const severities = ['Critical', 'Warning', 'Info'];
    let at = Date.parse('2026-03-01T00:00:00Z');
    const ids = createIdGenerator(() => at);
    database.transaction(() => {
      for (let i = 0; i < count * 2; i += 1) {
        at += 1000;
        const severity = severities[i % 3];
        const progress = i % 2 === 0 ? 'Triggered' : 'Closed';
        insert.run(ids(), `ch-${i % 5}`, `incident ${i}`, severity, severity, progress, at, at, at, at);
      }
    })();
    database.close();
    const reader = openDatabase(url);
    const time = async (counts: boolean) => {
      const samples: number[] = [];
      for (let i = 0; i < runs; i += 1) {
        const began = process.hrtime.bigint();
        await listIncidents(reader.db, reader.dialect, { progress: ['Triggered', 'Processing'], counts, limit: 50 });
        samples.push(Number(process.hrtime.bigint() - began) / 1e6);
      }
      return median(samples);
    };
    const figures = { pageMs: await time(false), pageWithCountsMs: await time(true) };
    await reader.close();
    return figures;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
