import type { Migration, MigrationProvider } from 'kysely';
import type { Dialect } from './dialect.js';
import { migration0001 } from './migrations/0001_core.js';
import { migration0002 } from './migrations/0002_payloads.js';
import { migration0003 } from './migrations/0003_noise_reduction.js';
import { migration0004 } from './migrations/0004_silences.js';
import { migration0005 } from './migrations/0005_deliveries.js';
import { migration0006 } from './migrations/0006_changes_heartbeats.js';
import { migration0008 } from './migrations/0008_event_search.js';
import { migration0009 } from './migrations/0009_silence_fields.js';
import { migration0010 } from './migrations/0010_retention.js';
import { migration0011 } from './migrations/0011_incident_state.js';
import { migration0012 } from './migrations/0012_delivery_retention.js';
import { migration0013 } from './migrations/0013_outbox.js';
import { migration0014 } from './migrations/0014_delivery_owner.js';
import { migration0015 } from './migrations/0015_change_bodies.js';

export type { Dialect } from './dialect.js';

/**
 * Schema migrations, in order, one file each under migrations/. Add new ones at the end; never edit or rename a
 * released one: the names are what existing databases have recorded.
 */
function migrations(dialect: Dialect): Record<string, Migration> {
  return {
    '0001_core': migration0001(dialect),
    '0002_payloads': migration0002,
    '0003_noise_reduction': migration0003,
    '0004_silences': migration0004,
    '0005_deliveries': migration0005(dialect),
    '0006_changes_heartbeats': migration0006,
    '0008_event_search': migration0008,
    '0009_silence_fields': migration0009,
    '0010_retention': migration0010(dialect),
    '0011_incident_state': migration0011,
    '0012_delivery_retention': migration0012,
    '0013_outbox': migration0013(dialect),
    '0014_delivery_owner': migration0014,
    '0015_change_bodies': migration0015,
  };
}

/** Kysely migration provider for the given dialect. */
export function migrationProvider(dialect: Dialect): MigrationProvider {
  return { getMigrations: async () => migrations(dialect) };
}
