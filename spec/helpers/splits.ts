/**
 * Ways to cut a byte (or text) sequence into chunks, for "every fixture is also fed split at
 * every byte" tests. Chunks are `subarray` views of the input (no copies), never empty.
 */

/**
 * Every way to cut `bytes` into two non-empty chunks: `[bytes[0..p), bytes[p..n)]` for each
 * `p` in `1..n-1`. Input shorter than 2 bytes yields itself as the only split (`[bytes]`), so
 * a loop over it always runs at least once.
 */
export function* everySplit(bytes: Uint8Array): Iterable<Uint8Array[]> {
  if (bytes.length < 2) {
    yield [bytes];
    return;
  }
  for (let p = 1; p < bytes.length; p++) yield [bytes.subarray(0, p), bytes.subarray(p)];
}

/** One chunk per byte. */
export function byteByByte(bytes: Uint8Array): Uint8Array[] {
  return chunksOf(bytes, 1);
}

/** Chunks of `n` bytes (the last one may be shorter). */
export function chunksOf(bytes: Uint8Array, n: number): Uint8Array[] {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`chunksOf: n must be a positive integer, got ${n}`);
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += n) out.push(bytes.subarray(i, i + n));
  return out;
}

/**
 * `count` split points spread evenly over `bytes` (each cut into two chunks), for inputs too
 * long to try every split point in a fast suite.
 */
export function* sampledSplits(bytes: Uint8Array, count: number): Iterable<Uint8Array[]> {
  if (bytes.length < 2) {
    yield [bytes];
    return;
  }
  const seen = new Set<number>();
  for (let k = 1; k <= count; k++) {
    const p = Math.max(1, Math.min(bytes.length - 1, Math.round((k * bytes.length) / (count + 1))));
    if (seen.has(p)) continue;
    seen.add(p);
    yield [bytes.subarray(0, p), bytes.subarray(p)];
  }
}

/** Every way to cut a string into two non-empty parts (at every UTF-16 index). */
export function* everyTextSplit(text: string): Iterable<string[]> {
  if (text.length < 2) {
    yield [text];
    return;
  }
  for (let p = 1; p < text.length; p++) yield [text.slice(0, p), text.slice(p)];
}

/** Every way to cut a string into three non-empty parts (O(n²) splits: keep inputs short). */
export function* everyTextSplit3(text: string): Iterable<string[]> {
  if (text.length < 3) {
    yield [text];
    return;
  }
  for (let p = 1; p < text.length - 1; p++) {
    for (let q = p + 1; q < text.length; q++) yield [text.slice(0, p), text.slice(p, q), text.slice(q)];
  }
}
