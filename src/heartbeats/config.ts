import type { ConfigFile, Heartbeat } from '../config/types.js';
import { parseDuration } from '../rules/duration.js';
import { isChangeAdapter } from '../changes/types.js';
import { closestName } from '../did-you-mean.js';
import { problemAt, type ProblemList } from '../problems.js';

/**
 * The problems of the `heartbeats` section that the schema cannot see: duplicate ids, keys shared with an
 * integration or another heartbeat, unknown channels and integrations, a zero interval.
 */
export function validateHeartbeats(file: ConfigFile): ProblemList {
  const problems: ProblemList = [];
  const channels = new Set((file.channels ?? []).map((channel) => channel.id));
  const integrations = new Map((file.integrations ?? []).map((integration) => [integration.id, integration]));
  const keys = new Set((file.integrations ?? []).map((integration) => integration.key));
  const ids = new Set<string>();
  (file.heartbeats ?? []).forEach((heartbeat, i) => {
    const path = `heartbeats[${i}]`;
    if (ids.has(heartbeat.id))
      problems.push(problemAt(`${path}.id`, `duplicate heartbeat id ${JSON.stringify(heartbeat.id)}`));
    ids.add(heartbeat.id);
    if (keys.has(heartbeat.key))
      problems.push(problemAt(`${path}.key`, 'the same key is used by an integration or another heartbeat'));
    keys.add(heartbeat.key);
    if (!channels.has(heartbeat.channel))
      problems.push(
        problemAt(
          `${path}.channel`,
          `no channel with id ${JSON.stringify(heartbeat.channel)}`,
          closestName(heartbeat.channel, [...channels]),
        ),
      );
    if (!((parseDuration(heartbeat.interval) ?? 0) > 0))
      problems.push(problemAt(`${path}.interval`, 'must be longer than 0'));
    if (heartbeat.integration !== undefined) {
      const integration = integrations.get(heartbeat.integration);
      if (!integration)
        problems.push(
          problemAt(`${path}.integration`, `no integration with id ${JSON.stringify(heartbeat.integration)}`),
        );
      else if (isChangeAdapter(integration.adapter))
        problems.push(problemAt(`${path}.integration`, `${integration.id} takes change events, not alerts`));
    }
  });
  return problems;
}

/** The heartbeats of a validated configuration file, defaults applied. */
export function compileHeartbeats(file: ConfigFile): Heartbeat[] {
  return (file.heartbeats ?? []).map((heartbeat) => ({
    id: heartbeat.id,
    name: heartbeat.name ?? heartbeat.id,
    channelId: heartbeat.channel,
    intervalMs: parseDuration(heartbeat.interval) ?? 0,
    graceMs: parseDuration(heartbeat.grace ?? '0s') ?? 0,
    key: heartbeat.key,
    labels: heartbeat.labels ?? {},
    ...(heartbeat.integration !== undefined && { integrationId: heartbeat.integration }),
    match: heartbeat.match ?? {},
    enabled: heartbeat.enabled ?? true,
  }));
}
