/** A synchronous source (a generator) that records every chunk pulled from it and whether it was closed. */
export interface PulledSource<T> {
  source: Iterable<T>;
  /** Indices of the chunks pulled so far. */
  pulled: number[];
  /** Whether the iteration was closed (finished or returned early). */
  closed: () => boolean;
}

/** Wraps `chunks` in a generator that counts pulls: proves an unsubscribe stopped a synchronous source. */
export function pulledSource<T>(chunks: readonly T[]): PulledSource<T> {
  const pulled: number[] = [];
  let finished = false;
  function* generate(): Generator<T> {
    try {
      for (let i = 0; i < chunks.length; i++) {
        pulled.push(i);
        yield chunks[i]!;
      }
    } finally {
      finished = true;
    }
  }
  return { source: generate(), pulled, closed: () => finished };
}
