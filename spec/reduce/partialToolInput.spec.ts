import fc from 'fast-check';
import { propertyParameters } from '../helpers/property.js';
import { everyTextSplit } from '../helpers/splits.js';
import { argsDelta, byType, completed, fcAdded, reduce } from './helpers.js';

/** What a partial call's `input` must be once `json` has streamed: its value when it is one object or array, else `{}`. */
function expectedInput(json: string): unknown {
  try {
    const value: unknown = JSON.parse(json);
    return typeof value === 'object' && value !== null ? value : {};
  } catch {
    return {};
  }
}

/** The `input` of each tool-call-delta when the arguments arrive in these chunks. */
function partialInputs(chunks: string[]): unknown[] {
  const run = reduce([fcAdded('fc_1', 'call_1', 'f'), ...chunks.map((chunk) => argsDelta('fc_1', chunk)), completed()]);
  return byType(run.events, 'tool-call-delta').map((e) => e.toolCall.input);
}

/** The input expected after each chunk. */
const expectedInputs = (chunks: string[]) => chunks.map((_, i) => expectedInput(chunks.slice(0, i + 1).join('')));

describe("a partial tool call's input", () => {
  const documents = [
    '{"path":"src/lib.rs"}',
    '{"a":[1,2,{"b":"}]{["}],"c":"\\"}"}',
    '[{"x":"\\\\"},"]"]',
    ' \n{ "k" : { } } ',
    '{"emoji":"😀 é \\u00e9"}',
  ];

  it.each(documents)('is {} until %s has closed, then its value, at every split', (doc) => {
    for (const chunks of everyTextSplit(doc)) expect(partialInputs(chunks)).toEqual(expectedInputs(chunks));
  });

  it('stays {} for what is not one object or array: scalars, stray closers, a second value, text after it', () => {
    for (const chunks of [
      ['"just a string"'],
      ['42'],
      ['null'],
      ['}', '{}'],
      ['{}', '{}'],
      ['{"a":1}', ' x'],
      ['{"a":"}}}",', '"b":[1,2'],
    ]) {
      expect(partialInputs(chunks)).toEqual(expectedInputs(chunks));
    }
    expect(partialInputs(['{}', '{}'])).toEqual([{}, {}]);
  });

  it('once it can never be one object or array, later deltas are not parsed (linear cost)', () => {
    const parse = jest.spyOn(JSON, 'parse');
    try {
      for (const start of ['{"a":1} x', '"a scalar', '}']) {
        parse.mockClear();
        const inputs = partialInputs([start, ...Array.from({ length: 1000 }, () => ' more')]);
        expect(inputs).toHaveLength(1001);
        expect(parse.mock.calls.length).toBeLessThanOrEqual(1);
      }
    } finally {
      parse.mockRestore();
    }
  });

  it('whitespace after the close keeps the value', () => {
    expect(partialInputs(['{"a":1}', '  ', '\n'])).toEqual([{ a: 1 }, { a: 1 }, { a: 1 }]);
  });

  it('is the value of the JSON so far whenever that is one object or array, however it is cut (property)', () => {
    const json = fc.oneof(
      fc.json(),
      fc.json().map((doc) => ` ${doc}\n`),
      fc.tuple(fc.json(), fc.string()).map(([doc, tail]) => doc + tail),
    );
    fc.assert(
      fc.property(json, fc.array(fc.nat(), { maxLength: 8 }), (doc, cuts) => {
        const points = [...new Set(cuts.map((c) => c % (doc.length + 1)))].sort((a, b) => a - b);
        const chunks = [0, ...points].map((start, i) => doc.slice(start, points[i] ?? doc.length)).filter((c) => c !== '');
        expect(partialInputs(chunks)).toEqual(expectedInputs(chunks));
      }),
      propertyParameters({ numRuns: 300 }),
    );
  });
});
