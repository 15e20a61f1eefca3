import { boundEventTime, defaultEventTimeBounds } from '../../events/event-time.js';
import { proceed, proceedWith, type EventState, type Stage } from '../stage.js';

/**
 * When the event happened, as its alert's start and end times record it: the source's event_time within the
 * configured bounds of its receive time, else the receive time (traced with the reason).
 */
export const eventTime: Stage<EventState> = {
  name: 'event-time',
  run(_context, state) {
    const { event_time, received_at } = state.event;
    const bounded = boundEventTime(event_time, received_at, state.rules.eventTime ?? defaultEventTimeBounds);
    state.at = bounded.at;
    if (bounded.source === 'event_time') return proceed;
    return proceedWith({ step: 'time', result: 'received_at', event_time, reason: bounded.reason });
  },
};
