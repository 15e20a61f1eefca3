import type { Kysely } from 'kysely';
import type { AlertIdentity, ClaimedKey } from './alerts-repo.js';
import type { AlertKeysTable, Database } from './tables.js';
import { bulkInsert } from './bulk-rows.js';

type KeyState = ClaimedKey['state'];

interface KeyEntry {
  key: AlertIdentity;
  /** The key's latest applied event; null while it has none (no row). */
  lastEventId: string | null;
  state: KeyState;
  /** Whether the table has the key's row (read, and locked, by this transaction). */
  stored: boolean;
  dirty: boolean;
}

const keyColumns: ReadonlyArray<keyof AlertKeysTable> = [
  'integration_id',
  'channel_id',
  'alert_key',
  'last_event_id',
  'status_changes',
  'muted_until',
  'last_status',
];

const noState: KeyState = { status_changes: null, muted_until: null, last_status: null };

export const keyIdOf = (key: AlertIdentity): string => `${key.integration_id}\0${key.channel_id}\0${key.alert_key}`;

/**
 * The alert keys a PostgreSQL batch claimed, in memory: their rows were read and locked (or found missing) once, each
 * claim and flapping state change is decided here, and the batch writes them in one or two statements. A key found
 * missing is inserted without ON CONFLICT: if another transaction made it meanwhile, the unique violation sends the
 * batch round again, as a claim would have met that row.
 */
export class StagedKeys {
  private readonly entries = new Map<string, KeyEntry>();
  private readonly undo: Array<[string, KeyEntry | undefined]> = [];

  has(key: AlertIdentity): boolean {
    return this.entries.has(keyIdOf(key));
  }

  /** The key's row as the table holds it (undefined: it has none). */
  adopt(key: AlertIdentity, row: AlertKeysTable | undefined): void {
    const id = keyIdOf(key);
    if (this.entries.has(id)) return;
    this.entries.set(id, {
      key: { integration_id: key.integration_id, channel_id: key.channel_id, alert_key: key.alert_key },
      lastEventId: row?.last_event_id ?? null,
      state: row
        ? { status_changes: row.status_changes, muted_until: row.muted_until, last_status: row.last_status }
        : noState,
      stored: row !== undefined,
      dirty: false,
    });
  }

  /** The claim of a key read before ({@link adopt}): late, or now the key's latest event. */
  claim(key: AlertIdentity, eventId: string): ClaimedKey {
    const id = keyIdOf(key);
    const entry = this.entries.get(id) as KeyEntry;
    if (entry.lastEventId === null) {
      this.change(id, { ...entry, lastEventId: eventId, state: noState, dirty: true });
      return { late: false, firstEvent: true, state: noState };
    }
    const previousEventId = entry.lastEventId;
    if (eventId < previousEventId) return { late: true, firstEvent: false, previousEventId, state: entry.state };
    this.change(id, { ...entry, lastEventId: eventId, dirty: true });
    return { late: false, firstEvent: false, previousEventId, state: entry.state };
  }

  /** Changes the flapping state of a claimed key; false when the key was not claimed here. */
  update(key: AlertIdentity, changes: Partial<KeyState>): boolean {
    const id = keyIdOf(key);
    const entry = this.entries.get(id);
    if (!entry || entry.lastEventId === null) return false;
    this.change(id, { ...entry, state: { ...entry.state, ...changes }, dirty: true });
    return true;
  }

  mark(): number {
    return this.undo.length;
  }

  undoTo(mark: number): void {
    while (this.undo.length > mark) {
      const [id, entry] = this.undo.pop() as [string, KeyEntry | undefined];
      if (entry) this.entries.set(id, entry);
      else this.entries.delete(id);
    }
  }

  /** Writes the claimed keys: new rows in one statement, changed ones in another. */
  async flush(trx: Kysely<Database>): Promise<void> {
    const created: AlertKeysTable[] = [];
    const changed: AlertKeysTable[] = [];
    for (const entry of this.entries.values()) {
      if (!entry.dirty || entry.lastEventId === null) continue;
      const row = { ...entry.key, last_event_id: entry.lastEventId, ...entry.state };
      (entry.stored ? changed : created).push(row);
    }
    await bulkInsert(trx, 'alert_keys', created, keyColumns);
    // The rows exist and this transaction holds their locks: the conflict clause is the update.
    await bulkInsert(
      trx,
      'alert_keys',
      changed,
      keyColumns,
      'on conflict (integration_id, channel_id, alert_key) do update set last_event_id = excluded.last_event_id, ' +
        'status_changes = excluded.status_changes, muted_until = excluded.muted_until, last_status = excluded.last_status',
    );
    for (const [id, entry] of this.entries)
      if (entry.dirty) this.entries.set(id, { ...entry, stored: entry.lastEventId !== null, dirty: false });
    this.undo.length = 0;
  }

  clear(): void {
    this.entries.clear();
    this.undo.length = 0;
  }

  private change(id: string, entry: KeyEntry): void {
    this.undo.push([id, this.entries.get(id)]);
    this.entries.set(id, entry);
  }
}
