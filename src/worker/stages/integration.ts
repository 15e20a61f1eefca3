import { proceed, stop, type EventState, type Stage } from '../stage.js';

/** The integration the event was pushed to; a reload may have removed it since. */
export const integration: Stage<EventState> = {
  name: 'integration',
  run(_context, state) {
    state.integration = state.rules.integrations.get(state.received.integration_id);
    if (state.integration) return proceed;
    return stop('rejected', {
      step: 'route',
      result: 'rejected',
      reason: `integration ${state.received.integration_id} is no longer configured`,
    });
  },
};
