import type { Kysely } from 'kysely';
import type { Database } from './tables.js';
import { bulkInsert, bulkUpdate } from './bulk-rows.js';

/** A row as the batch sees it: to insert, changed in some columns, or as read. */
interface Entry<Row> {
  row: Row;
  inserted: boolean;
  changed: ReadonlySet<string>;
}

const unchanged: ReadonlySet<string> = new Set();

export interface StagedTableSpec<Row> {
  table: keyof Database & string;
  idColumn: keyof Row & string;
  columns: ReadonlyArray<keyof Row & string>;
  /** The lookup key a row is found by besides its id (e.g. its alert key), if it has one now. */
  lookupKey: (row: Row) => string | undefined;
}

/**
 * The rows of one table that a PostgreSQL batch read or wrote, kept in memory: later events of the batch read them
 * here, and their writes reach the table in a few statements when the batch flushes. Every change can be undone to a
 * mark (the event that made it failed); rows read from the table are facts of the transaction and stay.
 */
export class StagedTable<Row extends object> {
  private readonly entries = new Map<string, Entry<Row>>();
  private readonly byLookup = new Map<string, Set<string>>();
  private readonly undo: Array<[string, Entry<Row> | undefined]> = [];

  constructor(private readonly spec: StagedTableSpec<Row>) {}

  get(id: string): Row | undefined {
    return this.entries.get(id)?.row;
  }

  /** Every row held, as the batch sees it. */
  rows(): Row[] {
    return Array.from(this.entries.values(), (entry) => entry.row);
  }

  ids(): string[] {
    return [...this.entries.keys()];
  }

  /** Rows whose lookup key is `key`. */
  find(key: string): Row[] {
    const ids = this.byLookup.get(key);
    return ids ? [...ids].map((id) => this.entries.get(id)?.row as Row) : [];
  }

  /** A row as the table holds it; a row the batch has already is kept as the batch sees it. */
  adopt(row: Row): Row {
    const id = this.idOf(row);
    const held = this.entries.get(id);
    if (held) return held.row;
    this.set(id, { row, inserted: false, changed: unchanged });
    return row;
  }

  /** Forgets a row read from the table and not changed since (it is to be read again). */
  forget(id: string): void {
    const entry = this.entries.get(id);
    if (entry && !entry.inserted && entry.changed.size === 0) this.set(id, undefined);
  }

  /** A new row, as the table will hold it: every column, a missing value null. */
  insert(row: Row): void {
    const id = this.idOf(row);
    const stored = this.isComplete(row) ? row : this.completed(row);
    this.undo.push([id, this.entries.get(id)]);
    this.set(id, { row: stored, inserted: true, changed: unchanged });
  }

  /** Changes a row the batch holds (undefined values change nothing, as in an update); false when it holds none. */
  update(id: string, changes: Partial<Row>): boolean {
    const entry = this.entries.get(id);
    if (!entry) return false;
    const defined = Object.entries(changes).filter(([, value]) => value !== undefined);
    this.undo.push([id, entry]);
    const changed = entry.inserted ? entry.changed : new Set([...entry.changed, ...defined.map(([column]) => column)]);
    this.set(id, { row: { ...entry.row, ...Object.fromEntries(defined) }, inserted: entry.inserted, changed });
    return true;
  }

  mark(): number {
    return this.undo.length;
  }

  undoTo(mark: number): void {
    while (this.undo.length > mark) {
      const [id, entry] = this.undo.pop() as [string, Entry<Row> | undefined];
      this.set(id, entry);
    }
  }

  /**
   * Writes the batch's changes: updates first, one statement per set of changed columns, then the new rows in one
   * statement (a row that replaces another, such as a key's next open alert, comes after the old one was closed).
   * Afterwards every row is as the table holds it.
   */
  async flush(trx: Kysely<Database>): Promise<void> {
    const updates = new Map<string, Row[]>();
    const inserts: Row[] = [];
    for (const entry of this.entries.values()) {
      if (entry.inserted) inserts.push(entry.row);
      else if (entry.changed.size > 0) {
        const columns = [...entry.changed].sort().join(',');
        const group = updates.get(columns) ?? [];
        group.push(entry.row);
        updates.set(columns, group);
      }
    }
    for (const [columns, rows] of updates)
      await bulkUpdate(trx, this.spec.table, this.spec.idColumn, rows, columns.split(','));
    await bulkInsert(trx, this.spec.table, inserts, this.spec.columns);
    for (const [id, entry] of this.entries)
      if (entry.inserted || entry.changed.size > 0)
        this.entries.set(id, { row: entry.row, inserted: false, changed: unchanged });
    this.undo.length = 0;
  }

  /** Forgets every row (the table may have changed in ways the batch did not follow). */
  clear(): void {
    this.entries.clear();
    this.byLookup.clear();
    this.undo.length = 0;
  }

  /** Whether a row has every column and nothing else (rows are never changed in place, so it can be kept as is). */
  private isComplete(row: Row): boolean {
    if (Object.keys(row).length !== this.spec.columns.length) return false;
    return this.spec.columns.every((column) => row[column] !== undefined);
  }

  private completed(row: Row): Row {
    const stored: Partial<Row> = {};
    for (const column of this.spec.columns) stored[column] = row[column] ?? (null as Row[typeof column]);
    return stored as Row;
  }

  private idOf(row: Row): string {
    return row[this.spec.idColumn] as string;
  }

  private set(id: string, entry: Entry<Row> | undefined): void {
    const before = this.entries.get(id);
    const oldKey = before && this.spec.lookupKey(before.row);
    const newKey = entry && this.spec.lookupKey(entry.row);
    if (oldKey !== undefined && oldKey !== newKey) this.byLookup.get(oldKey)?.delete(id);
    if (newKey !== undefined) {
      const ids = this.byLookup.get(newKey) ?? new Set<string>();
      ids.add(id);
      this.byLookup.set(newKey, ids);
    }
    if (entry) this.entries.set(id, entry);
    else this.entries.delete(id);
  }
}
