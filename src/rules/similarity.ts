import { keyValue, type FilterSubject } from './filter.js';

/** Fields compared by default (Flashduty's intelligent-grouping defaults). */
export const defaultSimilarityKeys: readonly string[] = ['title', 'description', 'labels.service', 'labels.resource'];
/** Score an alert needs to join an incident by default. */
export const defaultSimilarityThreshold = 0.9;

/** Words: letters and digits, kept together across single `-`, `_`, `.` (so `db-1`, `es.nj.03`, `10.0.0.1`). */
const wordPattern = /[\p{L}\p{N}]+(?:[-_.][\p{L}\p{N}]+)*/gu;
/** A measurement: `91`, `3.5`, `1,5`, or with a short unit `512mb`, `30s`, `250ms`. */
const measurement = /^\d+(?:[.,]\d+)?[a-z]{0,3}$/;
/** A generated id: ≥ 8 hex digits with at least one digit, optionally dashed (hashes, UUIDs, container ids). */
const generatedId = /^(?=[0-9a-f-]*\d)[0-9a-f]{8,}(?:-[0-9a-f]+)*$/;
const placeholder = '#';

/**
 * The token set of a text: lower-cased (NFKC), split into words, measurements and generated ids replaced by `#`,
 * so `disk 91% on db-1` and `disk 93% on db-1` give the same set while `db-1` and `db-2` stay different.
 */
export function tokenSet(text: string): Set<string> {
  const tokens = new Set<string>();
  for (const [word] of text.normalize('NFKC').toLowerCase().matchAll(wordPattern)) {
    tokens.add(measurement.test(word) || generatedId.test(word) ? placeholder : word);
  }
  return tokens;
}

/** Sørensen–Dice coefficient of two sets: 2·|A∩B| / (|A|+|B|); undefined when both are empty. */
export function diceCoefficient(a: ReadonlySet<string>, b: ReadonlySet<string>): number | undefined {
  if (a.size === 0 && b.size === 0) return undefined;
  let shared = 0;
  for (const token of a) if (b.has(token)) shared += 1;
  return (2 * shared) / (a.size + b.size);
}

/** Token sets of the compared fields of one subject; compute once per alert or incident. */
export type SimilarityProfile = ReadonlyArray<Set<string>>;

/** The profile of a subject over `keys` (a missing field is an empty set). */
export function similarityProfile(
  subject: FilterSubject,
  keys: readonly string[] = defaultSimilarityKeys,
): SimilarityProfile {
  return keys.map((key) => tokenSet(keyValue(subject, key) ?? ''));
}

/** Mean Dice coefficient over the fields that are non-empty on at least one side; 0 when no field has text. */
export function profileSimilarity(a: SimilarityProfile, b: SimilarityProfile): number {
  let total = 0;
  let fields = 0;
  a.forEach((tokens, index) => {
    const score = diceCoefficient(tokens, b[index] ?? new Set());
    if (score === undefined) return;
    total += score;
    fields += 1;
  });
  return fields === 0 ? 0 : total / fields;
}

/**
 * How alike two alerts are, 0..1: per field, the Sørensen–Dice coefficient of their token sets (see `tokenSet`);
 * then the mean over the fields present on either side (a field empty on both sides is no evidence either way).
 * Deterministic and symmetric; no model, no external service.
 */
export function similarity(
  a: FilterSubject,
  b: FilterSubject,
  keys: readonly string[] = defaultSimilarityKeys,
): number {
  return profileSimilarity(similarityProfile(a, keys), similarityProfile(b, keys));
}

/** A candidate incident for similarity grouping: its subject (title, description, labels of its first alert). */
export interface SimilarityCandidate {
  subject: FilterSubject;
}

/**
 * The candidate most similar to the alert with a score ≥ threshold (default 0.9); on equal scores the earlier
 * candidate wins, so the caller's order (e.g. oldest incident first) breaks ties. Undefined when none is close enough.
 */
export function bestMatch<C extends SimilarityCandidate>(
  alert: FilterSubject,
  candidates: readonly C[],
  threshold = defaultSimilarityThreshold,
  keys: readonly string[] = defaultSimilarityKeys,
): { candidate: C; score: number } | undefined {
  const profile = similarityProfile(alert, keys);
  let best: { candidate: C; score: number } | undefined;
  for (const candidate of candidates) {
    const score = profileSimilarity(profile, similarityProfile(candidate.subject, keys));
    if (score >= threshold && (best === undefined || score > best.score)) best = { candidate, score };
  }
  return best;
}
