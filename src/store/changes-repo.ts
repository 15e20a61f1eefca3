import type { Kysely, Selectable } from 'kysely';
import type { QueuedChange } from '../changes/types.js';
import type { Dialect } from './dialect.js';
import type { ChangesTable, Database } from './tables.js';

/** One status a change went through, as its events said. */
export interface ChangeStatusEntry {
  status: string;
  at: number;
  event_id: string;
}

/** What storing one change event did. */
export type ChangeWrite = 'created' | 'updated' | 'unchanged';

async function replaceLabels(trx: Kysely<Database>, changeId: string, labels: Record<string, string>): Promise<void> {
  await trx.deleteFrom('change_labels').where('change_id', '=', changeId).execute();
  const rows = Object.entries(labels).map(([name, value]) => ({ change_id: changeId, name, value }));
  if (rows.length > 0) await trx.insertInto('change_labels').values(rows).execute();
}

/**
 * Applies one change event inside a transaction: the first event of an (integration, change_key) creates the change,
 * a later one (by event_id, which is time-ordered) sets its status and title, adds its labels over the change's (a
 * status update that repeats fewer labels loses none), replaces the description and link it gives, and adds a new
 * status to the history. An event already applied or older than the latest changes nothing: redeliveries are harmless.
 */
export async function applyChange(
  trx: Kysely<Database>,
  dialect: Dialect,
  change: QueuedChange,
  now: number,
): Promise<ChangeWrite> {
  const entry: ChangeStatusEntry = { status: change.change_status, at: change.event_time, event_id: change.event_id };
  const fields = {
    title: change.title,
    description: change.description ?? null,
    change_status: change.change_status,
    labels: JSON.stringify(change.labels),
    link: change.link ?? null,
  };
  const inserted = await trx
    .insertInto('changes')
    .values({
      change_id: change.event_id,
      integration_id: change.integration_id,
      change_key: change.change_key,
      ...fields,
      statuses: JSON.stringify([entry]),
      start_time: change.event_time,
      last_time: change.event_time,
      last_event_id: change.event_id,
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) => oc.columns(['integration_id', 'change_key']).doNothing())
    .executeTakeFirst();
  if (Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0) {
    await replaceLabels(trx, change.event_id, change.labels);
    return 'created';
  }
  const row = await trx
    .selectFrom('changes')
    .select(['change_id', 'statuses', 'start_time', 'last_time', 'last_event_id', 'labels', 'description', 'link'])
    .where('integration_id', '=', change.integration_id)
    .where('change_key', '=', change.change_key)
    .$if(dialect === 'postgres', (qb) => qb.forUpdate())
    .executeTakeFirstOrThrow();
  if (row.last_event_id >= change.event_id) return 'unchanged';
  const history = JSON.parse(row.statuses) as ChangeStatusEntry[];
  // An edit that keeps the status (a Jira summary change) updates the change but adds no history entry.
  const statuses = history.at(-1)?.status === entry.status ? history : [...history, entry];
  const labels = { ...(JSON.parse(row.labels) as Record<string, string>), ...change.labels };
  await trx
    .updateTable('changes')
    .set({
      title: change.title,
      change_status: change.change_status,
      description: change.description ?? row.description,
      link: change.link ?? row.link,
      labels: JSON.stringify(labels),
      statuses: JSON.stringify(statuses.slice(-100)),
      start_time: Math.min(row.start_time, change.event_time),
      last_time: Math.max(row.last_time, change.event_time),
      last_event_id: change.event_id,
      updated_at: now,
    })
    .where('change_id', '=', row.change_id)
    .execute();
  await replaceLabels(trx, row.change_id, labels);
  return 'updated';
}

/** A change as the API shows it. */
export function changeView(row: Selectable<ChangesTable>) {
  return {
    ...row,
    labels: JSON.parse(row.labels) as Record<string, string>,
    statuses: JSON.parse(row.statuses) as ChangeStatusEntry[],
  };
}

export type ChangeView = ReturnType<typeof changeView>;

export interface ChangeFilter {
  integrationIds?: string[];
  statuses?: string[];
  /** `name=value` pairs, all of which a change must carry. */
  labels?: Array<[string, string]>;
  /** On its latest event time: since (inclusive), until (exclusive). */
  since?: number;
  until?: number;
  /** Page after this change id (newest first). */
  cursor?: string;
  limit: number;
}

/** Changes, most recently created first, paged by a cursor (the last id of the previous page). */
export async function listChanges(db: Kysely<Database>, filter: ChangeFilter) {
  let query = db.selectFrom('changes').selectAll('changes');
  for (const [index, [name, value]] of (filter.labels ?? []).entries()) {
    const alias = `l${index}` as 'change_labels';
    query = query.where((eb) =>
      eb.exists(
        eb
          .selectFrom(`change_labels as ${alias}`)
          .select(`${alias}.change_id`)
          .whereRef(`${alias}.change_id`, '=', 'changes.change_id')
          .where(`${alias}.name`, '=', name)
          .where(`${alias}.value`, '=', value),
      ),
    );
  }
  const rows = await query
    .$if(filter.integrationIds !== undefined, (qb) => qb.where('integration_id', 'in', filter.integrationIds ?? []))
    .$if(filter.statuses !== undefined, (qb) => qb.where('change_status', 'in', filter.statuses ?? []))
    .$if(filter.since !== undefined, (qb) => qb.where('last_time', '>=', filter.since ?? 0))
    .$if(filter.until !== undefined, (qb) => qb.where('last_time', '<', filter.until ?? 0))
    .$if(filter.cursor !== undefined, (qb) => qb.where('changes.change_id', '<', filter.cursor ?? ''))
    .orderBy('changes.change_id', 'desc')
    .limit(filter.limit + 1)
    .execute();
  const page = rows.slice(0, filter.limit);
  return {
    items: page.map(changeView),
    next_cursor: rows.length > filter.limit ? page[page.length - 1].change_id : null,
  };
}

export async function getChange(db: Kysely<Database>, changeId: string): Promise<ChangeView | undefined> {
  const row = await db.selectFrom('changes').selectAll().where('change_id', '=', changeId).executeTakeFirst();
  return row && changeView(row);
}

/**
 * Changes that were under way in `[from, to]` (started by `to`, latest event at or after `from`) and carry at least
 * one of the label values given; at most `limit`, latest first. Their scoring is left to the caller.
 */
export async function changesSharingLabels(
  db: Kysely<Database>,
  labels: Record<string, string>,
  from: number,
  to: number,
  limit = 500,
): Promise<ChangeView[]> {
  const pairs = Object.entries(labels);
  if (pairs.length === 0) return [];
  const rows = await db
    .selectFrom('changes')
    .selectAll('changes')
    .where('start_time', '<=', to)
    .where('last_time', '>=', from)
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('change_labels')
          .select('change_labels.change_id')
          .whereRef('change_labels.change_id', '=', 'changes.change_id')
          .where((inner) =>
            inner.or(pairs.map(([name, value]) => inner.and([inner('name', '=', name), inner('value', '=', value)]))),
          ),
      ),
    )
    .orderBy('last_time', 'desc')
    .limit(limit)
    .execute();
  return rows.map(changeView);
}
