import { proceed, type ChannelState, type Stage } from '../stage.js';

/** Where outbound notifications of an alert's changes are sent from; none are configured yet. */
export const notify: Stage<ChannelState> = {
  name: 'notify',
  run() {
    return proceed;
  },
};
