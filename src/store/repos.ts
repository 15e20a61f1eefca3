import type { Kysely } from 'kysely';
import { AlertsRepo } from './alerts-repo.js';
import { DeliveriesRepo } from './deliveries-repo.js';
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
}

/** Binds the repositories once per transaction: callers pass them on instead of a transaction and a dialect. */
export function bindRepos(db: Kysely<Database>, dialect: Dialect): Repos {
  return {
    alerts: new AlertsRepo(db, dialect),
    incidents: new IncidentsRepo(db, dialect),
    events: new EventsRepo(db, dialect),
    integrationStats: new IntegrationStatsRepo(db),
    deliveries: new DeliveriesRepo(db, dialect),
  };
}
