import type { EventOutcome } from '../trace.js';
import { mergeEventIntoAlert, type MergeDecision, type OpenAlert } from '../../rules/dedup.js';
import type { AlertRow } from '../../store/alerts-repo.js';
import { proceed, proceedWith, stop, type ChannelState, type Stage, type StageContext } from '../stage.js';
import type { TraceStep } from '../trace.js';

const outcomeOf: Record<Exclude<MergeDecision['kind'], 'open' | 'ignored_ok'>, EventOutcome> = {
  merged: 'merged',
  recovered: 'recovered',
  labels_updated: 'labels_updated',
  duplicate: 'duplicate',
};

function toOpenAlert(row: AlertRow): OpenAlert {
  return {
    alert_id: row.alert_id,
    title: row.title,
    title_rule: row.title_rule,
    description: row.description,
    images: row.images,
    alert_status: row.alert_status,
    alert_severity: row.alert_severity,
    labels: JSON.parse(row.labels) as Record<string, string>,
    last_event_hash: row.last_event_hash,
    last_event_core_hash: row.last_event_core_hash,
    event_cnt: row.event_cnt,
    start_time: row.start_time,
  };
}

/** Applies a merge, duplicate or recovery to the open alert; the alert as written and its trace step. */
async function updateOpenAlert(
  context: StageContext,
  decision: Exclude<MergeDecision, { kind: 'open' | 'ignored_ok' }>,
  open: AlertRow,
  state: ChannelState,
): Promise<{ alert: AlertRow; trace: TraceStep }> {
  const event = state.event;
  if (decision.kind === 'duplicate') {
    // Discarded, but the alert is still firing: last_time says when it was last heard of.
    const lastTime = Math.max(event.received_at, open.start_time);
    await context.repos.alerts.updateAlert(open.alert_id, { last_time: lastTime, updated_at: context.now });
    return {
      alert: { ...open, last_time: lastTime },
      trace: {
        step: 'merge',
        result: 'duplicate',
        alert_id: open.alert_id,
        reason: "identical to the alert's last event",
      },
    };
  }
  let changes: Partial<AlertRow>;
  let trace: TraceStep;
  if (decision.kind === 'labels_updated') {
    changes = {
      labels: JSON.stringify(decision.labels),
      last_event_hash: decision.last_event_hash,
      last_time: Math.max(event.received_at, open.start_time),
    };
    trace = {
      step: 'merge',
      result: 'labels_updated',
      alert_id: open.alert_id,
      reason: 'same status, title and description: only the labels were taken',
    };
  } else {
    const { labels, ...fields } = decision.changes;
    changes = { ...fields, labels: JSON.stringify(labels), ...(decision.kind === 'recovered' && { is_open: null }) };
    trace = { step: 'merge', result: decision.kind, alert_id: open.alert_id, status: event.event_status };
  }
  await context.repos.alerts.updateAlert(open.alert_id, { ...changes, updated_at: context.now });
  return { alert: { ...open, ...changes }, trace };
}

/**
 * The key's open alert: in this channel, else in the channel it opened in when the integration has been moved or
 * routes elsewhere since (an open alert stays where it is until it closes; the key's next alert opens here). One
 * query finds both: the open alerts of the integration's key in every channel.
 */
async function findOpenAlert(context: StageContext, state: ChannelState): Promise<AlertRow | undefined> {
  const { identity } = state;
  const candidates = await context.repos.alerts.openAlertsOfKey(identity.integration_id, identity.alert_key);
  let open: AlertRow | undefined =
    candidates.find((row) => row.channel_id === identity.channel_id) ??
    candidates
      .filter((row) => !state.routedTo.has(row.channel_id))
      .sort((a, b) => b.alert_id.localeCompare(a.alert_id))[0];
  if (open?.incident_id && context.dialect === 'postgres') {
    // Lock the incident first, then read the alert again: a concurrent close may have just closed it.
    await context.repos.incidents.lockIncident(open.incident_id);
    open = await context.repos.alerts.findOpenAlert({ ...identity, channel_id: open.channel_id });
  }
  return open;
}

/**
 * De-duplication: what the event does to the open alert of its key (rules/dedup.ts). An existing alert is updated
 * here; a new one is only decided, and written by the group stage once its mutes are known.
 */
export const dedup: Stage<ChannelState> = {
  name: 'dedup',
  async run(context, state) {
    const open = await findOpenAlert(context, state);
    const decision = mergeEventIntoAlert(open && toOpenAlert(open), state.event, state.at);
    state.decision = decision;
    if (decision.kind === 'ignored_ok')
      return stop('ignored', { step: 'merge', result: 'ignored', reason: 'Ok for an alert key with no open alert' });
    if (decision.kind === 'open' || !open) return proceed;
    const updated = await updateOpenAlert(context, decision, open, state);
    state.open = open;
    state.alert = updated.alert;
    state.outcome = outcomeOf[decision.kind];
    if (open.channel_id !== state.channel.id) {
      state.home = state.rules.channels.get(open.channel_id) ?? state.channel;
      updated.trace.channel_id = open.channel_id;
      updated.trace.located = `opened in channel ${open.channel_id} before the integration routed to ${state.channel.id}; it stays there until it closes`;
    }
    return proceedWith(updated.trace);
  },
};
