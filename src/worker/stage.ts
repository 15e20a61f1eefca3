import type { Kysely } from 'kysely';
import type { Channel, Config, Integration } from '../config/types.js';
import type { EventTimeBounds } from '../events/event-time.js';
import type { QueuedEvent } from '../events/types.js';
import type { IncidentWriteContext } from '../incidents/lifecycle.js';
import type { MergeDecision } from '../rules/dedup.js';
import type { StoredSilences } from '../silences/cache.js';
import type { AlertIdentity, AlertRow, ClaimedKey } from '../store/alerts-repo.js';
import type { Dialect } from '../store/dialect.js';
import { outboxOf, type Outbox, type OutboxEntry } from '../notify/outbox.js';
import type { Database } from '../store/tables.js';
import type { EventOutcome, TraceStep } from './trace.js';
import { heartbeatIntegration } from '../heartbeats/schedule.js';

/** The configuration the worker applies, looked up by id. */
export interface WorkerRules {
  integrations: ReadonlyMap<string, Integration>;
  channels: ReadonlyMap<string, Channel>;
  /** Silences made through the API, merged with each channel's configured ones; absent: configured ones only. */
  storedSilences?: StoredSilences;
  /** Bounds of a plausible event_time; absent: the defaults. */
  eventTime?: EventTimeBounds;
  /** Where changes are delivered (outbound webhooks); absent: nowhere. */
  outbox?: Outbox;
}

/**
 * The rules a configuration compiles to; `storedSilences` adds the silences made through the API, `publicUrl`
 * (PUBLIC_URL) is where the links of outbound webhooks point. Each heartbeat brings an integration of its own
 * (`heartbeat:<id>`), dedicated to its channel, that its alert events come from.
 */
export function rulesFromConfig(config: Config, storedSilences?: StoredSilences, publicUrl?: string): WorkerRules {
  const integrations = [...config.integrations, ...(config.heartbeats ?? []).map(heartbeatIntegration)];
  return {
    integrations: new Map(integrations.map((integration) => [integration.id, integration])),
    channels: new Map(config.channels.map((channel) => [channel.id, channel])),
    ...(storedSilences && { storedSilences }),
    ...(config.eventTime && { eventTime: config.eventTime }),
    ...(config.webhooks.length > 0 && { outbox: outboxOf(config, publicUrl ?? 'http://localhost:8080') }),
  };
}

/** What every stage may touch: the event's transaction and its repositories, the time, new ids, collected timers. */
export interface StageContext extends IncidentWriteContext {
  /** The transaction the repositories are bound to (the silence cache reads through it). */
  trx: Kysely<Database>;
  dialect: Dialect;
  /** Ids of the events the batch's transaction already holds; absent: none (a dry run). */
  stored?: Set<string>;
  /** Deliveries written by the transaction, enqueued once it has committed; absent: none are written (a dry run). */
  deliveries?: OutboxEntry[];
}

/** An event on its way through the stages before routing: as enrichment and the pipeline rules leave it. */
export interface EventState {
  readonly rules: WorkerRules;
  /** The event as it came off the queue. */
  readonly received: QueuedEvent;
  /** The event as the stages have changed it so far. */
  event: QueuedEvent;
  /** Set by the integration stage: the integration the event was pushed to. */
  integration?: Integration;
  /** Set by the event-time stage: when the event happened (its bounded event_time, else its receive time). */
  at?: number;
  /** Set by the route stage: where the event goes next. */
  channels: Channel[];
  readonly trace: TraceStep[];
}

/** An event in one of the channels it was routed to. */
export interface ChannelState {
  readonly rules: WorkerRules;
  readonly channel: Channel;
  readonly event: QueuedEvent;
  /** When the event happened: an alert's start and end times. */
  readonly at: number;
  readonly identity: AlertIdentity;
  /** Every channel the event was routed to. */
  readonly routedTo: ReadonlySet<string>;
  /** Set by the order stage: the key's order and flapping state. */
  key?: ClaimedKey;
  /** Set by the dedup stage: the open alert of the key (if any) and what the event does to it. */
  open?: AlertRow;
  /**
   * Set by the dedup stage when the key's open alert lives in another channel (the integration was moved or routes
   * elsewhere now): that channel (this one when it is no longer configured), whose settings its incident follows.
   */
  home?: Channel;
  decision?: MergeDecision;
  /** Set by the silence, inhibit or flapping stage: a new alert kept but muted, never placed into an incident. */
  mute?: { reason: string; outcome: 'silenced' | 'inhibited' };
  /** The alert written (new or updated) and what the event did. */
  alert?: AlertRow;
  outcome: EventOutcome;
  /** Shared with the event: every channel adds to one trace. */
  readonly trace: TraceStep[];
}

/** `already_stored`: the idempotency stage found the event applied before (a redelivered job); nothing is written. */
export type StageOutcome = EventOutcome | 'already_stored';

/** What a stage decided: go on (with what it traced, if anything), or stop with an outcome and its trace step. */
export type StageVerdict =
  | { kind: 'continue'; trace?: TraceStep | readonly TraceStep[] }
  | { kind: 'stop'; outcome: StageOutcome; trace: TraceStep };

/** One step of the worker's pipeline. It calls pure rules and its own repository; the runner records its trace. */
export interface Stage<State> {
  readonly name: string;
  run(context: StageContext, state: State): Promise<StageVerdict> | StageVerdict;
}

/** Go on, nothing to trace (one shared object: most stages decide nothing for most events). */
export const proceed: StageVerdict = Object.freeze({ kind: 'continue' });

export function proceedWith(trace: TraceStep | readonly TraceStep[]): StageVerdict {
  return { kind: 'continue', trace };
}

export function stop(outcome: StageOutcome, trace: TraceStep): StageVerdict {
  return { kind: 'stop', outcome, trace };
}

/** Runs stages in order, recording each one's trace; the verdict of the stage that stopped, if one did. */
export async function runStages<State extends { readonly trace: TraceStep[] }>(
  stages: ReadonlyArray<Stage<State>>,
  context: StageContext,
  state: State,
): Promise<Extract<StageVerdict, { kind: 'stop' }> | undefined> {
  for (const stage of stages) {
    const verdict = await stage.run(context, state);
    const trace = verdict.trace;
    if (trace !== undefined) {
      if (Array.isArray(trace)) state.trace.push(...(trace as readonly TraceStep[]));
      else state.trace.push(trace as TraceStep);
    }
    if (verdict.kind === 'stop') return verdict;
  }
  return undefined;
}
