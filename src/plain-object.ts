/** A JSON object: not null, not an array (what a payload, a label map or a request body must be). */
export const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
