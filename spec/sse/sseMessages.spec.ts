import { from, Subject, take, takeWhile, tap } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { ConfigError, ProtocolError } from '../../src/errors.js';
import { DEFAULT_SSE_MAX_BUFFER_SIZE, sseMessages, type SseMessagesOptions } from '../../src/sse/sseMessages.js';
import type { SseMessage } from '../../src/types.js';
import { everyTextSplit, everyTextSplit3 } from '../helpers/splits.js';
import { pulledSource } from '../helpers/pulledSource.js';
import { expectProblemAndFix } from '../helpers/configMessage.js';

// Quotes are from the WHATWG HTML Standard, section 9.2.6 "Interpreting an event stream":
// https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation

/** Jest's toEqual compares only an Error's message: compare class name and message instead. */
function normalise(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalise);
  if (value instanceof Error) return { errorClass: value.constructor.name, message: value.message };
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalise(v)]));
  return value;
}
const testScheduler = (): TestScheduler => new TestScheduler((actual, expected) => expect(normalise(actual)).toEqual(normalise(expected)));

/** Feeds the chunks synchronously; returns the messages (toStrictEqual-able) and any error. */
function parse(chunks: string[], options?: SseMessagesOptions): { messages: SseMessage[]; error?: unknown } {
  const messages: SseMessage[] = [];
  let error: unknown;
  let completed = false;
  from(chunks)
    .pipe(sseMessages(options))
    .subscribe({ next: (m) => messages.push(m), error: (e) => (error = e), complete: () => (completed = true) });
  if (error === undefined && !completed) throw new Error('sseMessages did not finish synchronously');
  return { messages, error };
}

/** The messages of the whole text, checked to be the same under every 2- and 3-way split. */
function parseEverySplit(text: string): SseMessage[] {
  const whole = parse([text]);
  expect(whole.error).toBeUndefined();
  const expected = JSON.stringify(whole);
  // expect() only on a mismatch: thousands of splits, and a readable diff when one differs.
  const check = (chunks: string[]): void => {
    const got = parse(chunks);
    if (JSON.stringify(got) !== expected) expect({ chunks, ...got }).toStrictEqual({ chunks, ...whole });
  };
  for (const chunks of everyTextSplit(text)) check(chunks);
  if (text.length <= 80) for (const chunks of everyTextSplit3(text)) check(chunks);
  check([...text]);
  return whole.messages;
}

describe('sseMessages', () => {
  describe('timing (marbles)', () => {
    it('emits in the frame of the chunk that completes the event, and completes with the source', () => {
      testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const src = cold('-a--b-c--d-|', { a: 'event: x\ndata: 1', b: '\n', c: '\n', d: 'data: 2\n\n' });
        expectObservable(src.pipe(sseMessages())).toBe('------m--n-|', { m: { event: 'x', data: '1' }, n: { data: '2' } });
        expectSubscriptions(src.subscriptions).toBe('^----------!');
      });
    });

    it('several events in one chunk are emitted in that frame, in order', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        const src = cold('--a---|', { a: 'data: 1\n\ndata: 2\n\ndata: 3' });
        // The third has no blank line: it is dispatched at completion.
        expectObservable(src.pipe(sseMessages())).toBe('--(xy)(z|)', { x: { data: '1' }, y: { data: '2' }, z: { data: '3' } });
      });
    });

    it('a CR at the end of a chunk ends the line at once: the event is not held back for the next chunk', () => {
      // "a single U+000D CARRIAGE RETURN (CR) character not followed by a U+000A LINE FEED (LF)
      // character" ends a line, and so does CRLF: either way the line ended at the CR.
      testScheduler().run(({ cold, expectObservable }) => {
        const src = cold('-a-b---c-|', { a: 'data: 1\r', b: '\r', c: 'data: 2\r\r' });
        expectObservable(src.pipe(sseMessages())).toBe('---x---y-|', { x: { data: '1' }, y: { data: '2' } });
      });
    });

    it('CR at the end of one chunk and LF at the start of the next are one line ending (CRLF), not two', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        // Were the LF a second line ending, the blank line would dispatch "1" at frame b.
        const src = cold('-a-b-c-|', { a: 'data: 1\r', b: '\ndata: 2\r', c: '\n\r\n' });
        expectObservable(src.pipe(sseMessages())).toBe('-----x-|', { x: { data: '1\n2' } });
      });
    });

    it('a final event without its blank line is dispatched when the source completes', () => {
      // The standard says the opposite: "Once the end of the file is reached, any pending data
      // must be discarded. (If the file ends in the middle of an event, before the final empty
      // line, the pending event is not dispatched.)" We deliberately keep it (pi #9047,
      // openai-node #2725): a server that closes right after its last line loses no event.
      testScheduler().run(({ cold, expectObservable }) => {
        const src = cold('-a--|', { a: 'event: response.completed\ndata: {}' });
        expectObservable(src.pipe(sseMessages())).toBe('----(x|)', { x: { event: 'response.completed', data: '{}' } });
      });
    });

    it('a source error passes through unchanged, and a pending event is not dispatched', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        const boom = new Error('socket hang up');
        const src = cold('-a-b-#', { a: 'data: 1\n\n', b: 'data: 2' }, boom);
        expectObservable(src.pipe(sseMessages())).toBe('-x---#', { x: { data: '1' } }, boom);
      });
    });

    it('is synchronous: from(["data: a\\n\\n"]) has emitted by the time subscribe returns', () => {
      const seen: SseMessage[] = [];
      from(['data: a\n\n'])
        .pipe(sseMessages())
        .subscribe((m) => seen.push(m));
      expect(seen).toStrictEqual([{ data: 'a' }]);
    });
  });

  describe('unsubscription reaches the source, also a synchronous one', () => {
    it('marbles: a downstream take(1) unsubscribes the source in the frame of the first message', () => {
      testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const src = cold('-a-b-|', { a: 'data: 1\n\n', b: 'data: 2\n\n' });
        expectObservable(src.pipe(sseMessages(), take(1))).toBe('-(x|)', { x: { data: '1' } });
        expectSubscriptions(src.subscriptions).toBe('^!');
      });
    });

    it('a downstream that unsubscribes inside next stops a synchronous source before its next chunk is pulled', () => {
      const { source, pulled, closed } = pulledSource(['data: 1\n\n', 'data: 2\n\n', 'data: 3\n\n']);
      const seen: SseMessage[] = [];
      let completed = false;
      from(source)
        .pipe(sseMessages(), take(1))
        .subscribe({ next: (m) => seen.push(m), complete: () => (completed = true) });
      expect(seen).toStrictEqual([{ data: '1' }]);
      expect(completed).toBe(true);
      expect(pulled).toEqual([0]);
      expect(closed()).toBe(true); // the generator's return() ran: the iteration was abandoned
    });

    it('an unsubscribe by a message in the middle of a chunk: later messages of that chunk are not emitted, no chunk is read after it', () => {
      let reads = 0;
      const seen: SseMessage[] = [];
      from(['event: a\ndata: 1\n\nevent: terminal\ndata: 2\n\nevent: b\ndata: 3\n\n', 'data: 4\n\n', 'data: 5'])
        .pipe(
          tap(() => reads++),
          sseMessages(),
          takeWhile((m) => m.event !== 'terminal', true),
        )
        .subscribe((m) => seen.push(m));
      expect(seen).toStrictEqual([
        { event: 'a', data: '1' },
        { event: 'terminal', data: '2' },
      ]);
      expect(reads).toBe(1);
    });

    it('a chunk ending in CR: the message it completes can unsubscribe, and nothing more is read', () => {
      let reads = 0;
      const seen: SseMessage[] = [];
      from(['data: 1\r\r', '\ndata: 2\r\r'])
        .pipe(
          tap(() => reads++),
          sseMessages(),
          take(1),
        )
        .subscribe((m) => seen.push(m));
      expect(seen).toStrictEqual([{ data: '1' }]);
      expect(reads).toBe(1);
    });

    it('a ProtocolError (maxBufferSize) stops a synchronous source too', () => {
      const { source, pulled, closed } = pulledSource(['data: ok\n\n', `data: ${'x'.repeat(100)}`, 'data: never\n\n']);
      const seen: SseMessage[] = [];
      let error: unknown;
      from(source)
        .pipe(sseMessages({ maxBufferSize: 64 }))
        .subscribe({ next: (m) => seen.push(m), error: (e) => (error = e) });
      expect(error).toBeInstanceOf(ProtocolError);
      expect(seen).toStrictEqual([{ data: 'ok' }]);
      expect(pulled).toEqual([0, 1]);
      expect(closed()).toBe(true);
    });
  });

  describe('line endings: LF, CR and CRLF, not only the LF-LF the Rust client split on', () => {
    // "Lines must be separated by either a U+000D CARRIAGE RETURN U+000A LINE FEED (CRLF)
    // character pair, a single U+000A LINE FEED (LF) character, or a single U+000D CARRIAGE
    // RETURN (CR) character."
    const expected = [{ event: 'a', data: 'x' }, { data: 'y\nz' }];
    it.each([
      ['LF', '\n'],
      ['CRLF (the Rust client never split an all-CRLF stream)', '\r\n'],
      ['CR', '\r'],
    ])('%s, at every split point', (_name, eol) => {
      const text = ['event: a', 'data: x', '', 'data: y', 'data: z', '', ''].join(eol);
      expect(parseEverySplit(text)).toStrictEqual(expected);
    });

    it('mixed LF, CR and CRLF in one stream, at every 2- and 3-way split', () => {
      expect(parseEverySplit('event: a\rdata: x\r\n\ndata: y\ndata: z\r\r\n')).toStrictEqual(expected);
    });

    it('CR CR is two line endings; CR LF is one; LF CR is two', () => {
      expect(parseEverySplit('data: 1\r\rdata: 2\r\n\r\ndata: 3\n\rdata: 4\n\n')).toStrictEqual([
        { data: '1' },
        { data: '2' },
        { data: '3' },
        { data: '4' },
      ]);
    });

    it('an empty chunk between CR and LF does not break the pair', () => {
      expect(parse(['data: 1\r', '', '\n', '\r\n']).messages).toStrictEqual([{ data: '1' }]);
      expect(parse(['data: 1\r', '\n', '\n']).messages).toStrictEqual([{ data: '1' }]);
    });
  });

  describe('fields', () => {
    it('multi-line data is joined with "\\n"', () => {
      // "If the field name is "data": Append the field value to the data buffer, then append a
      // single U+000A LINE FEED (LF) character to the data buffer." … "If the data buffer's last
      // character is a U+000A LINE FEED (LF) character, then remove the last character".
      expect(parseEverySplit('data: a\ndata:\ndata: b\n\n')).toStrictEqual([{ data: 'a\n\nb' }]);
    });

    it('one leading space of a value is removed, not more; no colon means an empty value', () => {
      // "If value starts with a U+0020 SPACE character, remove it from value." and, for a line
      // without a colon: "using the whole line as the field name, and the empty string as the
      // field value."
      expect(parseEverySplit('data:  two\n\ndata:none\n\ndata\n\n')).toStrictEqual([{ data: ' two' }, { data: 'none' }, { data: '' }]);
    });

    it('comments are ignored, also between data lines', () => {
      // "If the line starts with a U+003A COLON character (:) Ignore the line."
      expect(parseEverySplit(': keepalive\n\ndata: a\n: ping\ndata: b\n\n:\n\n')).toStrictEqual([{ data: 'a\nb' }]);
    });

    it('a block without data is not dispatched', () => {
      // "If the data buffer is an empty string, set the data buffer and the event type buffer to
      // the empty string and return."
      expect(parseEverySplit('event: lonely\n\ndata: a\n\n')).toStrictEqual([{ data: 'a' }]);
    });

    it('event: sets the type of that event only; an empty event: leaves it unset', () => {
      expect(parseEverySplit('event: x\ndata: 1\n\ndata: 2\n\nevent:\ndata: 3\n\n')).toStrictEqual([
        { event: 'x', data: '1' },
        { data: '2' },
        { data: '3' },
      ]);
    });

    it('retry: and unknown fields are ignored (ParseErrors of that kind do not fail the stream)', () => {
      // "If the field name is "retry": If the field value consists of only ASCII digits, then
      // … set the event stream's reconnection time … Otherwise, ignore the field." and for any
      // other name: "Otherwise: The field is ignored."
      expect(parseEverySplit('retry: 1000\nretry: soon\nfoo: bar\nDATA: upper\ndata: a\n\n')).toStrictEqual([{ data: 'a' }]);
    });

    it('the id is the Last-Event-ID: it persists onto later events until the server changes it', () => {
      // "If the field name is "id": If the field value does not contain U+0000 NULL, then set
      // the last event ID buffer to the field value. Otherwise, ignore the field." and, at
      // dispatch: "The buffer does not get reset, so the last event ID string of the event
      // source remains set to this value until the next time it is set by the server."
      expect(
        parseEverySplit('data: 0\n\nid: 1\ndata: a\n\ndata: b\n\nid: 2\ndata: c\n\nid: x\0y\ndata: d\n\nid:\ndata: e\n\ndata: f\n\n'),
      ).toStrictEqual([
        { data: '0' },
        { id: '1', data: 'a' },
        { id: '1', data: 'b' },
        { id: '2', data: 'c' },
        { id: '2', data: 'd' }, // an id with NUL is ignored
        { data: 'e' }, // an empty id resets the Last-Event-ID
        { data: 'f' },
      ]);
    });

    it('the Last-Event-ID is per subscription', () => {
      const op = sseMessages();
      const run = (text: string): SseMessage[] => {
        const out: SseMessage[] = [];
        from([text])
          .pipe(op)
          .subscribe((m) => out.push(m));
        return out;
      };
      expect(run('id: 7\ndata: a\n\n')).toStrictEqual([{ id: '7', data: 'a' }]);
      expect(run('data: b\n\n')).toStrictEqual([{ data: 'b' }]);
    });

    it('a BOM-free stream is required: decodeUtf8 strips the BOM; a U+FEFF reaching this operator is text', () => {
      // The standard strips one leading BOM while *decoding* ("One leading U+FEFF BYTE ORDER
      // MARK character must be ignored if any are present"); in codex-rx that is decodeUtf8's job.
      expect(parse(['\ufeffdata: a\n\ndata: b\n\n']).messages).toStrictEqual([{ data: 'b' }]);
    });
  });

  describe('size', () => {
    it('a huge single event (1 MB of data) works, fed in 16 KiB chunks', () => {
      const payload = `{"type":"response.completed","x":"${'é'.repeat(1 << 19)}"}`; // 1 MiB of UTF-16 (~1 MB chars)
      const text = `event: response.completed\ndata: ${payload}\n\n`;
      const chunks: string[] = [];
      for (let i = 0; i < text.length; i += 16384) chunks.push(text.slice(i, i + 16384));
      const { messages, error } = parse(chunks);
      expect(error).toBeUndefined();
      expect(messages).toHaveLength(1);
      expect(messages[0]!.data).toBe(payload);
    });

    it('more than maxBufferSize buffered characters is a ProtocolError, and stops the source', () => {
      const src = new Subject<string>();
      const seen: SseMessage[] = [];
      let error: unknown;
      src.pipe(sseMessages({ maxBufferSize: 64 })).subscribe({ next: (m) => seen.push(m), error: (e) => (error = e) });
      src.next('data: ok\n\n');
      src.next(`data: ${'x'.repeat(40)}`);
      expect(error).toBeUndefined();
      src.next('y'.repeat(40));
      expect(error).toBeInstanceOf(ProtocolError);
      expect((error as ProtocolError).code).toBe('ERR_CODEX_PROTOCOL');
      expect((error as ProtocolError).message).toMatch(/more than 64 characters buffered/);
      expect((error as ProtocolError).eventType).toBe('');
      expect((error as ProtocolError).issues).toEqual(['Buffered data exceeded max buffer size of 64 characters']);
      expect(src.observed).toBe(false);
      expect(seen).toStrictEqual([{ data: 'ok' }]);
    });

    it('multi-line events count towards maxBufferSize too', () => {
      const { error } = parse(['data: 0123456789\n'.repeat(10), '\n'], { maxBufferSize: 100 });
      expect(error).toBeInstanceOf(ProtocolError);
    });

    it('the default limit is 32 Mi characters', () => {
      expect(DEFAULT_SSE_MAX_BUFFER_SIZE).toBe(32 * 1024 * 1024);
    });
  });

  describe('options are validated when the operator is created', () => {
    it.each([
      [{ maxBufferSize: 0 }, /maxBufferSize must be a positive integer, got 0/],
      [{ maxBufferSize: 1.5 }, /positive integer/],
      [{ maxBufferSize: '10' }, /positive integer, got 10/],
      [{ maxBufferSize: Infinity }, /positive integer/],
      [{ maxBuffer: 10 }, /unexpected option: maxBuffer/],
      [null, /options must be an object, got null/],
    ])('%p → ConfigError', (options, message) => {
      let thrown: unknown;
      try {
        sseMessages(options as never);
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(ConfigError);
      expect((thrown as Error).message).toMatch(message);
      expectProblemAndFix((thrown as Error).message, (thrown as Error).message.slice(0, (thrown as Error).message.indexOf('. ')));
    });

    it('type-checks: options are typed', () => {
      // @ts-expect-error unknown key
      expect(() => sseMessages({ maxBytes: 1 })).toThrow(ConfigError);
    });
  });
});
