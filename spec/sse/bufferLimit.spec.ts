/**
 * The buffer limit of sseMessages is a property of the text, not of its chunking: an event that
 * is too large is rejected whether it arrives whole in one chunk or in many small ones, and an
 * event within the limit passes either way.
 */
import fc from 'fast-check';
import { from } from 'rxjs';
import { ProtocolError } from '../../src/errors.js';
import { sseMessages } from '../../src/sse/sseMessages.js';
import type { SseMessage } from '../../src/types.js';
import { everyTextSplit } from '../helpers/splits.js';
import { propertyParameters } from '../helpers/property.js';

const LIMIT = 64;

function parse(chunks: string[], maxBufferSize = LIMIT): { messages: SseMessage[]; error?: unknown } {
  const messages: SseMessage[] = [];
  let error: unknown;
  from(chunks)
    .pipe(sseMessages({ maxBufferSize }))
    .subscribe({ next: (m) => messages.push(m), error: (e) => (error = e) });
  return { messages, error };
}

/** `text` in chunks of `n` characters. */
const chunked = (text: string, n: number): string[] =>
  Array.from({ length: Math.ceil(text.length / n) }, (_, i) => text.slice(i * n, i * n + n));

describe('the buffer limit holds however the body is chunked', () => {
  const tooLong = `data: ${'x'.repeat(LIMIT * 2)}\n\ndata: after\n\n`;

  it('one line over the limit is a ProtocolError in a single chunk, as in small chunks', () => {
    for (const chunks of [[tooLong], chunked(tooLong, 16), chunked(tooLong, 1)]) {
      const { messages, error } = parse(chunks);
      expect(error).toBeInstanceOf(ProtocolError);
      expect((error as ProtocolError).message).toMatch(/more than 64 characters buffered/);
      expect(messages).toEqual([]);
    }
  });

  it('an event of many short lines over the limit is rejected whole, split or not', () => {
    const text = `data: ok\n\n${'data: 0123456789\n'.repeat(5)}\n`;
    for (const chunks of [[text], ...everyTextSplit(text)]) {
      const { messages, error } = parse(chunks);
      expect(error).toBeInstanceOf(ProtocolError);
      expect(messages).toEqual([{ data: 'ok' }]);
    }
  });

  it('events within the limit pass in one chunk and at every split, with CR, LF and CRLF line ends', () => {
    const text = `: comment\r\ndata: ${'a'.repeat(40)}\r\rdata: ${'b'.repeat(20)}\ndata: c\n\nevent: e\rdata: d\r\n\r\n`;
    const whole = parse([text]);
    expect(whole.error).toBeUndefined();
    expect(whole.messages).toHaveLength(3);
    for (const chunks of everyTextSplit(text)) expect(parse(chunks)).toEqual(whole);
  });

  it('property: any chunking of any text gives the verdict and the messages of the whole text', () => {
    const line = fc.oneof(
      fc.string({ maxLength: 90 }).map((s) => `data: ${s.replace(/[\r\n]/g, '')}`),
      fc.constantFrom('', ': ping', 'event: x', 'id: 7'),
    );
    const ending = fc.constantFrom('\n', '\r', '\r\n');
    const text = fc
      .array(
        fc.tuple(line, ending).map(([l, e]) => l + e),
        { maxLength: 12 },
      )
      .map((lines) => lines.join(''));
    const cuts = fc.array(fc.nat(), { maxLength: 8 });
    fc.assert(
      fc.property(text, cuts, (t, points) => {
        const at = [...new Set(points.map((p) => p % (t.length + 1)))].sort((a, b) => a - b);
        const chunks = [0, ...at].map((start, i) => t.slice(start, at[i] ?? t.length)).filter((c) => c !== '');
        const whole = parse([t]);
        const split = parse(chunks);
        expect(split.messages).toEqual(whole.messages);
        expect(split.error?.constructor).toBe(whole.error?.constructor);
      }),
      propertyParameters(),
    );
  });
});
