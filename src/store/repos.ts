import type { Kysely } from 'kysely';
import { AlertsRepo } from './alerts-repo.js';
import { DeliveriesRepo } from './deliveries-repo.js';
import type { StageMark } from './batch-stage.js';
import type { Dialect } from './dialect.js';
import { EventsRepo } from './events-repo.js';
import { IncidentsRepo } from './incidents-repo.js';
import { IntegrationStatsRepo } from './integration-stats-repo.js';
import type { Database } from './tables.js';

/** The write-side repositories, each bound to the same transaction (or the database) and dialect. */
export interface Repos {
  alerts: AlertsRepo;
  incidents: IncidentsRepo;
  events: EventsRepo;
  integrationStats: IntegrationStatsRepo;
  deliveries: DeliveriesRepo;
  /** Writes what was deferred (timeline entries, key states, outbound deliveries). */
  flush(): Promise<void>;
  /** Forgets what was deferred, after a rollback to a savepoint. */
  discardDeferred(): void;
  /** Marks what is deferred so far, to undo what follows with {@link Repos.undoDeferredTo}. */
  deferredMark(): DeferredMark;
  /** Undoes what was deferred since `mark` (a savepoint taken then was rolled back). */
  undoDeferredTo(mark: DeferredMark): void;
}

/** A point in the deferred writes of a transaction. */
export interface DeferredMark {
  alerts: number;
  incidents: number;
  deliveries: number;
  /** The rows a PostgreSQL worker batch keeps in memory (staged-repos.ts). */
  staged?: StageMark;
}

export interface BindOptions {
  /**
   * Keep writes nothing in the batch reads back (timeline entries, key states) in memory until {@link Repos.flush},
   * so a batch writes them in a few statements instead of one per event. The worker's batches use it.
   */
  deferWrites?: boolean;
}

/** Rows a batch holds in memory instead of writing them at once (a PostgreSQL worker batch's BatchStage). */
export interface HeldRows {
  flush(): Promise<void>;
  clear(): void;
  mark(): StageMark;
  undoTo(mark: StageMark): void;
}

/**
 * The repositories of one transaction as one `Repos`: what is deferred is written, forgotten, marked and undone in
 * the same order whatever the repositories are; `held` rows, when given, go first and are undone with them.
 */
export function assembleRepos(
  db: Kysely<Database>,
  dialect: Dialect,
  parts: { alerts: AlertsRepo; incidents: IncidentsRepo; deliveries: DeliveriesRepo },
  held?: HeldRows,
): Repos {
  const { alerts, incidents, deliveries } = parts;
  return {
    alerts,
    incidents,
    events: new EventsRepo(db, dialect),
    integrationStats: new IntegrationStatsRepo(db),
    deliveries,
    async flush() {
      await held?.flush();
      await incidents.flushTimeline();
      await alerts.flushKeyStates();
      await deliveries.flushDeferred();
    },
    discardDeferred() {
      incidents.discardDeferred();
      alerts.discardDeferred();
      deliveries.undoDeferredTo(0);
      held?.clear();
    },
    deferredMark: () => ({
      alerts: alerts.deferredMark(),
      incidents: incidents.deferredMark(),
      deliveries: deliveries.deferredMark(),
      ...(held && { staged: held.mark() }),
    }),
    undoDeferredTo(mark) {
      alerts.undoDeferredTo(mark.alerts);
      incidents.undoDeferredTo(mark.incidents);
      deliveries.undoDeferredTo(mark.deliveries);
      if (held && mark.staged) held.undoTo(mark.staged);
    },
  };
}

/** Binds the repositories once per transaction: callers pass them on instead of a transaction and a dialect. */
export function bindRepos(db: Kysely<Database>, dialect: Dialect, options: BindOptions = {}): Repos {
  return assembleRepos(db, dialect, {
    alerts: new AlertsRepo(db, dialect, options.deferWrites),
    incidents: new IncidentsRepo(db, dialect, options.deferWrites),
    deliveries: new DeliveriesRepo(db, dialect),
  });
}
