/**
 * Parameters of one fast-check property (the `*.property.spec.ts` files): `numRuns` unless
 * FC_NUM_RUNS overrides it, and FC_SEED to replay a failure (fast-check prints the seed and path of
 * every counterexample it finds: `FC_SEED=<seed> node --test <file>` runs the same inputs again).
 */
export function propertyParams(numRuns: number): { numRuns: number; seed?: number } {
  const runs = Number(process.env['FC_NUM_RUNS']);
  const seed = Number(process.env['FC_SEED']);
  return {
    numRuns: Number.isInteger(runs) && runs > 0 ? runs : numRuns,
    ...(process.env['FC_SEED'] !== undefined && process.env['FC_SEED'] !== '' && Number.isInteger(seed) ? { seed } : {}),
  };
}
