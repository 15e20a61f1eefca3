import type { Channel, Integration } from '../config/types.js';
import type { QueuedEvent } from '../events/types.js';
import { applyEnrichment } from '../rules/enrich.js';
import { subjectOf } from '../rules/filter.js';
import { applyPipeline } from '../rules/pipeline.js';
import { routeEvent } from '../rules/routing.js';
import { processInChannel, type ChannelResult } from './channel-event.js';
import type { GroupingStage, StageContext } from './grouping.js';
import { inhibitionCandidates } from './mute.js';
import type { StoredSilences } from './silence-cache.js';
import type { EventOutcome, TraceStep } from './trace.js';

/** The configuration the worker applies, looked up by id. */
export interface WorkerRules {
  integrations: ReadonlyMap<string, Integration>;
  channels: ReadonlyMap<string, Channel>;
  grouping: GroupingStage;
  /** Silences made through the API, merged with each channel's configured ones; absent: configured ones only. */
  storedSilences?: StoredSilences;
}

/** The result of one event: what it did, why, and which alert and incident it touched. */
export interface ProcessedEvent {
  outcome: EventOutcome;
  trace: TraceStep[];
  /** The event as applied (enrichment and pipeline may have changed it). */
  event: QueuedEvent;
  channelId: string | null;
  alertId: string | null;
  incidentId: string | null;
}

/** Enrichment (every event) then the pipeline (not Ok events): a changed event, or the rule that stopped it. */
async function applyIntegrationRules(context: StageContext, integration: Integration, event: QueuedEvent, trace: TraceStep[]): Promise<QueuedEvent | { stopped: EventOutcome }> {
  let current = event;
  if (integration.enrich.length > 0) {
    const enriched = applyEnrichment(integration.enrich, current);
    current = enriched.event;
    if (enriched.applied.length > 0) trace.push({ step: 'enrich', result: 'labels_set', rule_ids: enriched.applied.join(',') });
  }
  if (integration.pipeline.length === 0 || current.event_status === 'Ok') return current;
  const needsSources = integration.pipeline.some((rule) => rule.rule.action === 'inhibit');
  const sources = needsSources && integration.channelId ? await inhibitionCandidates(context, integration.channelId, integration.id) : [];
  const outcome = applyPipeline(integration.pipeline, current, { now: context.now, sources, integrationName: integration.name });
  if (outcome.kind === 'drop') {
    trace.push({ step: 'pipeline', result: 'dropped', rule_id: outcome.rule_id });
    return { stopped: 'dropped' };
  }
  if (outcome.kind === 'inhibit') {
    trace.push({ step: 'pipeline', result: 'inhibited', rule_id: outcome.rule_id, source_alert_id: outcome.source.alert_id ?? null });
    return { stopped: 'inhibited' };
  }
  if (outcome.applied.length > 0) trace.push({ step: 'pipeline', result: 'rewritten', rule_ids: outcome.applied.join(',') });
  return outcome.event;
}

/** Dedicated: the integration's channel. Shared: the routing table's decision. */
function routeChannels(rules: WorkerRules, integration: Integration, event: QueuedEvent, trace: TraceStep[]): Channel[] | undefined {
  if (integration.channelId !== null) {
    const channel = rules.channels.get(integration.channelId);
    trace.push(channel ? { step: 'route', result: 'channel', channel_id: channel.id, reason: 'dedicated integration' } : { step: 'route', result: 'rejected', reason: `channel ${integration.channelId} is not configured` });
    return channel ? [channel] : undefined;
  }
  const decision = integration.routing ? routeEvent(integration.routing, subjectOf(event), new Set(rules.channels.keys())) : { rejected: 'no routes', matched: [] };
  if ('rejected' in decision) {
    trace.push({ step: 'route', result: 'rejected', reason: decision.rejected, matched_cases: decision.matched.join(',') });
    return undefined;
  }
  trace.push({ step: 'route', result: 'channels', channels: decision.channels.join(','), matched_cases: decision.matched.join(','), default_route: decision.usedDefault });
  return decision.channels.map((id) => rules.channels.get(id)).filter((channel): channel is Channel => channel !== undefined);
}

/**
 * The worker's pipeline for one event inside the batch transaction: enrich → pipeline → route, then per channel
 * drop → order → merge → mute → incident → flapping. An event routed to several channels opens one alert in
 * each; the event row links to the first, and the trace names every one.
 */
export async function processEvent(context: StageContext, rules: WorkerRules, event: QueuedEvent): Promise<ProcessedEvent> {
  const trace: TraceStep[] = [];
  const done = (outcome: EventOutcome, applied: QueuedEvent, channelId: string | null, result?: ChannelResult): ProcessedEvent => ({
    outcome, trace, event: applied, channelId, alertId: result?.alert?.alert_id ?? null, incidentId: result?.alert?.incident_id ?? null,
  });
  const integration = rules.integrations.get(event.integration_id);
  if (!integration) {
    trace.push({ step: 'route', result: 'rejected', reason: `integration ${event.integration_id} is no longer configured` });
    return done('rejected', event, null);
  }
  const ruled = await applyIntegrationRules(context, integration, event, trace);
  if ('stopped' in ruled) return done(ruled.stopped, event, null);
  const channels = routeChannels(rules, integration, ruled, trace);
  if (!channels || channels.length === 0) return done('rejected', ruled, null);
  let first: { channel: Channel; result: ChannelResult } | undefined;
  for (const configured of channels) {
    const channel = rules.storedSilences ? await rules.storedSilences.channelWithSilences(context.trx, configured, context.now) : configured;
    const result = await processInChannel(context, ruled, channel, rules.grouping, trace);
    first ??= { channel, result };
  }
  return done(first?.result.outcome ?? 'rejected', ruled, first?.channel.id ?? null, first?.result);
}
