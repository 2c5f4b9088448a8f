import { compareCodePoints, sortedJsonStringify, sortedJsonValue } from '../../src/json/sortedJson.js';
import { expectConfigProblem } from '../helpers/configMessage.js';

describe('sortedJsonStringify (serde_json Value: sorted keys)', () => {
  it('sorts keys recursively, integer-like keys included (which JSON.stringify cannot)', () => {
    expect(sortedJsonStringify({ b: 1, '10': 2, '9': 3, a: { d: [{ z: 0, y: 1 }], c: true } })).toBe(
      '{"10":2,"9":3,"a":{"c":true,"d":[{"y":1,"z":0}]},"b":1}',
    );
  });

  it('follows JSON.stringify for everything else', () => {
    const values: unknown[] = [
      'str"\n\u0001é😀',
      42,
      -0.5,
      1e21,
      true,
      null,
      [1, undefined, () => 1, NaN, Infinity],
      { a: undefined, b: () => 1, c: Symbol('s'), d: 1 },
      new Date(0),
      { toJSON: () => ({ y: 1, x: 2 }) },
      [new String('boxed'), new Number(3), new Boolean(false)],
    ];
    for (const v of values) {
      const plain = JSON.stringify(v, (_k, val: unknown) =>
        val && typeof val === 'object' && !Array.isArray(val) && !(val instanceof String || val instanceof Number || val instanceof Boolean)
          ? Object.fromEntries(Object.entries(val).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
          : val,
      );
      expect(sortedJsonStringify(v)).toBe(plain);
    }
  });

  it('top-level undefined / functions give "null" (a serde Value is never absent)', () => {
    expect(sortedJsonStringify(undefined)).toBe('null');
    expect(sortedJsonStringify(() => 1)).toBe('null');
  });

  it('BigInt and cycles throw ConfigError', () => {
    expectConfigProblem(() => sortedJsonStringify({ n: 1n }, 'x'), 'x is not JSON-serialisable: BigInt');
    const a: unknown[] = [];
    a.push(a);
    expectConfigProblem(() => sortedJsonStringify(a, 'y'), 'y is not JSON-serialisable: circular structure');
  });

  it('a shared (non-circular) object is serialized twice, not mistaken for a cycle', () => {
    const shared = { k: 1 };
    expect(sortedJsonStringify({ a: shared, b: [shared] })).toBe('{"a":{"k":1},"b":[{"k":1}]}');
  });

  it('compares keys by code point (UTF-8 byte order), not UTF-16 unit', () => {
    // U+FFFD is one unit 0xFFFD; U+1F600 is the pair D83D DE00: UTF-16 order would put 😀 first.
    expect(compareCodePoints('\ufffd', '😀')).toBeLessThan(0);
    expect(compareCodePoints('😀', '\ufffd')).toBeGreaterThan(0);
    expect(compareCodePoints('a', 'ab')).toBeLessThan(0);
    expect(compareCodePoints('b', 'a')).toBeGreaterThan(0);
    expect(compareCodePoints('same', 'same')).toBe(0);
    expect(sortedJsonStringify({ '😀': 1, '\ufffd': 2 })).toBe('{"\ufffd":2,"😀":1}');
  });

  it('sortedJsonValue returns a sorted copy and leaves the input alone', () => {
    const input = { b: { d: 1, c: 2 }, a: [{ f: 1, e: undefined }] };
    const out = sortedJsonValue(input) as Record<string, unknown>;
    expect(JSON.stringify(out)).toBe('{"a":[{"f":1}],"b":{"c":2,"d":1}}');
    expect(JSON.stringify(input)).toBe('{"b":{"d":1,"c":2},"a":[{"f":1}]}');
  });

  it('pretty-prints with an indent as JSON.stringify does, keys still sorted', () => {
    const value = { b: [1, { d: null, c: 'x' }], a: {}, e: [], '10': true };
    expect(sortedJsonStringify(value, 'v', 2)).toBe(JSON.stringify({ '10': true, a: {}, b: [1, { c: 'x', d: null }], e: [] }, null, 2));
    expect(sortedJsonStringify('s', 'v', 2)).toBe('"s"');
  });

  it('sortedJsonValue drops what JSON.stringify drops and keeps null for non-finite numbers', () => {
    expect(sortedJsonValue(undefined)).toBeUndefined();
    expect(sortedJsonValue(() => 1)).toBeUndefined();
    expect(sortedJsonValue(NaN)).toBeNull();
    expect(sortedJsonValue({ toJSON: () => null })).toBeNull();
  });
});
