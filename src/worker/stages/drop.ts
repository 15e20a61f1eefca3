import { matchingDropRule } from '../../rules/drop.js';
import { subjectOf } from '../../rules/filter.js';
import { proceed, stop, type ChannelState, type Stage } from '../stage.js';

/** The channel's drop rules discard matching events before they touch an alert. */
export const drop: Stage<ChannelState> = {
  name: 'drop',
  run(_context, state) {
    const dropped = matchingDropRule(state.channel.rules.drop, subjectOf(state.event));
    return dropped
      ? stop('dropped', { step: 'drop', result: 'dropped', rule_id: dropped.id, channel_id: state.channel.id })
      : proceed;
  },
};
