/**
 * The instants and ages in an answer, which a second passing between two requests changes:
 * the response's `generatedAt`, a cluster's `snapshotAgeSeconds` and `freshness.lagSeconds`,
 * observations' `ageSeconds`.
 */
const AGES = new Set([
  'generatedAt',
  'snapshotAgeSeconds',
  'lagSeconds',
  'ageSeconds',
]);

/** An answer without its instants and ages, for comparing two answers given apart in time. */
export const timeless = (answer: unknown): unknown =>
  JSON.parse(JSON.stringify(answer), (key, value) =>
    AGES.has(key) ? undefined : value,
  );
