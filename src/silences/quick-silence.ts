import type { QuickSilence } from '../generated/api.js';
import type { Channel } from '../config/types.js';
import { AppError, invalidParameter, notFound, problemsParameter } from '../errors.js';
import { compileSilences, quickSilence } from '../rules/silence.js';
import { RuleValidationError } from '../rules/rule-error.js';
import type { SilenceRule } from '../rules/types.js';
import { parseInstant } from '../rules/zoned-time.js';
import { signalSilencesChanged } from './change-signal.js';
import {
  channelOf,
  draftSilence,
  forgetOldSilences,
  storedView,
  type SilenceDeps,
  type SilenceView,
} from './service.js';
import {
  alertToSilence,
  getSilence,
  openAlertsOfChannel,
  upsertSilence,
  type StoredSilence,
} from '../store/silences-repo.js';

/** What a quick silence may change: duration (default `1d`), mode, name, comment and who asked for it. */
export type QuickSilenceOptions = QuickSilence;

/** An open alert a silence would match, as a preview lists it. */
export interface MatchedAlert {
  alert_id: string;
  alert_key: string;
  integration_id: string;
  title: string;
  severity: string;
  labels: Record<string, string>;
}

/** A silence not saved, with the open alerts of its channel it would match now. */
export interface SilencePreview {
  preview: true;
  silence: SilenceView;
  /** How many open alerts match (of the newest `previewScanLimit`); `items` lists the first `previewListLimit`. */
  matching_alerts: { count: number; items: MatchedAlert[] };
}

const previewScanLimit = 5000;
const previewListLimit = 100;

/** Label names the channel groups by: they say which alert it is as much as its rule's name does. */
function groupingLabelNames(channel: Channel): string[] {
  const grouping = channel.rules.grouping;
  if (!grouping) return [];
  const keys = [...grouping.equals, ...grouping.cases.flatMap((item) => item.equals)].flat();
  return keys.filter((key) => key.startsWith('labels.')).map((key) => key.slice('labels.'.length));
}

/** The open alerts of the silence's channel that its conditions match (its window aside). */
export async function previewSilence(deps: SilenceDeps, silence: StoredSilence): Promise<SilencePreview> {
  const [compiled] = compileSilences([silence.rule]);
  const open = await openAlertsOfChannel(deps.store.db, silence.channel_id, previewScanLimit);
  const matched = open.filter((alert) =>
    compiled.matches({
      title: alert.title,
      description: alert.description ?? undefined,
      severity: alert.alert_severity,
      labels: alert.labels,
      integration_id: alert.integration_id,
    }),
  );
  return {
    preview: true,
    silence: storedView(silence, deps.clock()),
    matching_alerts: {
      count: matched.length,
      items: matched.slice(0, previewListLimit).map((alert) => ({
        alert_id: alert.alert_id,
        alert_key: alert.alert_key,
        integration_id: alert.integration_id,
        title: alert.title,
        severity: alert.alert_severity,
        labels: alert.labels,
      })),
    },
  };
}

/** A silence body checked and matched against the channel's open alerts, nothing saved. */
export async function previewNewSilence(
  deps: SilenceDeps,
  channelId: string,
  body: unknown,
  actor?: string,
): Promise<SilencePreview> {
  return previewSilence(deps, draftSilence(deps, channelOf(deps, channelId), body, actor));
}

function buildRule(
  alert: NonNullable<Awaited<ReturnType<typeof alertToSilence>>>,
  channel: Channel,
  now: number,
  options: QuickSilenceOptions,
): SilenceRule {
  try {
    return quickSilence({
      id: `quick-${alert.alert_id}`,
      alert: {
        integration_id: alert.integration_id,
        title: alert.title,
        labels: alert.labels,
        short_id: alert.alert_id,
      },
      groupingLabels: groupingLabelNames(channel),
      now,
      duration: options.duration,
      mode: options.mode,
      name: options.name,
    });
  } catch (error) {
    if (error instanceof RuleValidationError) throw problemsParameter(error.list, 'body');
    throw error;
  }
}

/**
 * Silences alerts like this one (same integration, same identifying labels) in its channel for `duration`
 * (default 1 day). The rule's id comes from the alert, so asking again for the same alert renews the same rule.
 * With `dry_run`, answers the silence and the open alerts it would match, and saves nothing.
 */
export async function quickSilenceAlert(
  deps: SilenceDeps,
  alertId: string,
  options: QuickSilenceOptions,
): Promise<{ silence: SilenceView; created: boolean } | SilencePreview> {
  const alert = await alertToSilence(deps.store.db, alertId);
  if (!alert) throw notFound('alert', alertId);
  const channel = deps.config().channels.find((candidate) => candidate.id === alert.channel_id);
  if (!channel)
    throw new AppError('Conflict', `channel ${alert.channel_id} of alert ${alertId} is no longer configured`);
  const now = deps.clock();
  const rule = buildRule(alert, channel, now, options);
  const existing = await getSilence(deps.store.db, channel.id, rule.id);
  const silence: StoredSilence = {
    channel_id: channel.id,
    id: rule.id,
    rule,
    comment: options.comment ?? existing?.comment ?? null,
    created_at: existing?.created_at ?? now,
    created_by: existing?.created_by ?? options.actor ?? null,
    starts_at: now,
    expires_at: parseInstant(rule.one_off?.end ?? '') ?? null,
  };
  if (options.dry_run) return previewSilence(deps, silence);
  await forgetOldSilences(deps, now);
  await upsertSilence(deps.store.db, silence);
  signalSilencesChanged();
  return { silence: storedView(silence, now), created: !existing };
}
