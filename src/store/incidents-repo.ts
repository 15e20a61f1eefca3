import { sql, type Kysely, type Selectable } from 'kysely';
import type { Severity } from '../events/types.js';
import type { Dialect } from './dialect.js';
import { insertRow, insertRows, runCached } from './cached-query.js';
import { bulkInsert } from './bulk-rows.js';
import type { Database, GroupMethodCode, IncidentTimelineTable, IncidentsTable } from './tables.js';

export type IncidentRow = Selectable<IncidentsTable>;

/** An incident's alerts, summarised. */
export interface AlertSummary {
  alertCount: number;
  /** Open alerts that have not recovered. */
  activeCount: number;
  /** Severities of all its alerts (the highest each has had). */
  severities: Severity[];
  /** Current statuses of its active alerts. */
  activeSeverities: Severity[];
  /** When its last recovered alert recovered; null when none has. */
  lastEndTime: number | null;
}

/** Some alerts of an incident with the same severity and status, counted. */
export interface AlertTally {
  alert_severity: Severity;
  alert_status: string;
  total: number;
  /** Open and not recovered. */
  active: number;
  last_end: number | null;
}

/** An incident's alert summary from its alerts counted by severity and status (in any order and grouping). */
export function summaryOfTallies(tallies: readonly AlertTally[]): AlertSummary {
  const summary: AlertSummary = {
    alertCount: 0,
    activeCount: 0,
    severities: [],
    activeSeverities: [],
    lastEndTime: null,
  };
  for (const tally of tallies) {
    summary.alertCount += tally.total;
    if (tally.last_end !== null) summary.lastEndTime = Math.max(summary.lastEndTime ?? 0, tally.last_end);
    summary.activeCount += tally.active;
    summary.severities.push(tally.alert_severity);
    // An active alert's status (not its highest severity) is what the incident's status reflects.
    if (tally.active > 0) summary.activeSeverities.push(tally.alert_status as Severity);
  }
  return summary;
}

/** Every column of an incident, in the order inserts list them. */
export const incidentColumns: ReadonlyArray<keyof IncidentRow & string> = [
  'incident_id',
  'channel_id',
  'title',
  'description',
  'incident_severity',
  'incident_status',
  'progress',
  'labels',
  'first_alert_id',
  'alert_cnt',
  'active_alert_cnt',
  'group_method',
  'grouping_key',
  'open_grouping_key',
  'storm_raised',
  'flapping',
  'start_time',
  'last_time',
  'end_time',
  'ack_time',
  'close_time',
  'created_at',
  'updated_at',
];

/** What an alert joining an incident changes. */
export type IncidentJoin = Pick<
  IncidentRow,
  | 'alert_cnt'
  | 'active_alert_cnt'
  | 'incident_severity'
  | 'incident_status'
  | 'end_time'
  | 'last_time'
  | 'updated_at'
  | 'storm_raised'
>;

const joinColumns: ReadonlyArray<keyof IncidentJoin> = [
  'alert_cnt',
  'active_alert_cnt',
  'incident_severity',
  'incident_status',
  'end_time',
  'last_time',
  'updated_at',
  'storm_raised',
];

export interface TimelineEntry {
  incident_id: string;
  type: string;
  at: number;
  actor?: string | null;
  alert_id?: string | null;
  detail?: Record<string, unknown> | null;
}

const timelineColumns = ['incident_id', 'type', 'at', 'actor', 'alert_id', 'detail'] as const;

type TimelineRow = Omit<IncidentTimelineTable, 'id'>;

/**
 * Incidents and their timeline, bound to one transaction (or the database) and its dialect. With `deferTimeline`,
 * timeline entries are kept in memory and written by {@link flushTimeline}, many rows a statement, in the order
 * they were added (nothing in a worker batch reads them back).
 */
export class IncidentsRepo {
  private readonly pendingTimeline: TimelineRow[] = [];
  /** Timeline entries written through this repository and not yet taken: the changes the outbox notifies. */
  private written: TimelineEntry[] = [];

  constructor(
    protected readonly db: Kysely<Database>,
    protected readonly dialect: Dialect,
    private readonly deferTimeline = false,
  ) {}

  /** Writes the deferred timeline entries. */
  async flushTimeline(): Promise<void> {
    const rows = this.pendingTimeline.splice(0);
    if (this.dialect === 'postgres') {
      await bulkInsert(this.db, 'incident_timeline', rows, timelineColumns);
      return;
    }
    for (let i = 0; i < rows.length; i += 100)
      await insertRows(this.db, this.dialect, 'incident_timeline', rows.slice(i, i + 100), timelineColumns);
  }

  /** Forgets deferred timeline entries (their savepoint was rolled back). */
  discardDeferred(): void {
    this.pendingTimeline.length = 0;
    this.written = [];
  }

  /** How many timeline entries are deferred so far. */
  deferredMark(): number {
    return this.pendingTimeline.length;
  }

  /** Drops the timeline entries deferred since `mark`. */
  undoDeferredTo(mark: number): void {
    this.pendingTimeline.length = Math.min(this.pendingTimeline.length, mark);
    // Changes not yet taken by the notify stage belonged to the rolled-back work, and so may the rows known.
    this.written = [];
    this.known.clear();
  }

  /**
   * Incident rows as this transaction last read or wrote them. Every write sets plain values (no `x = x + 1`), so a
   * known row is exactly what a read would return: the outbox builds its bodies from it without reading it again.
   */
  private readonly known = new Map<string, IncidentRow>();

  private remember<T extends IncidentRow | undefined>(row: T): T {
    if (row) this.known.set(row.incident_id, { ...row });
    return row;
  }

  private rememberChanges(incidentId: string, changes: Partial<IncidentRow>): void {
    const row = this.known.get(incidentId);
    if (row) this.known.set(incidentId, { ...row, ...changes });
  }

  /** An incident as this transaction sees it now: from the rows it read or wrote, else read. */
  async currentIncident(incidentId: string): Promise<IncidentRow | undefined> {
    const known = this.known.get(incidentId);
    if (known) return { ...known };
    const result = await runCached(
      this.db,
      this.dialect,
      'incident-by-id',
      (db) => db.selectFrom('incidents').selectAll().where('incident_id', '=', ''),
      [incidentId],
    );
    return this.remember(result.rows[0] as IncidentRow | undefined);
  }

  async insertIncident(row: IncidentRow): Promise<void> {
    await insertRow(this.db, this.dialect, 'incidents', { ...row }, incidentColumns);
    this.remember(row);
  }

  /** Reads an incident; on PostgreSQL locks it until commit so its counters are updated one writer at a time. */
  async lockIncident(incidentId: string): Promise<IncidentRow | undefined> {
    return this.remember(
      await this.db
        .selectFrom('incidents')
        .selectAll()
        .where('incident_id', '=', incidentId)
        .$if(this.dialect === 'postgres', (qb) => qb.forUpdate())
        .executeTakeFirst(),
    );
  }

  /** The open incident a grouping key of a channel points to; on PostgreSQL locked until commit. */
  async openIncidentByKey(channelId: string, openKey: string): Promise<IncidentRow | undefined> {
    const result = await runCached(
      this.db,
      this.dialect,
      'open-incident-by-key',
      (db) =>
        db
          .selectFrom('incidents')
          .selectAll()
          .where('channel_id', '=', '')
          .where('open_grouping_key', '=', '')
          .$if(this.dialect === 'postgres', (qb) => qb.forUpdate()),
      [channelId, openKey],
    );
    return this.remember(result.rows[0] as IncidentRow | undefined);
  }

  /** The newest incidents of a channel grouped by `groupMethod` that still take alerts (at most `limit`). */
  async incidentsTakingAlerts(channelId: string, groupMethod: GroupMethodCode, limit: number): Promise<IncidentRow[]> {
    return this.db
      .selectFrom('incidents')
      .selectAll()
      .where('channel_id', '=', channelId)
      .where('group_method', '=', groupMethod)
      .where('open_grouping_key', 'is not', null)
      .orderBy('incident_id', 'desc')
      .limit(limit)
      .execute();
  }

  /** Some incidents by id, summarised (any order). */
  async incidentSummaries(incidentIds: readonly string[]) {
    if (incidentIds.length === 0) return [];
    return this.db
      .selectFrom('incidents')
      .select(['incident_id', 'channel_id', 'title', 'incident_severity', 'incident_status', 'alert_cnt'])
      .where('incident_id', 'in', incidentIds)
      .execute();
  }

  /** Whether an incident was ever reopened by hand. */
  async wasReopened(incidentId: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('incident_timeline')
      .select('id')
      .where('incident_id', '=', incidentId)
      .where('type', '=', 'i_reopen')
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Writes a join; every join writes the same columns, so one cached statement serves them all. */
  async updateJoinedIncident(incidentId: string, changes: IncidentJoin): Promise<void> {
    await runCached(
      this.db,
      this.dialect,
      'join-incident',
      (db) =>
        db
          .updateTable('incidents')
          .set(Object.fromEntries(joinColumns.map((column) => [column, null])))
          .where('incident_id', '=', ''),
      [...joinColumns.map((column) => changes[column]), incidentId],
    );
    this.rememberChanges(incidentId, changes);
  }

  async updateIncident(incidentId: string, changes: Partial<IncidentRow>): Promise<void> {
    await this.db.updateTable('incidents').set(changes).where('incident_id', '=', incidentId).execute();
    this.rememberChanges(incidentId, changes);
  }

  /** Counts and severities of an incident's alerts. */
  async summariseIncidentAlerts(incidentId: string): Promise<AlertSummary> {
    return summaryOfTallies(await this.alertTallies(incidentId));
  }

  /**
   * An incident's alerts counted by severity and status; `except` (PostgreSQL only): alerts left out, counted
   * elsewhere.
   */
  protected async alertTallies(incidentId: string, except: readonly string[] = []): Promise<AlertTally[]> {
    const rows = await this.db
      .selectFrom('alerts')
      .select([
        'alert_severity',
        'alert_status',
        sql<number>`count(*)`.as('total'),
        sql<number>`sum(case when is_open = 1 and alert_status <> 'Ok' then 1 else 0 end)`.as('active'),
        sql<number | null>`max(end_time)`.as('last_end'),
      ])
      .where('incident_id', '=', incidentId)
      .$if(except.length > 0, (qb) => qb.where(sql<boolean>`alert_id <> all(${except})`))
      .groupBy(['alert_severity', 'alert_status'])
      .execute();
    return rows.map((row) => ({
      ...row,
      total: Number(row.total),
      active: Number(row.active),
      last_end: row.last_end === null ? null : Number(row.last_end),
    }));
  }

  /** The timeline entries written since the last call (each entry is one change of an incident). */
  takeWritten(): TimelineEntry[] {
    const taken = this.written;
    this.written = [];
    return taken;
  }

  async addTimeline(entries: TimelineEntry[]): Promise<void> {
    if (entries.length > 0) this.written.push(...entries);
    for (const entry of entries) {
      const row = {
        ...entry,
        actor: entry.actor ?? null,
        alert_id: entry.alert_id ?? null,
        detail: entry.detail ? JSON.stringify(entry.detail) : null,
      };
      if (this.deferTimeline) this.pendingTimeline.push(row);
      else await insertRow(this.db, this.dialect, 'incident_timeline', row, timelineColumns);
    }
  }
}
