import { proceed, proceedWith, type ChannelState, type Stage } from '../stage.js';

/** alert-then-silence: while its key is flapping, a new alert is kept muted until the mute ends. */
export const flapping: Stage<ChannelState> = {
  name: 'flapping',
  run(context, state) {
    const mutedUntil = state.key?.state.muted_until ?? null;
    if (state.decision?.kind !== 'open' || state.mute || mutedUntil === null || mutedUntil <= context.now)
      return proceed;
    state.mute = { reason: 'flapping', outcome: 'silenced' };
    return proceedWith({
      step: 'flapping',
      result: 'silenced',
      reason: 'alert-then-silence: the key is flapping',
      muted_until: mutedUntil,
    });
  },
};
