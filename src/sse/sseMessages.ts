import { createParser, type EventSourceMessage, type EventSourceParser, type ParseError } from 'eventsource-parser';
import type { OperatorFunction } from 'rxjs';
import { ConfigError, ProtocolError } from '../errors.js';
import type { SseMessage } from '../types.js';
import { pushParser, type PushParser } from './pushParser.js';

/** Options of {@link sseMessages}. */
export interface SseMessagesOptions {
  /**
   * The most characters the parser may buffer for one unfinished line or event. A server (or a
   * broken proxy) that never sends a blank line would otherwise grow memory without bound.
   * Codex's largest events (`response.completed` repeats the whole output, encrypted reasoning
   * included) stay far below it.
   * @default 33554432 (32 Mi characters)
   */
  maxBufferSize?: number;
}

/** The default {@link SseMessagesOptions.maxBufferSize}: 32 Mi characters. */
export const DEFAULT_SSE_MAX_BUFFER_SIZE = 32 * 1024 * 1024;

const LF = 10;
const CR = 13;
const COLON = 58;

/**
 * Parses Server-Sent Events text into messages, with eventsource-parser.
 *
 * 1. One parser per subscription. Lines may end with LF, CR or CRLF, in any mix, and a CRLF may
 *    be split across chunks (the Rust client split on `"\n\n"` only: docs/behaviour.md#streaming-state).
 * 2. A message is emitted synchronously, in the frame of the chunk that completes it: a chunk
 *    ending in CR dispatches at once (the CR ends the line whatever follows; an LF at the start
 *    of the next chunk is then dropped as the second half of a CRLF).
 * 3. `data:` lines are joined with `"\n"`; `event:` becomes `event` (absent when empty);
 *    comments, `retry:` and unknown fields are ignored, as the WHATWG standard says.
 * 4. `id` is the Last-Event-ID: the value of the latest `id:` field seen in a dispatched
 *    message, carried onto every later message until the server sets another (an empty `id:`
 *    clears it). Limitation: an `id:` in a block with no `data:` is not seen (the parser does
 *    not report it).
 * 5. When the source completes, a last message without its blank line is still dispatched
 *    (the WHATWG standard drops it; some servers end the body without it), then the Observable completes.
 * 6. An event (its lines, comments aside, plus the line being read) of more than
 *    `maxBufferSize` characters is a `ProtocolError` (`eventType: ''`: no event type is known
 *    at the SSE layer), however the text is chunked. Source errors pass through unchanged.
 * 7. Unsubscribing stops the source at once, even a synchronous one from inside a `next` (as
 *    `parseResponseStream` does at the terminal event): no later chunk is pulled,
 *    and no later message of the current chunk is emitted.
 *
 * ## Example
 *
 * ```ts
 * import { decodeUtf8, fromBody, sseMessages } from 'codex-rx';
 *
 * fromBody(response.body!)
 *   .pipe(decodeUtf8(), sseMessages())
 *   .subscribe(({ event, data }) => console.log(event, data));
 * ```
 *
 * @see https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation
 * @param options Optional limits; unknown keys and invalid values throw `ConfigError` here.
 * @return A function that returns an Observable that emits one `SseMessage` per dispatched
 * event and completes with its source.
 */
export function sseMessages(options: SseMessagesOptions = {}): OperatorFunction<string, SseMessage> {
  const maxBufferSize = validateOptions(options);
  return pushParser<string, SseMessage>((output) => {
    const reader: SseReader = new SseReader(maxBufferSize, (data, event) => {
      if (output.closed) return; // Unsubscribed by an earlier message of this chunk.
      const message: SseMessage = event === undefined ? { data } : { event, data };
      if (reader.lastEventId !== '') message.id = reader.lastEventId;
      output.next(message);
    });
    return reader;
  });
}

/**
 * The SSE parser behind {@link sseMessages}, one per stream: eventsource-parser plus what
 * `sseMessages` promises on top of it (CR dispatches at once, the size limit however the text is
 * chunked, Last-Event-ID, a last event without its blank line). `parseResponseStream` drives it
 * directly.
 */
export class SseReader implements PushParser<string> {
  /** The standard's "last event ID buffer": it survives dispatch, the parser's `id` does not. */
  lastEventId = '';
  /** The previous chunk ended in CR and was already terminated: a leading LF is its CRLF half. */
  #dropLeadingLf = false;
  readonly #parser: EventSourceParser;
  readonly #size: EventSize;

  /**
   * @param maxBufferSize The most characters one event may hold.
   * @param onMessage Called synchronously, from inside `feed` or `end`, once per dispatched
   *   event, after `lastEventId` is updated. `event` is undefined when the block set none.
   */
  constructor(
    readonly maxBufferSize: number,
    onMessage: (data: string, event: string | undefined) => void,
  ) {
    this.#parser = createParser({
      maxBufferSize,
      onEvent: (event: EventSourceMessage) => {
        if (event.id !== undefined) this.lastEventId = event.id;
        onMessage(event.data, event.event);
      },
      onError(error: ParseError) {
        // 'unknown-field' and 'invalid-retry': the standard ignores such lines, and so do we.
        // The throw leaves parser.feed() and errors the stream. The size check in `feed` fires
        // first; this one stays as a second line of defence.
        if (error.type === 'max-buffer-size-exceeded') throw tooLarge(maxBufferSize, error);
      },
    });
    // The parser checks its limit only when a feed ends: a whole oversized event inside one
    // chunk would pass, the same event in small chunks would not. So the size of the current
    // event is tracked here, line by line, before each chunk goes in: the verdict depends on
    // the text alone, never on how it was chunked.
    this.#size = new EventSize(maxBufferSize);
  }

  /**
   * Parses a chunk of text, calling `onMessage` for each event it completes.
   * @throws {ProtocolError} When an event passes `maxBufferSize`; the events before it are delivered.
   */
  feed(chunk: string): void {
    if (this.#dropLeadingLf && chunk.length > 0) {
      this.#dropLeadingLf = false;
      if (chunk.charCodeAt(0) === LF) chunk = chunk.slice(1);
    }
    if (chunk.length === 0) return;
    const overflowAt = this.#size.add(chunk);
    if (overflowAt === -1) return this.#feedParser(chunk);
    // The events before the line that is too long are delivered, as they would be from
    // smaller chunks; then the stream fails.
    if (overflowAt > 0) this.#feedParser(chunk.slice(0, overflowAt));
    throw tooLarge(this.maxBufferSize);
  }

  /** The text ended: a last event without its blank line is dispatched too. */
  end(): void {
    // reset({ consume: true }) parses a pending line but never dispatches it: end the event
    // with blank lines instead. After a clean end they dispatch nothing: a block without
    // data lines is never dispatched.
    this.#parser.feed('\n\n');
  }

  #feedParser(chunk: string): void {
    this.#parser.feed(chunk);
    // eventsource-parser holds a trailing CR back until it knows whether an LF follows,
    // which would delay the message to the next chunk. A CR ends the line either way, so
    // end it now with an LF ("\r\n" is one line ending) and drop a leading LF next time.
    if (chunk.charCodeAt(chunk.length - 1) === CR) {
      this.#parser.feed('\n');
      this.#dropLeadingLf = true;
    }
  }
}

function tooLarge(maxBufferSize: number, cause?: unknown): ProtocolError {
  return new ProtocolError(
    `SSE event too large: more than ${maxBufferSize} characters buffered without an end of event (maxBufferSize)`,
    { eventType: '', issues: [`Buffered data exceeded max buffer size of ${maxBufferSize} characters`] },
    cause === undefined ? undefined : { cause },
  );
}

/**
 * The characters the current event holds: its finished lines (comments aside, which the parser
 * drops) plus the line being read. Any line ending (LF, CR, CRLF) finishes a line; a blank line
 * ends the event. It finds the line that passes the limit before the parser is fed, so one
 * 50 MB line is rejected whether it comes in one chunk or in a thousand.
 */
class EventSize {
  /** Characters of the current event's finished lines. */
  #event = 0;
  /** Characters of the line being read (it may have started in an earlier chunk). */
  #line = 0;
  /** Whether the line being read is a comment (`:` first): it is not kept once finished. */
  #comment = false;

  constructor(readonly limit: number) {}

  /**
   * Counts a chunk in, before the parser sees it (after `feed` dropped an LF that completes a CRLF).
   * @return -1 when the event stays within the limit, else where in the chunk the line that
   *   passes it starts (0 when it started in an earlier chunk).
   */
  add(chunk: string): number {
    // A CRLF split across chunks never reaches here: `feed` drops the LF half.
    let at = 0;
    // The next LF and CR from `at`, each searched again only once passed.
    let lf = chunk.indexOf('\n', at);
    let cr = chunk.indexOf('\r', at);
    while (at < chunk.length) {
      if (lf !== -1 && lf < at) lf = chunk.indexOf('\n', at);
      if (cr !== -1 && cr < at) cr = chunk.indexOf('\r', at);
      const end = lf === -1 ? cr : cr === -1 ? lf : Math.min(lf, cr);
      const lineStart = this.#line === 0 ? at : 0;
      if (!this.#grow((end === -1 ? chunk.length : end) - at, chunk.charCodeAt(at))) return lineStart;
      if (end === -1) break;
      this.#finishLine();
      at = end + 1;
      if (end === cr && chunk.charCodeAt(at) === LF) at++;
    }
    return -1;
  }

  /** Adds to the line being read; false once the event passes the limit. */
  #grow(length: number, firstCode: number): boolean {
    if (length === 0) return true;
    if (this.#line === 0) this.#comment = firstCode === COLON;
    this.#line += length;
    return this.#event + this.#line <= this.limit;
  }

  #finishLine(): void {
    if (this.#line === 0)
      this.#event = 0; // a blank line ends the event
    else if (!this.#comment) this.#event += this.#line + 1; // the parser joins data lines with "\n"
    this.#line = 0;
  }
}

function validateOptions(options: SseMessagesOptions): number {
  if (typeof options !== 'object' || options === null) {
    throw new ConfigError(`sseMessages: options must be an object, got ${options === null ? 'null' : typeof options}`);
  }
  for (const key of Object.keys(options)) {
    if (key !== 'maxBufferSize') throw new ConfigError(`sseMessages: unexpected option: ${key}`);
  }
  const { maxBufferSize = DEFAULT_SSE_MAX_BUFFER_SIZE } = options;
  if (typeof maxBufferSize !== 'number' || !Number.isInteger(maxBufferSize) || maxBufferSize < 1) {
    throw new ConfigError(`sseMessages: maxBufferSize must be a positive integer, got ${String(maxBufferSize)}`);
  }
  return maxBufferSize;
}
