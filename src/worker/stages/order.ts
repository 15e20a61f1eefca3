import { proceed, stop, type ChannelState, type Stage } from '../stage.js';

/** Events of one alert apply in event-id order: one older than the key's latest applied event is late. */
export const order: Stage<ChannelState> = {
  name: 'order',
  async run(context, state) {
    const key = await context.repos.alerts.claimAlertKey(state.identity, state.event.event_id);
    state.key = key;
    if (!key.late) return proceed;
    return stop('late', {
      step: 'order',
      result: 'late',
      reason: 'a later event of this alert was already applied',
      later_event_id: key.previousEventId,
    });
  },
};
