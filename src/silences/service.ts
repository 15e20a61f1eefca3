import type { Channel, Config } from '../config/types.js';
import { ruleSchemaProblems } from '../config/rule-schema.js';
import { AppError, invalidParameter, notFound } from '../errors.js';
import { compileSilences, quickSilence, validateSilence, type CompiledSilence } from '../rules/silence.js';
import { RuleValidationError } from '../rules/rule-error.js';
import type { SilenceRule } from '../rules/types.js';
import { parseInstant } from '../rules/zoned-time.js';
import type { StoreDatabase } from '../store/database.js';
import { signalSilencesChanged } from './change-signal.js';
import {
  alertToSilence,
  deleteExpiredSilences,
  deleteSilence,
  getSilence,
  insertSilence,
  listSilences,
  updateSilence,
  upsertSilence,
  type StoredSilence,
} from '../store/silences-repo.js';

/** What the silence service needs: the store, the configuration in force and the clock. */
export interface SilenceDeps {
  store: StoreDatabase;
  config: () => Config;
  clock: () => number;
}

/** A silence as the API shows it: from alertgate.yaml (read-only) or made through the API. */
export interface SilenceView {
  id: string;
  channel_id: string;
  source: 'config' | 'api';
  rule: SilenceRule;
  /** In its window now. */
  active: boolean;
  created_at: number | null;
  created_by: string | null;
  expires_at: number | null;
}

/** What a quick silence may change: its duration (default `1d`), mode, name and who asked for it. */
export interface QuickSilenceOptions {
  duration?: string;
  mode?: 'mark' | 'drop';
  name?: string;
  actor?: string;
}

function channelOf(deps: SilenceDeps, channelId: string): Channel {
  const channel = deps.config().channels.find((candidate) => candidate.id === channelId);
  if (!channel) throw notFound('channel', channelId);
  return channel;
}

function configView(channel: Channel, silence: CompiledSilence, now: number): SilenceView {
  return {
    id: silence.rule.id,
    channel_id: channel.id,
    source: 'config',
    rule: silence.rule,
    active: silence.activeAt(now),
    created_at: null,
    created_by: null,
    expires_at: null,
  };
}

function storedView(silence: StoredSilence, now: number): SilenceView {
  let active = false;
  try {
    active = compileSilences([silence.rule])[0].activeAt(now);
  } catch {
    // Stored before a stricter check: listed (so it can be replaced or deleted), never active.
  }
  return { ...silence, source: 'api', active };
}

/**
 * A request body as a silence rule: the schema of alertgate.yaml's silences, then the rule's own checks (time
 * windows, filters). Throws InvalidParameter naming every field at fault.
 */
export function parseSilenceRule(body: unknown): SilenceRule {
  const schemaProblems = ruleSchemaProblems('silence', body, 'body');
  const problems =
    schemaProblems.length > 0
      ? schemaProblems
      : validateSilence(body as SilenceRule, 'body').map((problem) => problem.replace(/^body\./, ''));
  if (problems.length > 0) throw invalidParameter(problems.join('; '));
  return body as SilenceRule;
}

/** Quick silences whose window has ended go lazily, whenever silences are read or made through the API. */
async function deleteExpired(deps: SilenceDeps, now: number): Promise<void> {
  if ((await deleteExpiredSilences(deps.store.db, now)) > 0) signalSilencesChanged();
}

function refuseConfigSilence(channel: Channel, id: string): void {
  if (channel.rules.silences.some((silence) => silence.rule.id === id)) {
    throw new AppError(
      'Conflict',
      `silence ${id} of channel ${channel.id} comes from the configuration file and is read-only there`,
    );
  }
}

/** The silences of a channel: configured ones first, then those made through the API (expired quick ones are deleted). */
export async function listChannelSilences(deps: SilenceDeps, channelId: string): Promise<SilenceView[]> {
  const channel = channelOf(deps, channelId);
  const now = deps.clock();
  await deleteExpired(deps, now);
  const stored = await listSilences(deps.store.db, channel.id);
  return [
    ...channel.rules.silences.map((silence) => configView(channel, silence, now)),
    ...stored.map((silence) => storedView(silence, now)),
  ];
}

/** One silence of a channel, configured or made through the API. */
export async function getChannelSilence(deps: SilenceDeps, channelId: string, id: string): Promise<SilenceView> {
  const channel = channelOf(deps, channelId);
  const now = deps.clock();
  const configured = channel.rules.silences.find((silence) => silence.rule.id === id);
  if (configured) return configView(channel, configured, now);
  const stored = await getSilence(deps.store.db, channel.id, id);
  if (!stored || (stored.expires_at !== null && stored.expires_at <= now)) throw notFound('silence', id);
  return storedView(stored, now);
}

/** Adds a silence to a channel; its id must be new to the channel (configured silences included). */
export async function createSilence(
  deps: SilenceDeps,
  channelId: string,
  body: unknown,
  actor?: string,
): Promise<SilenceView> {
  const channel = channelOf(deps, channelId);
  const rule = parseSilenceRule(body);
  refuseConfigSilence(channel, rule.id);
  const now = deps.clock();
  await deleteExpired(deps, now);
  const silence: StoredSilence = {
    channel_id: channel.id,
    id: rule.id,
    rule,
    created_at: now,
    created_by: actor ?? null,
    expires_at: null,
  };
  if (!(await insertSilence(deps.store.db, silence)))
    throw new AppError('Conflict', `channel ${channel.id} already has a silence with id ${rule.id}`);
  signalSilencesChanged();
  return storedView(silence, now);
}

/** Replaces the rule of a silence made through the API (the id in the body, if any, must be the one in the path). */
export async function replaceSilence(
  deps: SilenceDeps,
  channelId: string,
  id: string,
  body: unknown,
): Promise<SilenceView> {
  const channel = channelOf(deps, channelId);
  refuseConfigSilence(channel, id);
  const withId =
    typeof body === 'object' && body !== null && !Array.isArray(body) && !('id' in body) ? { ...body, id } : body;
  const rule = parseSilenceRule(withId);
  if (rule.id !== id) throw invalidParameter(`id: must be ${JSON.stringify(id)}, the id in the path`);
  const existing = await getSilence(deps.store.db, channel.id, id);
  if (!existing) throw notFound('silence', id);
  // A quick silence stays one (deleted after its window) only while it keeps a one-off window.
  const end = rule.one_off ? parseInstant(rule.one_off.end) : undefined;
  const expiresAt = existing.expires_at !== null && end !== undefined ? end : null;
  await updateSilence(deps.store.db, channel.id, id, { rule, expires_at: expiresAt });
  signalSilencesChanged();
  return storedView({ ...existing, rule, expires_at: expiresAt }, deps.clock());
}

/** Deletes a silence made through the API. */
export async function removeSilence(
  deps: SilenceDeps,
  channelId: string,
  id: string,
): Promise<{ id: string; deleted: true }> {
  const channel = channelOf(deps, channelId);
  refuseConfigSilence(channel, id);
  const deleted = await deleteSilence(deps.store.db, channel.id, id);
  signalSilencesChanged();
  if (!deleted) throw notFound('silence', id);
  return { id, deleted: true };
}

/**
 * Silences alerts like this one (its severity and stable labels) in its channel for `duration` (default 1 day).
 * The rule's id comes from the alert, so asking again for the same alert renews the same rule.
 */
export async function quickSilenceAlert(
  deps: SilenceDeps,
  alertId: string,
  options: QuickSilenceOptions,
): Promise<{ silence: SilenceView; created: boolean }> {
  const alert = await alertToSilence(deps.store.db, alertId);
  if (!alert) throw notFound('alert', alertId);
  const channel = deps.config().channels.find((candidate) => candidate.id === alert.channel_id);
  if (!channel)
    throw new AppError('Conflict', `channel ${alert.channel_id} of alert ${alertId} is no longer configured`);
  const now = deps.clock();
  let rule: SilenceRule;
  try {
    const { duration, mode, name } = options;
    rule = quickSilence({
      id: `quick-${alert.alert_id}`,
      alert: { severity: alert.alert_severity, labels: alert.labels, short_id: alert.alert_id },
      now,
      duration,
      mode,
      name,
    });
  } catch (error) {
    if (error instanceof RuleValidationError) throw invalidParameter(error.problems.join('; '));
    throw error;
  }
  await deleteExpired(deps, now);
  const existing = await getSilence(deps.store.db, channel.id, rule.id);
  const silence: StoredSilence = {
    channel_id: channel.id,
    id: rule.id,
    rule,
    created_at: existing?.created_at ?? now,
    created_by: existing?.created_by ?? options.actor ?? null,
    expires_at: parseInstant(rule.one_off?.end ?? '') ?? null,
  };
  await upsertSilence(deps.store.db, silence);
  signalSilencesChanged();
  return { silence: storedView(silence, now), created: !existing };
}
