/**
 * An immutable map for the reducer's committed buffers and item records. `set` returns a new map
 * and never touches this one, but copies only a small recent tier (folded into the large tier
 * every {@link RECENT_LIMIT} insertions): a copy-on-write `Map` costs O(entries) per insertion,
 * which made a turn with hundreds of output items quadratic in their number.
 */

/** Insertions the recent tier holds before it is folded into the old one. */
const RECENT_LIMIT = 32;

const EMPTY_MAP: ReadonlyMap<never, never> = new Map<never, never>();

export class Committed<K, V> {
  private static readonly EMPTY = Object.freeze(new Committed<never, never>(EMPTY_MAP, EMPTY_MAP, 0));

  /** The empty map. */
  static empty<K, V>(): Committed<K, V> {
    return Committed.EMPTY as unknown as Committed<K, V>;
  }

  private constructor(
    /** Newer entries win over `old`. */
    private readonly recent: ReadonlyMap<K, V>,
    private readonly old: ReadonlyMap<K, V>,
    /** Number of distinct keys. */
    readonly size: number,
  ) {}

  get(key: K): V | undefined {
    const value = this.recent.get(key);
    return value !== undefined || this.recent.has(key) ? value : this.old.get(key);
  }

  has(key: K): boolean {
    return this.recent.has(key) || this.old.has(key);
  }

  /** A new map with `key` set to `value`; this one is unchanged. */
  set(key: K, value: V): Committed<K, V> {
    const size = this.has(key) ? this.size : this.size + 1;
    const recent = new Map(this.recent).set(key, value);
    if (recent.size < RECENT_LIMIT) return new Committed(recent, this.old, size);
    const old = new Map(this.old);
    for (const [k, v] of recent) old.set(k, v);
    return new Committed(EMPTY_MAP as ReadonlyMap<K, V>, old, size);
  }

  /** Every entry once, with its latest value, in first-insertion order (as a `Map`). */
  *[Symbol.iterator](): IterableIterator<[K, V]> {
    // Every key of `old` was inserted before every key found only in `recent`.
    for (const [key, value] of this.old) yield [key, this.recent.has(key) ? (this.recent.get(key) as V) : value];
    for (const entry of this.recent) if (!this.old.has(entry[0])) yield entry;
  }

  /** Entries, for logging and snapshots. */
  toJSON(): [K, V][] {
    return [...this];
  }
}
