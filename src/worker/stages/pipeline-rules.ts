import { applyPipeline } from '../../rules/pipeline.js';
import { proceed, proceedWith, stop, type EventState, type Stage } from '../stage.js';
import { inhibitionCandidates } from './inhibit.js';

/** The integration's pipeline rules (not for Ok events): rewrite the event, drop it, or inhibit it by an active alert. */
export const pipelineRules: Stage<EventState> = {
  name: 'pipeline-rules',
  async run(context, state) {
    const integration = state.integration;
    if (!integration || integration.pipeline.length === 0 || state.event.event_status === 'Ok') return proceed;
    const needsSources = integration.pipeline.some((rule) => rule.rule.action === 'inhibit');
    const sources =
      needsSources && integration.channelId
        ? await inhibitionCandidates(context, integration.channelId, integration.id)
        : [];
    const outcome = applyPipeline(integration.pipeline, state.event, {
      now: context.now,
      sources,
      integrationName: integration.name,
    });
    if (outcome.kind === 'drop' || outcome.kind === 'inhibit') {
      // A stopped event is stored as it was received.
      state.event = state.received;
      if (outcome.kind === 'drop')
        return stop('dropped', { step: 'pipeline', result: 'dropped', rule_id: outcome.rule_id });
      return stop('inhibited', {
        step: 'pipeline',
        result: 'inhibited',
        rule_id: outcome.rule_id,
        source_alert_id: outcome.source.alert_id ?? null,
      });
    }
    state.event = outcome.event;
    return outcome.applied.length > 0
      ? proceedWith({ step: 'pipeline', result: 'rewritten', rule_ids: outcome.applied.join(',') })
      : proceed;
  },
};
