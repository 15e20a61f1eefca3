import type { Kysely } from 'kysely';
import { alertColumns, type AlertIdentity, type AlertRow } from './alerts-repo.js';
import { incidentColumns, type IncidentRow } from './incidents-repo.js';
import { keyIdOf, StagedKeys } from './staged-keys.js';
import { StagedTable } from './staged-table.js';
import type { AlertKeysTable, Database } from './tables.js';
import { bulkSelect } from './bulk-rows.js';

/** An operation the staged repositories do not keep in memory: the event is done again writing straight through. */
export class NotStaged extends Error {
  constructor(operation: string) {
    super(`${operation} is not staged`);
    this.name = 'NotStaged';
  }
}

/** A row the event needs is locked by another transaction, and the batch does not wait while it holds locks. */
export class RowLocked extends Error {
  constructor(table: string) {
    super(`a row of ${table} is locked by another transaction`);
    this.name = 'RowLocked';
  }
}

/** The alert key of an alert (every channel) as a lookup key. */
export const alertPairOf = (row: Pick<AlertRow, 'integration_id' | 'alert_key'>): string =>
  `${row.integration_id}\0${row.alert_key}`;

/** The open grouping key of a channel as a lookup key. */
export const openKeyOf = (channelId: string, openKey: string): string => `${channelId}\0${openKey}`;

/** An open grouping key of a channel, as incidents hold it. */
export interface OpenKey {
  channel_id: string;
  open_grouping_key: string;
}

/** A point in a batch's staged changes to go back to. */
export interface StageMark {
  alerts: number;
  incidents: number;
  keys: number;
}

/**
 * What a PostgreSQL batch holds in memory between its reads and its few writes: alerts, incidents and alert keys
 * as the batch has made them, and which lookups the table has already answered. `direct` makes the repositories
 * write straight through (an event doing what is not staged); `waitForLocks` lets a lookup wait for a row another
 * transaction holds, which only the first event of a transaction may do.
 */
export class BatchStage {
  readonly alerts = new StagedTable<AlertRow>({
    table: 'alerts',
    idColumn: 'alert_id',
    columns: alertColumns,
    lookupKey: alertPairOf,
  });
  readonly incidents = new StagedTable<IncidentRow>({
    table: 'incidents',
    idColumn: 'incident_id',
    columns: incidentColumns,
    lookupKey: (row) => (row.open_grouping_key === null ? undefined : openKeyOf(row.channel_id, row.open_grouping_key)),
  });
  readonly keys = new StagedKeys();
  /** Alert keys (every channel) whose open alerts were read. */
  readonly loadedPairs = new Set<string>();
  /** Open grouping keys whose incident was looked up. */
  readonly loadedOpenKeys = new Set<string>();
  direct = false;
  waitForLocks = false;

  constructor(readonly trx: Kysely<Database>) {}

  /**
   * Reads, in five statements at most, what the batch's events will likely ask for: their keys' rows (locked, in key
   * order), the open alerts of their alert keys, and the incidents of those alerts and of the grouping keys new
   * alerts would join (locked, in id order). Events that turn out to need other rows read them when they do.
   */
  async prefetch(identities: readonly AlertIdentity[], openKeys: readonly OpenKey[] = []): Promise<void> {
    const keys = distinct(identities, keyIdOf);
    const rows = await bulkSelect<AlertKeysTable>(this.trx, 'alert_keys', keyLookup, keys, { lock: 'for update' });
    const found = new Map(rows.map((row) => [keyIdOf(row), row]));
    for (const key of keys) this.keys.adopt(key, found.get(keyIdOf(key)));
    const pairs = distinct(identities, alertPairOf);
    const grouping = distinct(openKeys, (key) => openKeyOf(key.channel_id, key.open_grouping_key));
    const byKey = await this.lockIncidentsOf(pairs, grouping);
    for (const pair of pairs) this.loadedPairs.add(alertPairOf(pair));
    // A grouping key with no incident, or whose incident still has it under the lock, is answered; one whose
    // incident moved on while the lock was awaited is looked up again when asked for.
    const hadIncident = new Set(byKey.map((row) => openKeyOf(row.channel_id, row.open_grouping_key as string)));
    for (const key of grouping) {
      const lookup = openKeyOf(key.channel_id, key.open_grouping_key);
      if (!hadIncident.has(lookup) || this.incidents.find(lookup).length > 0) this.loadedOpenKeys.add(lookup);
    }
  }

  /**
   * Reads the open alerts of `pairs`, locks their incidents and those `grouping` keys point to, and holds the rows;
   * returns the incidents found by grouping key (before the lock).
   */
  private async lockIncidentsOf(
    pairs: ReadonlyArray<Pick<AlertRow, 'integration_id' | 'alert_key'>>,
    grouping: readonly OpenKey[],
  ): Promise<Array<Pick<IncidentRow, 'incident_id' | 'channel_id' | 'open_grouping_key'>>> {
    let open = await this.openAlertsOf(pairs);
    const byKey = await bulkSelect<Pick<IncidentRow, 'incident_id' | 'channel_id' | 'open_grouping_key'>>(
      this.trx,
      'incidents',
      ['channel_id', 'open_grouping_key'],
      grouping,
      { columns: ['incident_id', 'channel_id', 'open_grouping_key'] },
    );
    const ofAlerts = open.flatMap((row) => (row.incident_id ? [row.incident_id] : []));
    const incidentIds = [...new Set([...ofAlerts, ...byKey.map((row) => row.incident_id)])].sort();
    if (incidentIds.length > 0) {
      const keys = incidentIds.map((incident_id) => ({ incident_id }));
      const locked = await bulkSelect<IncidentRow>(this.trx, 'incidents', ['incident_id'], keys, {
        lock: 'for update',
      });
      for (const row of locked) this.incidents.adopt(row);
      // Read again under the incidents' locks: a close that committed meanwhile closed some of them.
      if (ofAlerts.length > 0) open = await this.openAlertsOf(pairs);
    }
    for (const row of open) this.alerts.adopt(row);
    return byKey;
  }

  /** The open alerts of an alert key (every channel), read once per batch. */
  async loadPair(integrationId: string, alertKey: string): Promise<void> {
    const pair = { integration_id: integrationId, alert_key: alertKey };
    if (this.loadedPairs.has(alertPairOf(pair))) return;
    for (const row of await this.openAlertsOf([pair])) this.alerts.adopt(row);
    this.loadedPairs.add(alertPairOf(pair));
  }

  /**
   * Locks the row matching `key` and returns it (undefined: there is none). Unless the event may wait, a row another
   * transaction holds is not waited for: RowLocked, and the batch commits what it has before it waits.
   */
  async lockOne<R>(table: keyof Database & string, key: Record<string, unknown>): Promise<R | undefined> {
    const columns = Object.keys(key);
    const lock = this.waitForLocks ? 'for update' : 'for update skip locked';
    const [row] = await bulkSelect<R>(this.trx, table, columns, [key], { lock });
    if (row !== undefined || this.waitForLocks) return row;
    const [held] = await bulkSelect<R>(this.trx, table, columns, [key]);
    if (held !== undefined) throw new RowLocked(table);
    return undefined;
  }

  /**
   * An incident this transaction has just locked. Its alerts read before the lock may have been closed by the time
   * it was granted: they are read again when next asked for.
   */
  lockedIncident(row: IncidentRow): IncidentRow {
    const held = this.incidents.adopt(row);
    for (const alert of this.alerts.rows())
      if (alert.incident_id === row.incident_id) {
        this.alerts.forget(alert.alert_id);
        this.loadedPairs.delete(alertPairOf(alert));
      }
    return held;
  }

  mark(): StageMark {
    return { alerts: this.alerts.mark(), incidents: this.incidents.mark(), keys: this.keys.mark() };
  }

  undoTo(mark: StageMark): void {
    this.alerts.undoTo(mark.alerts);
    this.incidents.undoTo(mark.incidents);
    this.keys.undoTo(mark.keys);
  }

  /** Writes what the batch changed: keys, incidents, alerts. */
  async flush(): Promise<void> {
    await this.keys.flush(this.trx);
    await this.incidents.flush(this.trx);
    await this.alerts.flush(this.trx);
  }

  /** Forgets everything read: an event writing straight through may change any row. */
  clear(): void {
    this.alerts.clear();
    this.incidents.clear();
    this.keys.clear();
    this.loadedPairs.clear();
    this.loadedOpenKeys.clear();
  }

  private openAlertsOf(pairs: ReadonlyArray<Pick<AlertRow, 'integration_id' | 'alert_key'>>): Promise<AlertRow[]> {
    return bulkSelect<AlertRow>(this.trx, 'alerts', ['integration_id', 'alert_key'], pairs, {
      where: 'is_open = 1',
    });
  }
}

const keyLookup = ['integration_id', 'channel_id', 'alert_key'];

/** Each item once (by `idOf`), in the order of their ids: rows are locked in that order by every batch. */
function distinct<T>(items: readonly T[], idOf: (item: T) => string): T[] {
  const byId = new Map(items.map((item) => [idOf(item), item]));
  return [...byId.keys()].sort().map((id) => byId.get(id) as T);
}
