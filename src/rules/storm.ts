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
