import type { Kysely } from 'kysely';
import type { Config } from '../config/types.js';
import { invalidParameter } from '../errors.js';
import { newId } from '../events/ids.js';
import { bindRepos } from '../store/repos.js';
import type { StoreDatabase } from '../store/database.js';
import type { Database } from '../store/tables.js';
import { inRolledBackTransaction } from '../store/transaction.js';
import { StoredSilences } from '../silences/cache.js';
import { processEvent, type ProcessedEvent } from '../worker/pipeline.js';
import { rulesFromConfig, type WorkerRules } from '../worker/stage.js';
import { applyConfigFragment, type FragmentOptions } from './fragment.js';
import {
  eventStamper,
  lastEventInputs,
  parseDryRunRequest,
  standardEventInputs,
  type DryRunInput,
  type DryRunRequest,
} from './input.js';
import { summariseDryRun, type DryRunEventResult, type DryRunSummary } from './summary.js';

/** What a dry run needs: the store it reads (and writes only inside a transaction that is rolled back), the configuration in force, the clock. */
export interface DryRunDeps {
  store: StoreDatabase;
  config: Config;
  clock: () => number;
  /** How a configuration fragment is read (environment, known adapters). */
  fragment?: FragmentOptions;
}

/** What the events would do, one by one, and in sum. */
export interface DryRunReport {
  events: DryRunEventResult[];
  summary: DryRunSummary;
}

function resultOf(index: number, input: DryRunInput, processed: ProcessedEvent): DryRunEventResult {
  return {
    index,
    source: input.source,
    replayed_event_id: input.replayedEventId ?? null,
    integration_id: input.event.integration_id,
    alert_key: processed.event.alert_key,
    title: processed.event.title,
    event_status: processed.event.event_status,
    outcome: processed.outcome,
    channel_id: processed.channelId,
    alert_id: processed.alertId,
    incident_id: processed.incidentId,
    trace: processed.trace,
  };
}

async function applyInputs(
  trx: Kysely<Database>,
  deps: DryRunDeps,
  rules: WorkerRules,
  request: DryRunRequest,
  config: Config,
): Promise<DryRunReport> {
  const repos = bindRepos(trx, deps.store.dialect);
  const now = deps.clock();
  const stamp = eventStamper();
  // Replayed events first: they are older, and ids must follow the order events are applied in.
  const replayed = request.last
    ? await lastEventInputs(repos.events, request.last.channel, request.last.count, now, stamp)
    : [];
  const inputs = [...replayed, ...standardEventInputs(request.events ?? [], config, now, stamp)];
  // The worker waits on these rows while the dry run holds them.
  if (request.last)
    await repos.alerts.setChannelAside(request.last.channel, [
      ...new Set(replayed.map((input) => input.event.alert_key)),
    ]);
  const results: DryRunEventResult[] = [];
  for (const [index, input] of inputs.entries()) {
    // No timers list: a dry run schedules nothing.
    const processed = await processEvent(
      { trx, dialect: deps.store.dialect, repos, now: input.event.received_at, newId },
      rules,
      input.event,
    );
    // Without the batch's stored ids every event is applied.
    if (!processed) continue;
    results.push(resultOf(index, input, processed));
  }
  return { events: results, summary: await summariseDryRun(repos.incidents, results) };
}

/**
 * Runs events through the worker's real pipeline (processEvent, on the real store, with the silences made through
 * the API) inside one transaction that is rolled back: no event, alert or incident is kept, nothing is queued and
 * nothing is notified. `body` is `{config?, events?, last?}` (see DryRunRequest); bad input is InvalidParameter.
 */
export async function runDryRun(deps: DryRunDeps, body: unknown): Promise<DryRunReport> {
  const request = parseDryRunRequest(body);
  const config =
    request.config === undefined ? deps.config : applyConfigFragment(deps.config, request.config, deps.fragment);
  if (request.last && !config.channels.some((channel) => channel.id === request.last?.channel)) {
    throw invalidParameter(`last.channel: no channel ${JSON.stringify(request.last.channel)}`);
  }
  // Read once, inside the transaction: the stored silences as they are now.
  const rules = rulesFromConfig(config, new StoredSilences({ refreshMs: Infinity }));
  return inRolledBackTransaction(deps.store, (trx) => applyInputs(trx, deps, rules, request, config));
}
