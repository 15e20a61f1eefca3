import { changesOfTimeline, recordChanges, type Change } from '../../notify/outbox.js';
import type { WebhookEventType } from '../../notify/webhook-body.js';
import type { TimelineEntry } from '../../store/incidents-repo.js';
import { proceed, proceedWith, type ChannelState, type Stage, type StageContext } from '../stage.js';

/** The alert-level change an event made, if any: a new (unmuted) alert, an update, or its recovery. */
function alertEventType(state: ChannelState): WebhookEventType | undefined {
  if (!state.alert || state.mute) return undefined;
  switch (state.decision?.kind) {
    case 'open':
      return 'a_new';
    case 'merged':
    case 'labels_updated':
      return 'a_update';
    case 'recovered':
      return 'a_close';
    default:
      return undefined;
  }
}

/**
 * Whether an incident's storm notice stands from before this event: then the alert-level changes of this event are
 * what the notice already told (merged beyond the storm notice), and are not sent. The event that raised it is.
 */
async function quietedByStorm(
  context: StageContext,
  entries: readonly TimelineEntry[],
  incidentId: string | null | undefined,
): Promise<boolean> {
  if (!incidentId || entries.some((entry) => entry.type === 'i_storm' && entry.incident_id === incidentId))
    return false;
  return (await context.repos.incidents.currentIncident(incidentId))?.storm_raised != null;
}

/**
 * The outbox: every change the event made in this channel (the incident timeline entries the stages wrote, and the
 * alert's own change) becomes one delivery per receiver that takes it, written in the event's transaction and
 * enqueued once it commits. Muted, dropped and duplicate events wrote no change, so they are never delivered.
 */
export const notify: Stage<ChannelState> = {
  name: 'notify',
  async run(context, state) {
    const entries = context.repos.incidents.takeWritten();
    const outbox = state.rules.outbox;
    if (!outbox || !context.deliveries) return proceed;
    const changeId = (suffix: string): string => `${state.event.event_id}.${state.channel.id}.${suffix}`;
    const changes: Change[] = [];
    const alertChange = alertEventType(state);
    const incidentId = state.alert?.incident_id;
    const wanted = (type: WebhookEventType) => outbox.receiversOf(type, state.channel.id) !== undefined;
    const storming =
      (alertChange !== undefined && wanted(alertChange)) || wanted('a_merge')
        ? await quietedByStorm(context, entries, incidentId)
        : false;
    if (alertChange && wanted(alertChange) && !storming)
      changes.push({
        change_id: changeId('a'),
        event_type: alertChange,
        channel_id: state.channel.id,
        alert_id: state.alert?.alert_id as string,
        ...(incidentId && { incident_id: incidentId }),
      });
    changes.push(
      ...changesOfTimeline(
        entries,
        state.channel.id,
        (index) => changeId(String(index)),
        () => storming,
        wanted,
      ),
    );
    if (changes.length === 0) return proceed;
    // One outbox row per change, written with the batch's events; the notifier makes them deliveries.
    const written = await recordChanges(context.repos, outbox, changes, context.now, true);
    context.deliveries.push(...written);
    const deliveries = written.reduce((count, entry) => count + entry.receivers.length, 0);
    return proceedWith({ step: 'notify', result: 'deliveries_written', deliveries });
  },
};
