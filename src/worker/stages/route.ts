import type { Channel } from '../../config/types.js';
import { subjectOf } from '../../rules/filter.js';
import { routeEvent } from '../../rules/routing.js';
import { proceedWith, stop, type EventState, type Stage } from '../stage.js';

/** Dedicated integration: its channel. Shared: the routing table's decision, possibly several channels. */
export const route: Stage<EventState> = {
  name: 'route',
  run(_context, state) {
    const { rules, integration, event } = state;
    if (!integration) return stop('rejected', { step: 'route', result: 'rejected', reason: 'no integration' });
    if (integration.channelId !== null) {
      const channel = rules.channels.get(integration.channelId);
      if (!channel)
        return stop('rejected', {
          step: 'route',
          result: 'rejected',
          reason: `channel ${integration.channelId} is not configured`,
        });
      state.channels = [channel];
      return proceedWith({ step: 'route', result: 'channel', channel_id: channel.id, reason: 'dedicated integration' });
    }
    const decision = integration.routing
      ? routeEvent(integration.routing, subjectOf(event), new Set(rules.channels.keys()))
      : { rejected: 'no routes', matched: [] };
    if ('rejected' in decision)
      return stop('rejected', {
        step: 'route',
        result: 'rejected',
        reason: decision.rejected,
        matched_cases: decision.matched.join(','),
      });
    const traced = {
      step: 'route' as const,
      result: 'channels',
      channels: decision.channels.join(','),
      matched_cases: decision.matched.join(','),
      default_route: decision.usedDefault,
    };
    state.channels = decision.channels
      .map((id) => rules.channels.get(id))
      .filter((channel): channel is Channel => channel !== undefined);
    return state.channels.length > 0 ? proceedWith(traced) : stop('rejected', traced);
  },
};
