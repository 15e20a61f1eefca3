import type { QueuedEvent } from '../events/types.js';
import type { AlertRow } from '../store/alerts-repo.js';
import {
  runStages,
  type ChannelState,
  type EventState,
  type Stage,
  type StageContext,
  type WorkerRules,
} from './stage.js';
import { dedup } from './stages/dedup.js';
import { drop } from './stages/drop.js';
import { enrich } from './stages/enrich.js';
import { eventTime } from './stages/event-time.js';
import { flapping } from './stages/flapping.js';
import { group } from './stages/group.js';
import { idempotency } from './stages/idempotency.js';
import { inhibit } from './stages/inhibit.js';
import { integration } from './stages/integration.js';
import { notify } from './stages/notify.js';
import { order } from './stages/order.js';
import { pipelineRules } from './stages/pipeline-rules.js';
import { route } from './stages/route.js';
import { silence } from './stages/silence.js';
import { statusChange } from './stages/status-change.js';
import type { EventOutcome, TraceStep } from './trace.js';

/**
 * What happens to an event (contract §5), first once per event: applied already? → when it happened → its
 * integration → enrichment (labels) → the integration's pipeline rules (rewrite, drop, inhibit; not for Ok) →
 * routing to one or more channels.
 */
export const eventStages: ReadonlyArray<Stage<EventState>> = [
  idempotency,
  eventTime,
  integration,
  enrich,
  pipelineRules,
  route,
];

/**
 * Then in each channel it was routed to: drop rules → order (late events stop) → de-duplication into the key's open
 * alert → a new alert's mutes in Flashduty's order: silence, inhibition, flapping → grouping into an incident (storm
 * thresholds on joining; an updated alert refreshes its incident) → the key's status changes (flapping) → notify.
 * Any stage may stop the event in this channel; a muted new alert goes on, kept without an incident.
 */
export const channelStages: ReadonlyArray<Stage<ChannelState>> = [
  drop,
  order,
  dedup,
  silence,
  inhibit,
  flapping,
  group,
  statusChange,
  notify,
];

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

/**
 * Runs one event through the pipeline inside the batch's transaction; undefined when the transaction already holds
 * it (nothing to do). An event routed to several channels opens one alert in each; the event row links to the first
 * channel's, and the trace names every one.
 */
export async function processEvent(
  context: StageContext,
  rules: WorkerRules,
  received: QueuedEvent,
): Promise<ProcessedEvent | undefined> {
  const state: EventState = { rules, received, event: received, channels: [], trace: [] };
  const stopped = await runStages(eventStages, context, state);
  if (stopped) {
    if (stopped.outcome === 'already_stored') return undefined;
    return {
      outcome: stopped.outcome,
      trace: state.trace,
      event: state.event,
      channelId: null,
      alertId: null,
      incidentId: null,
    };
  }
  const event = state.event;
  let first: { channelId: string; outcome: EventOutcome; alert: AlertRow | undefined } | undefined;
  const routedTo = new Set(state.channels.map((channel) => channel.id));
  for (const channel of state.channels) {
    const inChannel: ChannelState = {
      rules,
      channel,
      event,
      at: state.at ?? event.received_at,
      identity: { integration_id: event.integration_id, channel_id: channel.id, alert_key: event.alert_key },
      routedTo,
      outcome: 'rejected',
      trace: state.trace,
    };
    const halted = await runStages(channelStages, context, inChannel);
    // Only event stages know `already_stored`.
    const outcome = halted ? (halted.outcome as EventOutcome) : inChannel.outcome;
    first ??= { channelId: channel.id, outcome, alert: halted ? undefined : inChannel.alert };
  }
  return {
    outcome: first?.outcome ?? 'rejected',
    trace: state.trace,
    event,
    channelId: first?.channelId ?? null,
    alertId: first?.alert?.alert_id ?? null,
    incidentId: first?.alert?.incident_id ?? null,
  };
}
