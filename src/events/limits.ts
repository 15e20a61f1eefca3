/*
 * The standard event's limits (contract §3) and the label name rule, stated once. schemas/standard-alert.schema.json
 * enforces the same numbers; the code truncates to them, builds label maps within them and words messages with them.
 */

/** Field limits, in code points; label counts and key lengths of a label map. */
export const eventLimits = {
  title: 512,
  description: 2048,
  labelValue: 2048,
  imageAlt: 128,
  imageSrc: 256,
  imageHref: 256,
  labels: 50,
  labelKey: 128,
} as const;

/** A label name: a letter or `_`, then letters, digits and `_` (as Prometheus and Flashduty name labels). */
export const labelNamePattern = '[A-Za-z_][A-Za-z0-9_]*';

/** Whole-string test of a label name. */
export const labelName = new RegExp(`^${labelNamePattern}$`);
