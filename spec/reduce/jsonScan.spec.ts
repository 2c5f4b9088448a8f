import { JSON_SCAN_START, scanJson, type JsonScan } from '../../src/reduce/jsonScan.js';
import { everyTextSplit } from '../helpers/splits.js';
import { at } from '../helpers/at.js';

/** Feeds the chunks; returns the index of the chunk where the scanner said "closed now" (or -1) and the final state. */
function feed(chunks: string[]): { closedAt: number[]; scan: JsonScan } {
  let scan = JSON_SCAN_START;
  const closedAt: number[] = [];
  chunks.forEach((chunk, i) => {
    scan = scanJson(scan, chunk);
    if (scan.closedNow) closedAt.push(i);
  });
  return { closedAt, scan };
}

describe('jsonScan: when a streamed JSON document can be whole', () => {
  const documents = [
    '{"path":"src/lib.rs"}',
    '{"a":[1,2,{"b":"}]{["}],"c":"\\"}"}',
    '[{"x":"\\\\"},"]"]',
    ' \n{ "k" : { } } ',
    '{"emoji":"😀 é \\u00e9"}',
  ];

  it.each(documents)('says "closed" exactly once, in the chunk that closes %s, at every split', (doc) => {
    JSON.parse(doc); // the fixture itself is valid JSON
    const lastClose = Math.max(doc.lastIndexOf('}'), doc.lastIndexOf(']'));
    for (const chunks of everyTextSplit(doc)) {
      const { closedAt, scan } = feed(chunks);
      const closingChunk = at(chunks, 0).length > lastClose ? 0 : 1;
      expect(closedAt).toEqual([chunks.length === 1 ? 0 : closingChunk]);
      expect(scan.broken).toBe(false);
    }
  });

  it('never closes an unfinished document', () => {
    const doc = '{"a":"}}}","b":[1,2';
    const { closedAt, scan } = feed(doc.split(''));
    expect(closedAt).toEqual([]);
    expect(scan.depth).toBe(2);
    expect(scan.inString).toBe(false);
  });

  it('gives up (broken) on scalars, stray closers and a second value', () => {
    expect(feed(['"just a string"']).scan.broken).toBe(true);
    expect(feed(['42']).scan.broken).toBe(true);
    expect(feed(['}']).scan.broken).toBe(true);
    const twice = feed(['{}', '{}']);
    expect(twice.closedAt).toEqual([0]);
    expect(twice.scan.broken).toBe(true);
    expect(feed(['{}', ' x']).scan.broken).toBe(true);
    // Broken stays broken.
    expect(scanJson(feed(['}']).scan, '{}').closedNow).toBe(false);
  });

  it('whitespace after the close does not close again', () => {
    expect(feed(['{"a":1}', '  ', '\n']).closedAt).toEqual([0]);
  });

  it('a chunk that changes nothing returns the same scan (no allocation per delta inside a string)', () => {
    const inString = scanJson(scanJson(JSON_SCAN_START, '{"k":"'), 'ab');
    expect(scanJson(inString, 'cdef')).toBe(inString);
    const closed = scanJson(JSON_SCAN_START, '{}');
    expect(closed.closedNow).toBe(true);
    // closedNow is reset by the next chunk, even one that changes nothing else.
    expect(scanJson(closed, ' ').closedNow).toBe(false);
  });
});
