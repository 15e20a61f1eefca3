import { sql, type Kysely, type Migration } from 'kysely';

/*
 * Indexes of the management API's searches. Events are listed newest first by (received_at, event_id); each filter
 * the events list takes has an index that starts with it and ends in that order, so a page is a short index range
 * scan whatever the size of the table. Incidents are filtered by severity as the console's counts are.
 */
const eventIndexes: Array<[string, string[]]> = [
  ['events_received', ['received_at', 'event_id']],
  ['events_integration_received', ['integration_id', 'received_at', 'event_id']],
  ['events_channel_received', ['channel_id', 'received_at', 'event_id']],
  ['events_outcome_received', ['outcome', 'received_at', 'event_id']],
  ['events_alert_key_received', ['alert_key', 'received_at', 'event_id']],
  ['events_request', ['request_id', 'event_id']],
  ['events_incident_received', ['incident_id', 'received_at', 'event_id']],
];

export const migration0008: Migration = {
  async up(db: Kysely<unknown>) {
    for (const [name, columns] of eventIndexes)
      await db.schema.createIndex(name).on('events').columns(columns).execute();
    await db.schema
      .createIndex('incidents_severity')
      .on('incidents')
      .columns(['incident_severity', 'incident_id'])
      .execute();
  },
  async down(db: Kysely<unknown>) {
    for (const name of [...eventIndexes.map(([index]) => index), 'incidents_severity'])
      await sql`drop index if exists ${sql.ref(name)}`.execute(db);
  },
};
