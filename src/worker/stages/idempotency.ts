import { proceed, stop, type EventState, type Stage } from '../stage.js';

/** An event the batch's transaction already holds (a job redelivered after a crash, or twice in one batch) changes nothing. */
export const idempotency: Stage<EventState> = {
  name: 'idempotency',
  run(context, state) {
    const stored = context.stored;
    if (!stored) return proceed;
    if (stored.has(state.received.event_id))
      return stop('already_stored', { step: 'idempotency', result: 'already_stored' });
    stored.add(state.received.event_id);
    return proceed;
  },
};
