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

/** Binds the repositories once per transaction: callers pass them on instead of a transaction and a dialect. */
export function bindRepos(db: Kysely<Database>, dialect: Dialect, options: BindOptions = {}): Repos {
  const alerts = new AlertsRepo(db, dialect, options.deferWrites);
  const incidents = new IncidentsRepo(db, dialect, options.deferWrites);
  const deliveries = new DeliveriesRepo(db, dialect);
  return {
    alerts,
    incidents,
    events: new EventsRepo(db, dialect),
    integrationStats: new IntegrationStatsRepo(db),
    deliveries,
    async flush() {
      await incidents.flushTimeline();
      await alerts.flushKeyStates();
      await deliveries.flushDeferred();
    },
    discardDeferred() {
      incidents.discardDeferred();
      alerts.discardDeferred();
      deliveries.undoDeferredTo(0);
    },
    deferredMark: () => ({
      alerts: alerts.deferredMark(),
      incidents: incidents.deferredMark(),
      deliveries: deliveries.deferredMark(),
    }),
    undoDeferredTo(mark) {
      alerts.undoDeferredTo(mark.alerts);
      incidents.undoDeferredTo(mark.incidents);
      deliveries.undoDeferredTo(mark.deliveries);
    },
  };
}
