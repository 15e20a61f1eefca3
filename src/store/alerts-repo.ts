import type { Kysely, Selectable } from 'kysely';
import { insertRow, runCached } from './cached-query.js';
import type { Dialect } from './dialect.js';
import type { AlertsTable, Database } from './tables.js';

export type AlertRow = Selectable<AlertsTable>;

/** Identity of an alert while it is open. */
export interface AlertIdentity {
  integration_id: string;
  channel_id: string;
  alert_key: string;
}

/** The result of claiming a key for an event: late or not, and the key's flapping state. */
export interface ClaimedKey {
  late: boolean;
  firstEvent: boolean;
  previousEventId?: string;
  state: { status_changes: string | null; muted_until: number | null; last_status: string | null };
}

/** Every column of an alert, in the order inserts list them. */
export const alertColumns: ReadonlyArray<keyof AlertRow & string> = [
  'alert_id',
  'integration_id',
  'integration_type',
  'channel_id',
  'alert_key',
  'incident_id',
  'title',
  'title_rule',
  'description',
  'alert_status',
  'alert_severity',
  'labels',
  'images',
  'last_event_hash',
  'last_event_core_hash',
  'event_cnt',
  'start_time',
  'last_time',
  'end_time',
  'close_time',
  'is_open',
  'muted',
  'flapping',
  'created_at',
  'updated_at',
];

type KeyState = ClaimedKey['state'];

const keyId = (key: AlertIdentity): string => `${key.integration_id}\0${key.channel_id}\0${key.alert_key}`;

/**
 * Alerts and alert keys, bound to one transaction (or the database) and its dialect. With `deferKeyStates`, changes
 * to a key's flapping state are kept in memory and written by {@link flushKeyStates} in one statement for the
 * batch; claiming the key again in between sees them.
 */
export class AlertsRepo {
  /** Keys claimed in this transaction: their state as read, and the event that claimed them. */
  private readonly claimed = new Map<string, { key: AlertIdentity; eventId: string; state: KeyState }>();
  private readonly pendingStates = new Map<string, KeyState>();
  /** Undo log of pendingStates: the key and its state before each deferred change. */
  private readonly undo: Array<[string, KeyState | undefined]> = [];

  constructor(
    protected readonly db: Kysely<Database>,
    protected readonly dialect: Dialect,
    private readonly deferKeyStates = false,
  ) {}

  /** Claims the key (below); with deferred key states, what this transaction changed in memory wins over the row. */
  async claimAlertKey(key: AlertIdentity, eventId: string): Promise<ClaimedKey> {
    const claim = await this.claimKeyRow(key, eventId);
    if (!this.deferKeyStates) return claim;
    const id = keyId(key);
    const state = this.pendingStates.get(id) ?? claim.state;
    this.claimed.set(id, { key, eventId, state });
    return { ...claim, state };
  }

  /**
   * Records `eventId` as the latest event of a key, unless a later one was already applied (then the event is late).
   * On PostgreSQL the key's row stays locked until commit: events of one alert apply one at a time across workers.
   */
  private async claimKeyRow(key: AlertIdentity, eventId: string): Promise<ClaimedKey> {
    const inserted = await runCached(
      this.db,
      this.dialect,
      'claim-key-insert',
      (db) =>
        db
          .insertInto('alert_keys')
          .values({ integration_id: '', channel_id: '', alert_key: '', last_event_id: '' })
          .onConflict((oc) => oc.columns(['integration_id', 'channel_id', 'alert_key']).doNothing()),
      [key.integration_id, key.channel_id, key.alert_key, eventId],
    );
    if (Number(inserted.numAffectedRows ?? 0) === 1)
      return { late: false, firstEvent: true, state: { status_changes: null, muted_until: null, last_status: null } };
    const row = await this.db
      .selectFrom('alert_keys')
      .select(['last_event_id', 'status_changes', 'muted_until', 'last_status'])
      .where('integration_id', '=', key.integration_id)
      .where('channel_id', '=', key.channel_id)
      .where('alert_key', '=', key.alert_key)
      .$if(this.dialect === 'postgres', (qb) => qb.forUpdate())
      .executeTakeFirstOrThrow();
    const state = { status_changes: row.status_changes, muted_until: row.muted_until, last_status: row.last_status };
    if (eventId < row.last_event_id)
      return { late: true, firstEvent: false, previousEventId: row.last_event_id, state };
    await this.db
      .updateTable('alert_keys')
      .set({ last_event_id: eventId })
      .where('integration_id', '=', key.integration_id)
      .where('channel_id', '=', key.channel_id)
      .where('alert_key', '=', key.alert_key)
      .execute();
    return { late: false, firstEvent: false, previousEventId: row.last_event_id, state };
  }

  /** Records a key's flapping state (its last status, recent status changes, mute). */
  async updateAlertKey(key: AlertIdentity, changes: Partial<ClaimedKey['state']>): Promise<void> {
    const id = keyId(key);
    const known = this.pendingStates.get(id) ?? this.claimed.get(id)?.state;
    if (this.deferKeyStates && known) {
      this.undo.push([id, this.pendingStates.get(id)]);
      this.pendingStates.set(id, { ...known, ...changes });
      return;
    }
    await this.db
      .updateTable('alert_keys')
      .set(changes)
      .where('integration_id', '=', key.integration_id)
      .where('channel_id', '=', key.channel_id)
      .where('alert_key', '=', key.alert_key)
      .execute();
  }

  /** Writes the deferred key states, all in one statement (the keys' rows exist: this transaction claimed them). */
  async flushKeyStates(): Promise<void> {
    const rows = [...this.pendingStates].map(([id, state]) => {
      const { key, eventId } = this.claimed.get(id) as { key: AlertIdentity; eventId: string };
      return { ...key, last_event_id: eventId, ...state };
    });
    this.pendingStates.clear();
    this.undo.length = 0;
    for (let i = 0; i < rows.length; i += 100)
      await this.db
        .insertInto('alert_keys')
        .values(rows.slice(i, i + 100))
        .onConflict((oc) =>
          oc.columns(['integration_id', 'channel_id', 'alert_key']).doUpdateSet((eb) => ({
            status_changes: eb.ref('excluded.status_changes'),
            muted_until: eb.ref('excluded.muted_until'),
            last_status: eb.ref('excluded.last_status'),
          })),
        )
        .execute();
  }

  /** Forgets deferred key states and claims (their savepoint was rolled back). */
  discardDeferred(): void {
    this.pendingStates.clear();
    this.undo.length = 0;
    this.claimed.clear();
  }

  /** A point to go back to with {@link undoDeferredTo}: how many deferred changes were made so far. */
  deferredMark(): number {
    return this.undo.length;
  }

  /** Undoes the deferred changes made since `mark` (the savepoint taken then was rolled back). */
  undoDeferredTo(mark: number): void {
    while (this.undo.length > mark) {
      const [id, previous] = this.undo.pop() as [string, KeyState | undefined];
      if (previous === undefined) this.pendingStates.delete(id);
      else this.pendingStates.set(id, previous);
    }
  }

  async findOpenAlert(key: AlertIdentity): Promise<AlertRow | undefined> {
    const result = await runCached(
      this.db,
      this.dialect,
      'find-open-alert',
      (db) =>
        db
          .selectFrom('alerts')
          .selectAll()
          .where('integration_id', '=', '')
          .where('channel_id', '=', '')
          .where('alert_key', '=', '')
          .where('is_open', '=', 1),
      [key.integration_id, key.channel_id, key.alert_key, 1],
    );
    return result.rows[0];
  }

  /**
   * The open alerts of an integration's key in every channel (at most one per channel, so a handful): where it is
   * routed now, and where the integration routed it when the alert opened.
   */
  async openAlertsOfKey(integrationId: string, alertKey: string): Promise<AlertRow[]> {
    const result = await runCached(
      this.db,
      this.dialect,
      'open-alerts-of-key',
      (db) =>
        db
          .selectFrom('alerts')
          .selectAll()
          .where('integration_id', '=', '')
          .where('alert_key', '=', '')
          .where('is_open', '=', 1),
      [integrationId, alertKey, 1],
    );
    return result.rows;
  }

  async insertAlert(row: AlertRow): Promise<void> {
    await insertRow(this.db, this.dialect, 'alerts', { ...row }, alertColumns);
  }

  async updateAlert(alertId: string, changes: Partial<AlertRow>): Promise<void> {
    await this.db.updateTable('alerts').set(changes).where('alert_id', '=', alertId).execute();
  }

  /** Open, not recovered alerts of an integration whose last event is older than `before`, oldest first. */
  async idleOpenAlerts(integrationId: string, before: number, limit: number): Promise<AlertRow[]> {
    return this.db
      .selectFrom('alerts')
      .selectAll()
      .where('integration_id', '=', integrationId)
      .where('is_open', '=', 1)
      .where('alert_status', '<>', 'Ok')
      .where('last_time', '<', before)
      .orderBy('last_time')
      .limit(limit)
      .execute();
  }

  /** Closes every open alert of an incident (the incident was closed by hand). */
  async closeAlertsOfIncident(incidentId: string, now: number): Promise<number> {
    const result = await this.db
      .updateTable('alerts')
      .set({ is_open: null, close_time: now, updated_at: now })
      .where('incident_id', '=', incidentId)
      .where('is_open', '=', 1)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  /**
   * Re-opens the alerts of a reopened incident that its close ended without a recovery, unless their key has an open
   * alert again (at most one open alert per key). Returns how many were re-opened.
   */
  async reopenAlertsOfIncident(incidentId: string, now: number): Promise<number> {
    const result = await this.db
      .updateTable('alerts')
      .set({ is_open: 1, close_time: null, updated_at: now })
      .where('incident_id', '=', incidentId)
      .where('is_open', 'is', null)
      .where('alert_status', '<>', 'Ok')
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('alerts as newer')
              .select('newer.alert_id')
              .whereRef('newer.integration_id', '=', 'alerts.integration_id')
              .whereRef('newer.channel_id', '=', 'alerts.channel_id')
              .whereRef('newer.alert_key', '=', 'alerts.alert_key')
              .where('newer.is_open', '=', 1),
          ),
        ),
      )
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  /** Open alerts of a channel last heard of at or after `since`, newest first (at most 1000), with their incident's progress. */
  async recentOpenAlerts(channelId: string, since: number, integrationId?: string) {
    return this.db
      .selectFrom('alerts')
      .leftJoin('incidents', 'incidents.incident_id', 'alerts.incident_id')
      .select([
        'alerts.alert_id',
        'alerts.alert_key',
        'alerts.title',
        'alerts.description',
        'alerts.alert_severity',
        'alerts.alert_status',
        'alerts.labels',
        'alerts.integration_id',
        'alerts.last_time',
        'alerts.muted',
        'incidents.progress',
      ])
      .where('alerts.channel_id', '=', channelId)
      .where('alerts.is_open', '=', 1)
      .where('alerts.last_time', '>=', since)
      .$if(integrationId !== undefined, (qb) => qb.where('alerts.integration_id', '=', integrationId ?? ''))
      .orderBy('alerts.last_time', 'desc')
      .limit(1000)
      .execute();
  }

  /**
   * A dry run's `last` replays a channel's events as if they arrived again: its open alerts and incidents are set
   * aside and the replayed keys forget their order and flapping state. Only ever inside a transaction rolled back.
   */
  async setChannelAside(channelId: string, alertKeys: readonly string[]): Promise<void> {
    await this.db
      .updateTable('alerts')
      .set({ is_open: null })
      .where('channel_id', '=', channelId)
      .where('is_open', '=', 1)
      .execute();
    await this.db
      .updateTable('incidents')
      .set({ open_grouping_key: null })
      .where('channel_id', '=', channelId)
      .where('open_grouping_key', 'is not', null)
      .execute();
    for (let i = 0; i < alertKeys.length; i += 500) {
      await this.db
        .deleteFrom('alert_keys')
        .where('channel_id', '=', channelId)
        .where('alert_key', 'in', alertKeys.slice(i, i + 500))
        .execute();
    }
  }
}
