import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** A registry's metrics as prom-client JSON (what threads exchange to be summed). */
export type MetricsJson = Awaited<ReturnType<Registry['getMetricsAsJSON']>>;

/** Prometheus metrics of one process (gateway, worker or both). */
export interface Metrics {
  registry: Registry;
  httpRequests: Counter<'route' | 'code'>;
  httpDuration: Histogram<'route'>;
  gatewayEvents: Counter<'integration' | 'adapter' | 'outcome'>;
  /** Events mapped with a default where the payload should have given a value: a vendor format drifting. */
  adapterFallbacks: Counter<'integration' | 'adapter' | 'kind'>;
  workerEvents: Counter<'integration' | 'outcome'>;
  workerBatchDuration: Histogram;
  eventLatency: Histogram;
  redelivered: Counter;
  /** Events set aside alone because they could not be stored; the rest of their batch was. */
  isolatedEvents: Counter<'integration'>;
  /** 1 while the worker holds events because the store is unreachable. */
  storeUnavailable: Gauge;
  configReloadSuccessful: Gauge;
  configReloadSuccessTimestamp: Gauge;
  queueJobs: Gauge<'state'>;
  queueOldestWaitSeconds: Gauge;
  /** Rejected payloads removed to keep an integration within its count or byte cap. */
  rejectedPayloadsDropped: Counter<'integration' | 'cap'>;
  /** Rows the retention job removed, by table. */
  retentionRemoved: Counter<'table'>;
  /** Retention runs, by result (done, failed). */
  retentionRuns: Counter<'result'>;
  /** Size of the store: SQLite's file and WAL, or PostgreSQL's tables with their indexes and TOAST. */
  storeSizeBytes: Gauge<'part'>;
  /** Change events accepted by the gateway, by integration and change status. */
  changesReceived: Counter<'integration' | 'status'>;
  /** Missed heartbeat periods that raised an alert, by heartbeat. */
  heartbeatsMissed: Counter<'heartbeat'>;
  /** Heartbeat pings taken by the worker (ping URL or an event of the heartbeat's integration). */
  heartbeatPings: Counter<'heartbeat'>;
  /** Mails the SMTP listener read to the end (before any check of their content). */
  smtpMailsReceived: Counter;
  /** Mails answered 250, by integration and outcome (`queued`, or `discarded` by the integration's rules). */
  smtpMailsAccepted: Counter<'integration' | 'outcome'>;
  /** Mails or recipients refused, by reason (unknown_recipient, disabled, too_large, rate_limited, queue_unavailable…). */
  smtpMailsRefused: Counter<'reason'>;
  /** Outbound delivery attempts by receiver and outcome (delivered, retry, dead, skipped). */
  deliveries: Counter<'receiver' | 'outcome'>;
  deliveryAttemptDuration: Histogram<'receiver'>;
  /** Deliveries waiting to be sent (or retried) per receiver, and the age of the oldest. */
  deliveriesPending: Gauge<'receiver'>;
  deliveriesOldestPendingSeconds: Gauge<'receiver'>;
}

export function createMetrics(options: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics) collectDefaultMetrics({ register: registry, prefix: 'alertgate_' });
  const registers = [registry];
  return {
    registry,
    httpRequests: new Counter({
      name: 'alertgate_http_requests_total',
      help: 'HTTP requests by route and status code',
      labelNames: ['route', 'code'],
      registers,
    }),
    httpDuration: new Histogram({
      name: 'alertgate_http_request_duration_seconds',
      help: 'HTTP request duration by route',
      labelNames: ['route'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers,
    }),
    gatewayEvents: new Counter({
      name: 'alertgate_gateway_events_total',
      help: 'Events received by the gateway, by integration, adapter and outcome (queued, rejected)',
      labelNames: ['integration', 'adapter', 'outcome'],
      registers,
    }),
    workerEvents: new Counter({
      name: 'alertgate_events_total',
      help: 'Events applied by the worker, by integration and outcome (new_alert, merged, recovered, labels_updated, duplicate, ignored, late, rejected)',
      labelNames: ['integration', 'outcome'],
      registers,
    }),
    workerBatchDuration: new Histogram({
      name: 'alertgate_worker_batch_duration_seconds',
      help: 'Time to apply one batch of events in one transaction',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    eventLatency: new Histogram({
      name: 'alertgate_event_latency_seconds',
      help: 'From the gateway receiving an event to the worker committing it',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    redelivered: new Counter({
      name: 'alertgate_events_redelivered_total',
      help: 'Events of redelivered jobs that were already stored (skipped)',
      registers,
    }),
    adapterFallbacks: new Counter({
      name: 'alertgate_adapter_fallbacks_total',
      help: 'Accepted events an adapter mapped with a default instead of a payload value (kind: default_severity, missing_alert_key, default_title); a rise means the sender format drifted from the mapping',
      labelNames: ['integration', 'adapter', 'kind'],
      registers,
    }),
    isolatedEvents: new Counter({
      name: 'alertgate_events_isolated_total',
      help: 'Events that could not be stored, moved alone to the failed jobs with their reason',
      labelNames: ['integration'],
      registers,
    }),
    storeUnavailable: new Gauge({
      name: 'alertgate_worker_store_unavailable',
      help: '1 while the worker waits for an unreachable database, holding its events',
      registers,
    }),
    configReloadSuccessful: new Gauge({
      name: 'alertgate_config_last_reload_successful',
      help: 'Whether the last configuration reload attempt succeeded (1) or was refused (0)',
      aggregator: 'min',
      registers,
    }),
    configReloadSuccessTimestamp: new Gauge({
      name: 'alertgate_config_last_reload_success_timestamp_seconds',
      help: 'When the configuration in force was loaded (start or last successful reload)',
      aggregator: 'max',
      registers,
    }),
    queueJobs: new Gauge({
      name: 'alertgate_queue_jobs',
      help: 'Jobs in the ingest queue by state',
      labelNames: ['state'],
      registers,
    }),
    queueOldestWaitSeconds: new Gauge({
      name: 'alertgate_queue_oldest_waiting_seconds',
      help: 'Age of the oldest waiting ingest job',
      registers,
    }),
    rejectedPayloadsDropped: new Counter({
      name: 'alertgate_rejected_payloads_dropped_total',
      help: 'Stored rejected payloads removed, oldest first, to keep an integration within its count or byte cap',
      labelNames: ['integration', 'cap'],
      registers,
    }),
    retentionRemoved: new Counter({
      name: 'alertgate_retention_removed_rows_total',
      help: 'Rows removed by the retention job, by table',
      labelNames: ['table'],
      registers,
    }),
    retentionRuns: new Counter({
      name: 'alertgate_retention_runs_total',
      help: 'Runs of the retention job in this process, by result',
      labelNames: ['result'],
      registers,
    }),
    storeSizeBytes: new Gauge({
      name: 'alertgate_store_size_bytes',
      help: 'Size of the store: SQLite file and WAL (part=file, wal), or PostgreSQL tables with indexes (part=<table>)',
      labelNames: ['part'],
      registers,
    }),
    changesReceived: new Counter({
      name: 'alertgate_changes_received_total',
      help: 'Change events accepted by the gateway, by integration and change status',
      labelNames: ['integration', 'status'],
      registers,
    }),
    heartbeatsMissed: new Counter({
      name: 'alertgate_heartbeats_missed_total',
      help: 'Missed heartbeat periods that raised an alert, by heartbeat',
      labelNames: ['heartbeat'],
      registers,
    }),
    heartbeatPings: new Counter({
      name: 'alertgate_heartbeat_pings_total',
      help: 'Heartbeat pings taken by the worker, by heartbeat',
      labelNames: ['heartbeat'],
      registers,
    }),
    smtpMailsReceived: new Counter({
      name: 'alertgate_smtp_mails_received_total',
      help: 'Mails the SMTP listener received to the end of DATA',
      registers,
    }),
    smtpMailsAccepted: new Counter({
      name: 'alertgate_smtp_mails_accepted_total',
      help: 'Mails answered 250, by integration and outcome (queued, discarded)',
      labelNames: ['integration', 'outcome'],
      registers,
    }),
    smtpMailsRefused: new Counter({
      name: 'alertgate_smtp_mails_refused_total',
      help: 'Mails or recipients the SMTP listener refused, by reason',
      labelNames: ['reason'],
      registers,
    }),
    deliveries: new Counter({
      name: 'alertgate_webhook_deliveries_total',
      help: 'Outbound webhook delivery attempts by receiver and outcome (delivered, retry, dead, skipped)',
      labelNames: ['receiver', 'outcome'],
      registers,
    }),
    deliveryAttemptDuration: new Histogram({
      name: 'alertgate_webhook_attempt_duration_seconds',
      help: 'Time of one outbound webhook attempt, from request to response (or error)',
      labelNames: ['receiver'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    deliveriesPending: new Gauge({
      name: 'alertgate_webhook_deliveries_pending',
      help: 'Outbound webhook deliveries waiting to be sent or retried, by receiver',
      labelNames: ['receiver'],
      aggregator: 'max',
      registers,
    }),
    deliveriesOldestPendingSeconds: new Gauge({
      name: 'alertgate_webhook_oldest_pending_seconds',
      help: 'Age of the oldest outbound webhook delivery still pending, by receiver',
      labelNames: ['receiver'],
      aggregator: 'max',
      registers,
    }),
  };
}
