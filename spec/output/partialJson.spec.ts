import fc from 'fast-check';
import { PartialJsonParser } from '../../src/output/partialJson.js';

/** Feeds `pieces` and returns every snapshot taken when the value changed. */
function snapshots(pieces: string[]): { values: unknown[]; parser: PartialJsonParser } {
  const parser = new PartialJsonParser();
  const values: unknown[] = [];
  for (const piece of pieces) if (parser.push(piece)) values.push(parser.snapshot());
  return { values, parser };
}

function isDeepFrozen(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return true;
  return Object.isFrozen(value) && Object.values(value).every(isDeepFrozen);
}

describe('PartialJsonParser', () => {
  it('shows containers as they open, string values as they grow, and numbers and literals once complete', () => {
    const { values } = snapshots([...'{"a": [1, true], "s": "h\\u00e9", "n": null}']);
    expect(values).toEqual([
      {},
      { a: [] },
      { a: [1] },
      { a: [1, true] },
      { a: [1, true], s: '' },
      { a: [1, true], s: 'h' },
      { a: [1, true], s: 'hé' },
      { a: [1, true], s: 'hé', n: null },
    ]);
  });

  it('never shows a member whose key is unfinished, or a number that may still grow', () => {
    const parser = new PartialJsonParser();
    parser.push('{"ke');
    expect(parser.snapshot()).toEqual({});
    expect(parser.push('y": 12')).toBe(false);
    expect(parser.snapshot()).toEqual({});
    expect(parser.push('3}')).toBe(true);
    expect(parser.snapshot()).toEqual({ key: 123 });
  });

  it('reports a change only when the value changes', () => {
    const parser = new PartialJsonParser();
    expect(parser.push('  ')).toBe(false);
    expect(parser.push('[')).toBe(true);
    expect(parser.push(' ')).toBe(false);
    expect(parser.push('"')).toBe(true);
    expect(parser.push('\\')).toBe(false);
    expect(parser.push('n')).toBe(true);
    expect(parser.push('"')).toBe(false);
    expect(parser.push(']')).toBe(false);
    expect(parser.snapshot()).toEqual(['\n']);
  });

  it('keeps __proto__ as an own member, as JSON.parse does', () => {
    const { parser } = snapshots(['{"__proto__": {"polluted": true}}']);
    const value = parser.snapshot() as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.keys(value)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each(['{"a" 1}', '[1,,2]', '{"a": tru}', '01', '"a\u0001"', '{} x', '[1}', '{"a": "\\x"}', '-', 'nul!'])(
    'fails on text that is not JSON: %s',
    (text) => {
      const { parser } = snapshots([...text, ' ']);
      expect(parser.failed).toBe(true);
    },
  );

  it('whatever the pieces, ends with the value JSON.parse gives, every snapshot frozen and each one an extension of the last', () => {
    fc.assert(
      fc.property(fc.json(), fc.array(fc.nat(), { maxLength: 8 }), (text, cuts) => {
        const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
        const pieces: string[] = [];
        let at = 0;
        for (const p of [...points, text.length]) {
          pieces.push(text.slice(at, p));
          at = p;
        }
        // A trailing space ends a bare number at the root.
        pieces.push(' ');
        const { values, parser } = snapshots(pieces);
        expect(parser.failed).toBe(false);
        expect(parser.snapshot()).toEqual(JSON.parse(text));
        expect(values.every(isDeepFrozen)).toBe(true);
        // Character by character gives every intermediate value; any coarser split shows a subsequence of them.
        const fine = snapshots([...text, ' ']).values.map((v) => JSON.stringify(v));
        let i = 0;
        for (const value of values.map((v) => JSON.stringify(v))) {
          while (i < fine.length && fine[i] !== value) i++;
          expect(i).toBeLessThan(fine.length);
        }
      }),
      { numRuns: 300 },
    );
  });
});
