import type { Queue } from 'bullmq';
import type { Config } from '../../config/types.js';
import type { DeliveryServiceDeps } from '../../notify/delivery-service.js';
import type { IngestDeps } from '../../ingest/accept.js';
import type { IngestJobData } from '../../queue/ingest-queue.js';
import type { StoreDatabase } from '../../store/database.js';

/** What the management API's routes need; each resource file takes the parts it uses. */
export interface ApiDeps {
  store: StoreDatabase;
  queue: Queue<IngestJobData>;
  /** Integrations by id, adapters, recent and rejected payloads. */
  ingest: IngestDeps;
  adminToken: string;
  publicUrl: string;
  clock: () => number;
  config: () => Config;
  /** Adapters an integration of a dry-run fragment may name; absent: not checked. */
  knownAdapters?: () => ReadonlySet<string>;
  /** Outbound webhooks: receivers, the delivery log, and the queues incident actions enqueue on. */
  deliveries: DeliveryServiceDeps;
}
