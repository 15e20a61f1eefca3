import type { Channel, Config } from '../config/types.js';
import { AppError, invalidParameter, notFound } from '../errors.js';
import { compileSilences, type CompiledSilence } from '../rules/silence.js';
import type { SilenceRule } from '../rules/types.js';
import { parseInstant } from '../rules/zoned-time.js';
import type { StoreDatabase } from '../store/database.js';
import { signalSilencesChanged } from './change-signal.js';
import { parseSilenceBody } from './silence-body.js';
import {
  deleteSilence,
  deleteSilencesEndedBefore,
  expireSilence,
  getSilence,
  insertSilence,
  listSilences,
  updateSilence,
  type StoredSilence,
} from '../store/silences-repo.js';

/** What the silence service needs: the store, the configuration in force, the clock and an id maker. */
export interface SilenceDeps {
  store: StoreDatabase;
  config: () => Config;
  clock: () => number;
  /** Ids of silences made without one; unique and stable (the store keeps them). */
  newId: () => string;
}

/** pending: starts later; active: in force (a weekly one applies in its windows); expired: ended, kept as history. */
export type SilenceState = 'pending' | 'active' | 'expired';

/** A silence as the API shows it: from alertgate.yaml (read-only) or made through the API. */
export interface SilenceView {
  id: string;
  channel_id: string;
  source: 'config' | 'api';
  rule: SilenceRule;
  state: SilenceState;
  /** In its window now. */
  active: boolean;
  comment: string | null;
  created_at: number | null;
  created_by: string | null;
  starts_at: number | null;
  expires_at: number | null;
}

/** How long an expired silence stays listed as history before it is deleted (30 days). */
export const silenceHistoryMs = 30 * 86_400_000;

export function channelOf(deps: Pick<SilenceDeps, 'config'>, channelId: string): Channel {
  const channel = deps.config().channels.find((candidate) => candidate.id === channelId);
  if (!channel) throw notFound('channel', channelId);
  return channel;
}

function stateAt(startsAt: number | null, expiresAt: number | null, now: number): SilenceState {
  if (expiresAt !== null && expiresAt <= now) return 'expired';
  if (startsAt !== null && startsAt > now) return 'pending';
  return 'active';
}

function configView(channel: Channel, silence: CompiledSilence, now: number): SilenceView {
  const startsAt = silence.rule.one_off ? (parseInstant(silence.rule.one_off.start) ?? null) : null;
  const expiresAt = silence.rule.one_off ? (parseInstant(silence.rule.one_off.end) ?? null) : null;
  return {
    id: silence.rule.id,
    channel_id: channel.id,
    source: 'config',
    rule: silence.rule,
    state: stateAt(startsAt, expiresAt, now),
    active: silence.activeAt(now),
    comment: silence.rule.description ?? null,
    created_at: null,
    created_by: null,
    starts_at: startsAt,
    expires_at: expiresAt,
  };
}

/** A stored silence as the API shows it at `now`. */
export function storedView(silence: StoredSilence, now: number): SilenceView {
  const state = stateAt(silence.starts_at, silence.expires_at, now);
  let active = false;
  try {
    active = state !== 'expired' && compileSilences([silence.rule])[0].activeAt(now);
  } catch {
    // Stored before a stricter check: listed (so it can be replaced, expired or deleted), never active.
  }
  return { ...silence, source: 'api', state, active };
}

/** Expired silences past their history retention go lazily, whenever silences are read or made through the API. */
export async function forgetOldSilences(deps: SilenceDeps, now: number): Promise<void> {
  await deleteSilencesEndedBefore(deps.store.db, now - silenceHistoryMs);
}

function refuseConfigSilence(channel: Channel, id: string): void {
  if (channel.rules.silences.some((silence) => silence.rule.id === id)) {
    throw new AppError(
      'Conflict',
      `silence ${id} of channel ${channel.id} comes from the configuration file and is read-only there`,
    );
  }
}

/** The state filter of a listing: one state, or every state when absent. */
export function parseStateFilter(value: unknown): SilenceState | undefined {
  if (value === undefined) return undefined;
  if (value === 'pending' || value === 'active' || value === 'expired') return value;
  throw invalidParameter('state (query): must be one of pending, active, expired');
}

/** The silences of a channel: configured ones first, then those made through the API, oldest first. */
export async function listChannelSilences(
  deps: SilenceDeps,
  channelId: string,
  state?: SilenceState,
): Promise<SilenceView[]> {
  const channel = channelOf(deps, channelId);
  const now = deps.clock();
  await forgetOldSilences(deps, now);
  const stored = await listSilences(deps.store.db, channel.id);
  const all = [
    ...channel.rules.silences.map((silence) => configView(channel, silence, now)),
    ...stored.map((silence) => storedView(silence, now)),
  ];
  return state === undefined ? all : all.filter((silence) => silence.state === state);
}

/** One silence of a channel, configured or made through the API (expired ones included). */
export async function getChannelSilence(deps: SilenceDeps, channelId: string, id: string): Promise<SilenceView> {
  const channel = channelOf(deps, channelId);
  const now = deps.clock();
  const configured = channel.rules.silences.find((silence) => silence.rule.id === id);
  if (configured) return configView(channel, configured, now);
  const stored = await getSilence(deps.store.db, channel.id, id);
  if (!stored) throw notFound('silence', id);
  return storedView(stored, now);
}

/** A silence body as it would be stored (nothing saved): what create and its preview share. */
export function draftSilence(deps: SilenceDeps, channel: Channel, body: unknown, actor?: string): StoredSilence {
  const now = deps.clock();
  const parsed = parseSilenceBody(body, now, deps.newId);
  refuseConfigSilence(channel, parsed.rule.id);
  return { channel_id: channel.id, id: parsed.rule.id, created_at: now, created_by: actor ?? null, ...parsed };
}

/** Adds a silence to a channel; its id (made when absent) must be new to the channel, configured silences included. */
export async function createSilence(
  deps: SilenceDeps,
  channelId: string,
  body: unknown,
  actor?: string,
): Promise<SilenceView> {
  const channel = channelOf(deps, channelId);
  const silence = draftSilence(deps, channel, body, actor);
  await forgetOldSilences(deps, silence.created_at);
  if (!(await insertSilence(deps.store.db, silence)))
    throw new AppError('Conflict', `channel ${channel.id} already has a silence with id ${silence.id}`);
  signalSilencesChanged();
  return storedView(silence, silence.created_at);
}

/** Replaces the rule, window and comment of a silence made through the API; who made it and when stay. */
export async function replaceSilence(
  deps: SilenceDeps,
  channelId: string,
  id: string,
  body: unknown,
): Promise<SilenceView> {
  const channel = channelOf(deps, channelId);
  refuseConfigSilence(channel, id);
  const now = deps.clock();
  const parsed = parseSilenceBody(body, now, deps.newId, id);
  const existing = await getSilence(deps.store.db, channel.id, id);
  if (!existing) throw notFound('silence', id);
  await updateSilence(deps.store.db, channel.id, id, parsed);
  signalSilencesChanged();
  return storedView({ ...existing, ...parsed }, now);
}

/** Ends a silence made through the API now; it stays listed as expired. Expiring an expired one changes nothing. */
export async function expireChannelSilence(deps: SilenceDeps, channelId: string, id: string): Promise<SilenceView> {
  const channel = channelOf(deps, channelId);
  refuseConfigSilence(channel, id);
  const now = deps.clock();
  if (await expireSilence(deps.store.db, channel.id, id, now)) signalSilencesChanged();
  const stored = await getSilence(deps.store.db, channel.id, id);
  if (!stored) throw notFound('silence', id);
  return storedView(stored, now);
}

/** Deletes a silence made through the API, history included (expiring it keeps the record). */
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
