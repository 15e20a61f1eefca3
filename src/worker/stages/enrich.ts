import { applyEnrichment } from '../../rules/enrich.js';
import { proceed, proceedWith, type EventState, type Stage } from '../stage.js';

/** The integration's enrichment rules set labels on every event. */
export const enrich: Stage<EventState> = {
  name: 'enrich',
  run(_context, state) {
    const rules = state.integration?.enrich ?? [];
    if (rules.length === 0) return proceed;
    const enriched = applyEnrichment(rules, state.event);
    state.event = enriched.event;
    return enriched.applied.length > 0
      ? proceedWith({ step: 'enrich', result: 'labels_set', rule_ids: enriched.applied.join(',') })
      : proceed;
  },
};
