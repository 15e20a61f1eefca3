import { subjectOf } from '../../rules/filter.js';
import { activeSilence } from '../../rules/silence.js';
import { proceed, proceedWith, stop, type ChannelState, type Stage } from '../stage.js';

/** A new alert matching an active silence (configured, or made through the API) is kept muted, or dropped. */
export const silence: Stage<ChannelState> = {
  name: 'silence',
  async run(context, state) {
    if (state.decision?.kind !== 'open') return proceed;
    const stored = state.rules.storedSilences;
    const channel = stored ? await stored.channelWithSilences(context.trx, state.channel, context.now) : state.channel;
    const found = activeSilence(channel.rules.silences, subjectOf(state.event), context.now);
    if (!found) return proceed;
    if (found.mode === 'drop') return stop('silenced', { step: 'silence', result: 'dropped', rule_id: found.id });
    state.mute = { reason: `silenced:${found.id}`, outcome: 'silenced' };
    return proceedWith({ step: 'silence', result: 'silenced', rule_id: found.id });
  },
};
