import { sql, type Kysely, type Migration } from 'kysely';

/*
 * Indexes of the management API's searches. Events are listed newest first by (received_at, event_id); the filters
 * that pick a small share of a large table (an integration, an outcome such as dropped, an alert key) have an index
 * that starts with them and ends in that order, so a page is a short index range scan whatever the size of the
 * table; a request id is an exact lookup. Every index is paid for on each stored event, so there are no more than
 * these: a channel is a large share of the events (its pages scan the time index), and events of an incident are
 * found through its alerts (alerts_incident, events_alert). The integration index of 0001 had no reader; the new
 * one replaces it. Incidents are filtered by severity as the console's counts are.
 */
const eventIndexes: Array<[string, string[]]> = [
  ['events_received', ['received_at', 'event_id']],
  ['events_integration_received', ['integration_id', 'received_at', 'event_id']],
  ['events_outcome_received', ['outcome', 'received_at', 'event_id']],
  ['events_alert_key_received', ['alert_key', 'received_at', 'event_id']],
  ['events_request', ['request_id']],
];

export const migration0008: Migration = {
  async up(db: Kysely<unknown>) {
    await sql`drop index if exists events_integration`.execute(db);
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
    await db.schema.createIndex('events_integration').on('events').columns(['integration_id', 'event_id']).execute();
  },
};
