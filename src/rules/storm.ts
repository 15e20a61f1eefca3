/** Most storm thresholds per channel, and their range (Flashduty's). */
export const stormLimits = { maxThresholds: 5, min: 2, max: 10_000 } as const;

/** Checks a channel's storm thresholds; messages are `path: message`. */
export function validateStormThresholds(thresholds: readonly number[], path: string): string[] {
  const problems: string[] = [];
  if (thresholds.length > stormLimits.maxThresholds)
    problems.push(`${path}: at most ${stormLimits.maxThresholds} thresholds`);
  thresholds.forEach((threshold, index) => {
    if (!Number.isInteger(threshold) || threshold < stormLimits.min || threshold > stormLimits.max) {
      problems.push(`${path}[${index}]: must be an integer ${stormLimits.min}..${stormLimits.max}`);
    }
  });
  return problems;
}

/**
 * The storm thresholds crossed when an incident's alert count goes from `before` to `after` (each threshold t with
 * before < t ≤ after, ascending, once even when listed twice), less those `alreadyRaised`: each raises one
 * `i_storm`, also when a jump crosses several at once.
 */
export function stormThresholdsCrossed(
  thresholds: readonly number[],
  before: number,
  after: number,
  alreadyRaised: readonly number[] = [],
): number[] {
  const raised = new Set(alreadyRaised);
  return [...new Set(thresholds)]
    .filter((threshold) => threshold > before && threshold <= after && !raised.has(threshold))
    .sort((a, b) => a - b);
}
