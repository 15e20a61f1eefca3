import type { Redis } from 'ioredis';

/** The Redis pub/sub channel on which committed incident changes are announced, one per queue prefix. */
export function incidentChannel(prefix: string): string {
  return `alertgate:${prefix}:incidents-changed`;
}

/**
 * Announces that incidents changed (after their transaction committed), for the console's live list. Best effort: a
 * lost message only delays a list until the next one, so a failure is reported to `onError` and never thrown.
 */
export async function signalIncidentsChanged(
  redis: Pick<Redis, 'publish'>,
  prefix: string,
  incidentIds: Array<string | null | undefined>,
  onError: (error: Error) => void = () => undefined,
): Promise<void> {
  const ids = [...new Set(incidentIds.filter((id): id is string => typeof id === 'string'))];
  if (ids.length === 0) return;
  await redis.publish(incidentChannel(prefix), JSON.stringify({ ids })).then(
    () => undefined,
    (error: Error) => onError(error),
  );
}
