import { sql, type Kysely, type Selectable } from 'kysely';
import { insertRow, runCached } from './cached-query.js';
import type { Dialect } from './dialect.js';
import type { Database, DeliveriesTable, DeliveryAttemptsTable, DeliveryStatus, OutboxTable } from './tables.js';

/** A delivery as stored. */
export type DeliveryRecord = Selectable<DeliveriesTable>;
/** A delivery with the body of its change, which is kept once for all its receivers. */
export type DeliveryRow = DeliveryRecord & { body: string };
export type DeliveryAttemptRow = Selectable<DeliveryAttemptsTable>;
export type NewDelivery = Omit<DeliveryRecord, 'seq'>;
export type OutboxRow = Selectable<OutboxTable>;
export type NewOutboxRow = Omit<OutboxRow, 'seq'>;

const outboxColumns: ReadonlyArray<keyof NewOutboxRow> = [
  'change_id',
  'event_type',
  'channel_id',
  'incident_id',
  'alert_id',
  'order_key',
  'receivers',
  'body',
  'created_at',
];

const changeBodyColumns = ['change_id', 'body', 'created_at'] as const;

const deliveryColumns: ReadonlyArray<keyof NewDelivery> = [
  'delivery_id',
  'receiver_id',
  'change_id',
  'event_type',
  'channel_id',
  'incident_id',
  'alert_id',
  'order_key',
  'status',
  'queued',
  'job_id',
  'attempts',
  'created_at',
  'updated_at',
  'next_attempt_at',
  'delivered_at',
  'last_status_code',
  'last_error',
];

/** A delivery to put on its receiver's queue. */
export interface DeliveryRef {
  delivery_id: string;
  receiver_id: string;
}

/** What one attempt changes on its delivery; a relay job's retry also hands the delivery to a job of its own. */
export type AttemptOutcome = Pick<
  DeliveryRow,
  'status' | 'attempts' | 'next_attempt_at' | 'delivered_at' | 'last_status_code' | 'last_error'
> &
  Partial<Pick<DeliveryRow, 'job_id' | 'queued'>>;

const attemptColumns = [
  'delivery_id',
  'attempt',
  'at',
  'status_code',
  'latency_ms',
  'error',
  'response',
] as const satisfies ReadonlyArray<keyof DeliveryAttemptRow>;
const outcomeColumns = [
  'status',
  'attempts',
  'next_attempt_at',
  'delivered_at',
  'last_status_code',
  'last_error',
] as const satisfies ReadonlyArray<keyof AttemptOutcome>;
/**
 * The columns an attempt writes, and its cached statement's name, by which of the owner columns (`job_id`, `queued`:
 * a relay job handing the delivery to a job of its own) its outcome carries: bit 1 `job_id`, bit 2 `queued`.
 */
const recordedColumns = [[], ['job_id'], ['queued'], ['job_id', 'queued']].map((owner) => {
  const columns = [...outcomeColumns, ...(owner as Array<'job_id' | 'queued'>)];
  return { columns, name: `record-attempt:${columns.join(',')}` };
});

export interface DeliveryFilter {
  receiverId: string;
  status?: DeliveryStatus;
  incidentId?: string;
  /** Deliveries older than this `seq` (the previous page's `next_cursor`). */
  before?: number;
  limit: number;
}

/** One outbound message about an incident, as its detail lists it. */
export interface IncidentNotification {
  delivery_id: string;
  receiver_id: string;
  event_type: string;
  status: string;
  attempts: number;
  created_at: number;
  delivered_at: number | null;
  last_status_code: number | null;
  last_error: string | null;
}

/** Rows of nulls in the shape of `columns`: a statement built once per row count, later calls only bind values. */
function placeholderRows<T>(count: number, columns: ReadonlyArray<keyof T>): Array<Record<string, null>> {
  return Array.from({ length: count }, () => Object.fromEntries(columns.map((column) => [column, null])));
}

/**
 * Writes rows in statements of 100, 25, 5 or 1 rows: a few statements per batch, and only four shapes of statement
 * to build and prepare whatever the number of rows.
 */
async function insertChunked<T>(rows: readonly T[], insert: (chunk: readonly T[]) => Promise<unknown>): Promise<void> {
  let start = 0;
  for (const size of [100, 25, 5, 1])
    for (; rows.length - start >= size; start += size) await insert(rows.slice(start, start + size));
}

/** Deliveries joined with their change's body. */
function deliveriesWithBody(db: Kysely<Database>) {
  return db
    .selectFrom('deliveries')
    .innerJoin('change_bodies', 'change_bodies.change_id', 'deliveries.change_id')
    .selectAll('deliveries')
    .select('change_bodies.body');
}

/** The outbox and the delivery log, bound to one transaction (or the database). */
export class DeliveriesRepo {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
  ) {}

  /** The alert a change is about, as the transaction sees it now. */
  async alertRow(alertId: string): Promise<Selectable<Database['alerts']> | undefined> {
    const result = await runCached(
      this.db,
      this.dialect,
      'delivery-alert',
      (db) => db.selectFrom('alerts').selectAll().where('alert_id', '=', ''),
      [alertId],
    );
    return result.rows[0];
  }

  /** What was sent about an incident, to whom, and how it went, oldest first (at most 200). */
  async notificationsOf(incidentId: string): Promise<IncidentNotification[]> {
    return this.db
      .selectFrom('deliveries')
      .select([
        'delivery_id',
        'receiver_id',
        'event_type',
        'status',
        'attempts',
        'created_at',
        'delivered_at',
        'last_status_code',
        'last_error',
      ])
      .where('incident_id', '=', incidentId)
      .orderBy('seq')
      .limit(200)
      .execute();
  }

  /** Outbox rows to write with the rest of the transaction's rows (flushDeferred, before it commits). */
  private deferred: NewOutboxRow[] = [];

  defer(rows: readonly NewOutboxRow[]): void {
    this.deferred.push(...rows);
  }

  /** How many outbox rows are deferred so far. */
  deferredMark(): number {
    return this.deferred.length;
  }

  /** Drops the outbox rows deferred since `mark` (their savepoint was rolled back). */
  undoDeferredTo(mark: number): void {
    this.deferred.length = Math.min(this.deferred.length, mark);
  }

  async flushDeferred(): Promise<void> {
    const rows = this.deferred;
    this.deferred = [];
    await this.insertOutbox(rows);
  }

  /** Writes outbox rows, in a few statements of fixed shapes (see {@link insertChunked}). */
  async insertOutbox(rows: readonly NewOutboxRow[]): Promise<void> {
    await insertChunked(rows, (chunk) =>
      runCached(
        this.db,
        this.dialect,
        `insert-outbox:${chunk.length}`,
        (db) => db.insertInto('outbox').values(placeholderRows(chunk.length, outboxColumns) as never),
        chunk.flatMap((row) => outboxColumns.map((column) => row[column])),
      ),
    );
  }

  /**
   * Keeps the bodies of relayed outbox rows, one per change. A body already kept (the same change recorded twice: two
   * workers writing one repeat) stays as it is.
   */
  async insertChangeBodies(rows: readonly Pick<OutboxRow, 'change_id' | 'body' | 'created_at'>[]): Promise<void> {
    await insertChunked(rows, (chunk) =>
      runCached(
        this.db,
        this.dialect,
        `insert-change-bodies:${chunk.length}`,
        (db) =>
          db
            .insertInto('change_bodies')
            .values(placeholderRows(chunk.length, changeBodyColumns) as never)
            .onConflict((conflict) => conflict.column('change_id').doNothing()),
        chunk.flatMap((row) => changeBodyColumns.map((column) => row[column])),
      ),
    );
  }

  /** The oldest committed outbox rows, in the order they were written. */
  async outboxBatch(limit: number): Promise<OutboxRow[]> {
    return this.db.selectFrom('outbox').selectAll().orderBy('seq').limit(limit).execute();
  }

  /** Removes outbox rows whose deliveries are written. */
  async removeOutbox(seqs: readonly number[]): Promise<void> {
    if (seqs.length > 0) await this.db.deleteFrom('outbox').where('seq', 'in', seqs).execute();
  }

  /** Writes deliveries; one that exists already (the same receiver and change) is left as it is. */
  async insertDeliveries(rows: readonly NewDelivery[]): Promise<void> {
    await insertChunked(rows, (chunk) =>
      runCached(
        this.db,
        this.dialect,
        `insert-deliveries:${chunk.length}`,
        (db) =>
          db
            .insertInto('deliveries')
            .values(placeholderRows(chunk.length, deliveryColumns) as never)
            .onConflict((conflict) => conflict.column('delivery_id').doNothing()),
        chunk.flatMap((row) => deliveryColumns.map((column) => row[column])),
      ),
    );
  }

  /** Records that these deliveries have a job of their own on their queue (unless another job took them meanwhile). */
  async markQueued(deliveryIds: readonly string[]): Promise<void> {
    if (deliveryIds.length === 0) return;
    await this.db
      .updateTable('deliveries')
      .set({ queued: 1 })
      .where('delivery_id', 'in', deliveryIds)
      .where('job_id', 'is', null)
      .execute();
  }

  /** A delivery whose own job is gone while it is still pending: the sweep enqueues it again. */
  async markUnqueued(deliveryId: string): Promise<void> {
    await this.db
      .updateTable('deliveries')
      .set({ queued: 0 })
      .where('delivery_id', '=', deliveryId)
      .where('job_id', 'is', null)
      .execute();
  }

  /** The relay jobs that own pending deliveries of a receiver relayed before `relayedBefore`. */
  async relayJobsOf(receiverId: string, relayedBefore: number): Promise<string[]> {
    const rows = await this.db
      .selectFrom('deliveries')
      .select('job_id')
      .distinct()
      .where('receiver_id', '=', receiverId)
      .where('status', '=', 'pending')
      .where('job_id', 'is not', null)
      .where('updated_at', '<', relayedBefore)
      .execute();
    return rows.map((row) => row.job_id as string);
  }

  /** The pending deliveries relay job `jobId` owns, once it is gone: the sweep gives them jobs of their own. */
  async releaseRelayJob(receiverId: string, jobId: string): Promise<void> {
    await this.db
      .updateTable('deliveries')
      .set({ queued: 0, job_id: null })
      .where('receiver_id', '=', receiverId)
      .where('status', '=', 'pending')
      .where('job_id', '=', jobId)
      .execute();
  }

  /** Hands a delivery from relay job `jobId` to a job of its own (a retry, or a wait for an earlier delivery). */
  async handOver(deliveryId: string, jobId: string): Promise<boolean> {
    const result = await this.db
      .updateTable('deliveries')
      .set({ job_id: null, queued: 0 })
      .where('delivery_id', '=', deliveryId)
      .where('job_id', '=', jobId)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** Pending deliveries that never got a job (a crash between commit and enqueue), oldest first. */
  async unqueued(createdBefore: number, limit: number): Promise<DeliveryRef[]> {
    return this.db
      .selectFrom('deliveries')
      .select(['delivery_id', 'receiver_id'])
      .where('queued', '=', 0)
      .where('status', '=', 'pending')
      .where('created_at', '<', createdBefore)
      .orderBy('seq')
      .limit(limit)
      .execute();
  }

  /** Deliveries by id, in `seq` order (the order they are sent in per receiver and incident). */
  async getDeliveries(deliveryIds: readonly string[]): Promise<DeliveryRow[]> {
    if (deliveryIds.length === 0) return [];
    return deliveriesWithBody(this.db)
      .where('deliveries.delivery_id', 'in', deliveryIds)
      .orderBy('deliveries.seq')
      .execute();
  }

  async getDelivery(deliveryId: string): Promise<DeliveryRow | undefined> {
    return deliveriesWithBody(this.db).where('deliveries.delivery_id', '=', deliveryId).executeTakeFirst();
  }

  async attemptsOf(deliveryId: string): Promise<DeliveryAttemptRow[]> {
    return this.db
      .selectFrom('delivery_attempts')
      .selectAll()
      .where('delivery_id', '=', deliveryId)
      .orderBy('id')
      .execute();
  }

  /** The oldest pending delivery of the same receiver and order key before `seq`: it goes first. */
  async pendingBefore(delivery: DeliveryRecord): Promise<DeliveryRecord | undefined> {
    return this.db
      .selectFrom('deliveries')
      .selectAll()
      .where('receiver_id', '=', delivery.receiver_id)
      .where('order_key', '=', delivery.order_key)
      .where('seq', '<', delivery.seq)
      .where('status', '=', 'pending')
      .orderBy('seq')
      .limit(1)
      .executeTakeFirst();
  }

  /** Per order key among `orderKeys`, the `seq` of the receiver's oldest pending delivery (keys with none are absent). */
  async earliestPending(receiverId: string, orderKeys: readonly string[]): Promise<Map<string, number>> {
    if (orderKeys.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('deliveries')
      .select(['order_key', sql<number>`min(seq)`.as('seq')])
      .where('receiver_id', '=', receiverId)
      .where('order_key', 'in', orderKeys)
      .where('status', '=', 'pending')
      .groupBy('order_key')
      .execute();
    return new Map(rows.map((row) => [row.order_key, Number(row.seq)]));
  }

  /**
   * Incidents of a channel that are Triggered (unacknowledged), opened at least `intervalMs` ago, and whose last
   * notification (i_new, i_unack, i_reopen or i_repeat) is older than that: due for an `i_repeat`.
   */
  async incidentsDueForRepeat(
    channelId: string,
    now: number,
    intervalMs: number,
    limit: number,
  ): Promise<Array<{ incident_id: string; created_at: number; storm_raised: string | null }>> {
    const since = now - intervalMs;
    return this.db
      .selectFrom('incidents')
      .select(['incident_id', 'created_at', 'storm_raised'])
      .where('channel_id', '=', channelId)
      .where('progress', '=', 'Triggered')
      .where('created_at', '<=', since)
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('deliveries')
              .select('deliveries.seq')
              .whereRef('deliveries.order_key', '=', 'incidents.incident_id')
              .where('deliveries.event_type', 'in', ['i_new', 'i_unack', 'i_reopen', 'i_repeat'])
              .where('deliveries.created_at', '>', since),
          ),
        ),
      )
      .orderBy('incident_id')
      .limit(limit)
      .execute();
  }

  /** Records one attempt and what it changed on its delivery (statements built once: every request sent runs them). */
  async recordAttempt(attempt: Omit<DeliveryAttemptRow, 'id'>, outcome: AttemptOutcome, now: number): Promise<void> {
    await insertRow(this.db, this.dialect, 'delivery_attempts', attempt, attemptColumns);
    const { columns, name } =
      recordedColumns[(outcome.job_id !== undefined ? 1 : 0) + (outcome.queued !== undefined ? 2 : 0)];
    const values: unknown[] = columns.map((column) => outcome[column]);
    await runCached(
      this.db,
      this.dialect,
      name,
      (db) =>
        db
          .updateTable('deliveries')
          .set(Object.fromEntries([...columns, 'updated_at'].map((column) => [column, null])))
          .where('delivery_id', '=', ''),
      [...values, now, attempt.delivery_id],
    );
  }

  /** A delivery to send again from its first attempt (dead, or delivered and asked for again). */
  async resetForRedelivery(deliveryId: string, now: number): Promise<void> {
    await this.db
      .updateTable('deliveries')
      .set({ status: 'pending', attempts: 0, next_attempt_at: null, queued: 0, job_id: null, updated_at: now })
      .where('delivery_id', '=', deliveryId)
      .execute();
  }

  /** A receiver's deliveries, newest first. */
  async listDeliveries(filter: DeliveryFilter): Promise<DeliveryRow[]> {
    return deliveriesWithBody(this.db)
      .where('deliveries.receiver_id', '=', filter.receiverId)
      .$if(filter.status !== undefined, (qb) => qb.where('deliveries.status', '=', filter.status as DeliveryStatus))
      .$if(filter.incidentId !== undefined, (qb) =>
        qb.where('deliveries.incident_id', '=', filter.incidentId as string),
      )
      .$if(filter.before !== undefined, (qb) => qb.where('deliveries.seq', '<', filter.before as number))
      .orderBy('deliveries.seq', 'desc')
      .limit(filter.limit)
      .execute();
  }

  /** Deliveries per receiver and status, and the creation time of each receiver's oldest pending one. */
  async receiverCounts(): Promise<Array<{ receiver_id: string; status: string; count: number; oldest: number }>> {
    const rows = await this.db
      .selectFrom('deliveries')
      .select(['receiver_id', 'status', sql<number>`count(*)`.as('count'), sql<number>`min(created_at)`.as('oldest')])
      .groupBy(['receiver_id', 'status'])
      .execute();
    return rows.map((row) => ({ ...row, count: Number(row.count), oldest: Number(row.oldest) }));
  }
}
