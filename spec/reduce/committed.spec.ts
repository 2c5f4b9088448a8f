import { Committed } from '../../src/reduce/committed.js';

describe('Committed (immutable map of committed buffers)', () => {
  it('behaves as a copy-on-write Map across tier folds: get, has, size and first-insertion order', () => {
    // A deterministic mix of new keys and overwrites, long enough to fold the recent tier several times.
    let committed = Committed.empty<string, number>();
    const reference = new Map<string, number>();
    const history: { map: Committed<string, number>; entries: [string, number][] }[] = [];
    for (let i = 0; i < 200; i++) {
      const key = `k${(i * 7) % 90}`;
      committed = committed.set(key, i);
      reference.set(key, i);
      history.push({ map: committed, entries: [...reference] });
    }
    expect([...committed]).toEqual([...reference]);
    expect(committed.size).toBe(reference.size);
    for (const [key, value] of reference) {
      expect(committed.get(key)).toBe(value);
      expect(committed.has(key)).toBe(true);
    }
    expect(committed.get('absent')).toBeUndefined();
    expect(committed.has('absent')).toBe(false);
    // Every earlier version is unchanged by the later sets.
    for (const { map, entries } of history) {
      expect([...map]).toEqual(entries);
      expect(map.size).toBe(entries.length);
    }
  });

  it('the empty map is shared and stays empty', () => {
    const empty = Committed.empty<number, string>();
    empty.set(1, 'a');
    expect(Committed.empty<number, string>()).toBe(empty);
    expect(empty.size).toBe(0);
    expect([...empty]).toEqual([]);
    expect(JSON.stringify(empty.set(1, 'a'))).toBe('[[1,"a"]]');
  });
});
