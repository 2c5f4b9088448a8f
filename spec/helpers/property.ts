import type fc from 'fast-check';

/**
 * fast-check run parameters shared by the property tests: a seed that is printed on failure
 * (fast-check reports `seed` and `path` in its message) and can be fixed with
 * `FC_SEED=<seed> npx jest …` to replay a failure; `FC_RUNS` raises the number of runs.
 */
export function propertyParameters<T>(overrides: fc.Parameters<T> = {}): fc.Parameters<T> {
  const seed = process.env.FC_SEED === undefined ? Date.now() ^ (Math.random() * 0x100000000) : Number(process.env.FC_SEED);
  const path = process.env.FC_PATH;
  return {
    seed,
    ...(path === undefined ? {} : { path }),
    ...overrides,
    numRuns: process.env.FC_RUNS === undefined ? (overrides.numRuns ?? 200) : Number(process.env.FC_RUNS),
  };
}
