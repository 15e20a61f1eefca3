import type { Kysely } from 'kysely';
import type { Database } from './tables.js';

/** Per-integration activity: latest event and outcome counters. */
export class IntegrationStatsRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** Moves an integration's latest event forward (never back: batches of several workers commit in any order). */
  async recordLatestEvent(integrationId: string, eventId: string, receivedAt: number): Promise<void> {
    await this.db
      .insertInto('integration_stats')
      .values({ integration_id: integrationId, latest_event_at: receivedAt, latest_event_id: eventId })
      .onConflict((oc) =>
        oc
          .column('integration_id')
          .doUpdateSet({ latest_event_at: receivedAt, latest_event_id: eventId })
          .where('integration_stats.latest_event_id', '<', eventId),
      )
      .execute();
  }

  /** Adds `count` to an integration's counter of an outcome. */
  async addOutcomeCount(integrationId: string, outcome: string, count: number): Promise<void> {
    await this.db
      .insertInto('integration_counts')
      .values({ integration_id: integrationId, outcome, count })
      .onConflict((oc) =>
        oc
          .columns(['integration_id', 'outcome'])
          .doUpdateSet((eb) => ({ count: eb('integration_counts.count', '+', eb.ref('excluded.count')) })),
      )
      .execute();
  }
}
