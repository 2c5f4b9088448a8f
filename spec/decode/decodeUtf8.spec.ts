import { from, Subject, take, takeWhile, tap } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { decodeUtf8 } from '../../src/decode/decodeUtf8.js';
import { InvalidUtf8Error } from '../../src/errors.js';
import { byteByByte, chunksOf, everySplit } from '../helpers/splits.js';
import { pulledSource } from '../helpers/pulledSource.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const u8 = (...b: number[]): Uint8Array => Uint8Array.from(b);

/** Jest's toEqual compares only an Error's message: compare class name and message instead. */
function normalise(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalise);
  if (value instanceof Error) return { errorClass: value.constructor.name, message: value.message };
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalise(v)]));
  }
  return value;
}

const testScheduler = (): TestScheduler => new TestScheduler((actual, expected) => expect(normalise(actual)).toEqual(normalise(expected)));

/** Runs chunks through decodeUtf8 synchronously and returns the texts, or throws the error. */
function decodeAll(chunks: Uint8Array[]): { texts: string[]; error?: unknown } {
  const texts: string[] = [];
  let error: unknown;
  let completed = false;
  from(chunks)
    .pipe(decodeUtf8())
    .subscribe({ next: (t) => texts.push(t), error: (e) => (error = e), complete: () => (completed = true) });
  if (error === undefined && !completed) throw new Error('decodeUtf8 did not finish synchronously');
  return { texts, error };
}

const MULTIBYTE = 'a€b😀c\u00e9\u4e2d\ud83d\udc68\u200d\ud83d\udcbb.'; // 1-, 2-, 3- and 4-byte characters, a ZWJ sequence

describe('decodeUtf8', () => {
  it('marbles: emits each chunk’s text in the chunk’s frame and completes with the source', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const src = cold('-a--b-c-|', { a: enc('data: '), b: enc('héllo'), c: enc('\n\n') });
      const subs = '    ^-------!';
      expectObservable(src.pipe(decodeUtf8())).toBe('-x--y-z-|', { x: 'data: ', y: 'héllo', z: '\n\n' });
      expectSubscriptions(src.subscriptions).toBe(subs);
    });
  });

  it('marbles: a character split across chunks comes out whole, in the frame of its last byte; no empty strings', () => {
    const euro = enc('€'); // e2 82 ac
    testScheduler().run(({ cold, expectObservable }) => {
      const src = cold('-a-b-c-d-|', { a: enc('x'), b: euro.subarray(0, 1), c: euro.subarray(1, 2), d: euro.subarray(2) });
      expectObservable(src.pipe(decodeUtf8())).toBe('-x-----e-|', { x: 'x', e: '€' });
    });
  });

  it('marbles: a chunk that holds the end of one character and the start of the next emits the finished one', () => {
    const bytes = enc('€😀'); // 3 + 4 bytes
    testScheduler().run(({ cold, expectObservable }) => {
      const src = cold('-a-b-c|', { a: bytes.subarray(0, 2), b: bytes.subarray(2, 5), c: bytes.subarray(5) });
      expectObservable(src.pipe(decodeUtf8())).toBe('---x-y|', { x: '€', y: '😀' });
    });
  });

  it('marbles: invalid bytes error with InvalidUtf8Error in their frame and unsubscribe the source', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const src = cold('-a-b-c-|', { a: enc('ok'), b: u8(0x41, 0xff), c: enc('never') });
      expectObservable(src.pipe(decodeUtf8())).toBe(
        '-x-#',
        { x: 'ok' },
        new InvalidUtf8Error('Invalid UTF-8 in OpenAI Codex stream: encountered invalid byte sequence at byte offset 3'),
      );
      expectSubscriptions(src.subscriptions).toBe('^--!');
    });
  });

  it('marbles: a source error passes through unchanged', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const boom = new Error('socket hang up');
      const src = cold('-a-#', { a: enc('ok') }, boom);
      expectObservable(src.pipe(decodeUtf8())).toBe('-x-#', { x: 'ok' }, boom);
    });
  });

  it('marbles: a character left unfinished at completion is an InvalidUtf8Error at completion', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const src = cold('-a-|', { a: u8(0x68, 0x69, 0xf0, 0x9f) });
      expectObservable(src.pipe(decodeUtf8())).toBe(
        '-x-#',
        { x: 'hi' },
        new InvalidUtf8Error(
          'Invalid UTF-8 in OpenAI Codex stream: the stream ended inside a multi-byte character (2 bytes at byte offset 2)',
        ),
      );
    });
  });

  it('is synchronous: the text is out by the time next() returns', () => {
    const subject = new Subject<Uint8Array>();
    const seen: string[] = [];
    subject.pipe(decodeUtf8()).subscribe((t) => seen.push(t));
    subject.next(enc('a'));
    expect(seen).toEqual(['a']);
  });

  it('every split of multi-byte text decodes to the same text, with no empty emission', () => {
    const bytes = enc(MULTIBYTE);
    let splits = 0;
    for (const chunks of everySplit(bytes)) {
      const { texts, error } = decodeAll(chunks);
      expect(error).toBeUndefined();
      expect(texts.join('')).toBe(MULTIBYTE);
      expect(texts).not.toContain('');
      splits++;
    }
    expect(splits).toBe(bytes.length - 1);
  });

  it('byte by byte, and in 2- and 3-byte chunks, decodes to the same text', () => {
    const bytes = enc(MULTIBYTE.repeat(3));
    for (const chunks of [byteByByte(bytes), chunksOf(bytes, 2), chunksOf(bytes, 3)]) {
      const { texts, error } = decodeAll(chunks);
      expect(error).toBeUndefined();
      expect(texts.join('')).toBe(MULTIBYTE.repeat(3));
    }
  });

  it('accepts Node Buffers', () => {
    expect(decodeAll([Buffer.from('hé'), Buffer.from('llo')]).texts).toEqual(['hé', 'llo']);
  });

  describe('byte order mark', () => {
    const bom = u8(0xef, 0xbb, 0xbf);
    const withBom = new Uint8Array([...bom, ...enc('data: x\n\n')]);

    it('drops a BOM at the very start, however it is split', () => {
      for (const chunks of [[withBom], ...everySplit(withBom), byteByByte(withBom)]) {
        const { texts } = decodeAll(chunks);
        expect(texts.join('')).toBe('data: x\n\n');
        expect(texts).not.toContain('');
      }
    });

    it('a lone BOM chunk emits nothing', () => {
      expect(decodeAll([bom, enc('a')]).texts).toEqual(['a']);
    });

    it('keeps a BOM that is not at the start', () => {
      expect(decodeAll([enc('a'), bom]).texts.join('')).toBe('a\ufeff');
    });

    it('drops only one BOM', () => {
      expect(decodeAll([bom, bom, enc('a')]).texts.join('')).toBe('\ufeffa');
    });
  });

  describe('invalid input', () => {
    const cases: Array<[string, Uint8Array[], number]> = [
      ['a stray continuation byte', [u8(0x61, 0x62, 0x80)], 2],
      ['0xFF', [enc('abc'), u8(0xff)], 3],
      ['an overlong encoding (C0 80)', [u8(0x61, 0xc0, 0x80)], 1],
      ['a UTF-16 surrogate (ED A0 80)', [enc('xy'), u8(0xed, 0xa0, 0x80)], 2],
      ['a code point above U+10FFFF (F4 90 80 80)', [u8(0xf4, 0x90, 0x80, 0x80)], 0],
      ['a lead byte followed by ASCII, across chunks', [enc('hello '), u8(0xe2, 0x82), enc('A')], 6],
      ['a lead byte followed by ASCII, one byte per chunk', [enc('ab'), u8(0xf0), u8(0x9f), u8(0x41)], 2],
      ['a new lead byte where a continuation was expected', [enc('ab'), u8(0xe2), u8(0xe2, 0x82, 0xac)], 2],
    ];
    it.each(cases)('%s → InvalidUtf8Error with the byte offset', (_name, chunks, at) => {
      const { error } = decodeAll(chunks);
      expect(error).toBeInstanceOf(InvalidUtf8Error);
      expect((error as InvalidUtf8Error).code).toBe('ERR_CODEX_INVALID_UTF8');
      expect((error as Error).message).toBe(`Invalid UTF-8 in OpenAI Codex stream: encountered invalid byte sequence at byte offset ${at}`);
      // TextDecoder's TypeError comes from Node's realm, not jest's: compare by name.
      expect(((error as Error).cause as Error).name).toBe('TypeError');
    });

    it('the text before the bad bytes in earlier chunks was emitted; nothing after', () => {
      const { texts, error } = decodeAll([enc('good '), u8(0xff), enc('never')]);
      expect(texts).toEqual(['good ']);
      expect(error).toBeInstanceOf(InvalidUtf8Error);
    });

    it('a dangling partial character at the end is an error (the Rust client dropped it silently)', () => {
      for (const chunks of everySplit(u8(0x61, 0xe2, 0x82))) {
        const { error } = decodeAll(chunks);
        expect(error).toBeInstanceOf(InvalidUtf8Error);
        expect((error as Error).message).toMatch(/ended inside a multi-byte character \(2 bytes at byte offset 1\)/);
      }
    });

    it('a non-Uint8Array chunk is a TypeError, not an InvalidUtf8Error', () => {
      const { error } = decodeAll(['text' as unknown as Uint8Array]);
      expect((error as Error).name).toBe('TypeError');
      expect(error).not.toBeInstanceOf(InvalidUtf8Error);
    });
  });

  describe('unsubscription reaches a synchronous source', () => {
    it('a downstream that unsubscribes inside next stops the source before its next chunk is pulled', () => {
      const { source, pulled, closed } = pulledSource([enc('a'), enc('b'), enc('c')]);
      const seen: string[] = [];
      let completed = false;
      from(source)
        .pipe(decodeUtf8(), take(1))
        .subscribe({ next: (t) => seen.push(t), complete: () => (completed = true) });
      expect(seen).toEqual(['a']);
      expect(completed).toBe(true);
      expect(pulled).toEqual([0]);
      expect(closed()).toBe(true); // the generator's return() ran: the iteration was abandoned
    });

    it('from(array): chunks after the one that ended the subscription are never read (counted with tap)', () => {
      let reads = 0;
      const seen: string[] = [];
      from([enc('data: 1\n\n'), enc('data: end\n\n'), enc('data: 3\n\n'), u8(0xff)])
        .pipe(
          tap(() => reads++),
          decodeUtf8(),
          takeWhile((t) => !t.includes('end'), true),
        )
        .subscribe((t) => seen.push(t));
      expect(seen).toEqual(['data: 1\n\n', 'data: end\n\n']);
      expect(reads).toBe(2);
    });

    it('after an unsubscribe the decoder is not flushed: a character left unfinished is no error', () => {
      let error: unknown;
      let completed = false;
      from([enc('a'), u8(0xe2, 0x82)])
        .pipe(decodeUtf8(), take(1))
        .subscribe({ error: (e) => (error = e), complete: () => (completed = true) });
      expect(error).toBeUndefined();
      expect(completed).toBe(true);
    });

    it('invalid bytes stop the synchronous source too', () => {
      const { source, pulled, closed } = pulledSource([enc('ok'), u8(0xff), enc('never')]);
      let error: unknown;
      from(source)
        .pipe(decodeUtf8())
        .subscribe({ error: (e) => (error = e) });
      expect(error).toBeInstanceOf(InvalidUtf8Error);
      expect(pulled).toEqual([0, 1]);
      expect(closed()).toBe(true);
    });
  });

  it('each subscription gets its own decoder (no state leaks across resubscription)', () => {
    const subject = new Subject<Uint8Array>();
    const decoded = subject.pipe(decodeUtf8());
    const first: string[] = [];
    const sub = decoded.subscribe((t) => first.push(t));
    subject.next(enc('€').subarray(0, 2)); // the first subscription is left mid-character...
    sub.unsubscribe();
    const second: string[] = [];
    let error: unknown;
    decoded.subscribe({ next: (t) => second.push(t), error: (e) => (error = e) });
    subject.next(enc('a')); // ...which a shared decoder would turn into an invalid sequence
    expect(first).toEqual([]);
    expect(second).toEqual(['a']);
    expect(error).toBeUndefined();
  });
});
