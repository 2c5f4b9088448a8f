import { createParser, type EventSourceMessage, type ParseError } from 'eventsource-parser';
import { defer, ignoreElements, merge, Observable, tap, type OperatorFunction, type Subscriber } from 'rxjs';
import { ConfigError, ProtocolError } from '../errors.js';
import type { SseMessage } from '../types.js';

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
 * 6. More than `maxBufferSize` buffered characters is a `ProtocolError` (`eventType: ''`: no
 *    event type is known at the SSE layer). Source errors pass through unchanged.
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
  return (source) =>
    defer(() => {
      // The standard's "last event ID buffer": it survives dispatch, the parser's `id` does not.
      let lastEventId = '';
      // The previous chunk ended in CR and was already terminated: a leading LF is its CRLF half.
      let dropLeadingLf = false;
      // The output side of the bridge: the parser writes here, synchronously, from inside feed().
      let sink!: Subscriber<SseMessage>;
      const messages = new Observable<SseMessage>((subscriber) => {
        sink = subscriber;
      });

      const parser = createParser({
        maxBufferSize,
        onEvent(event: EventSourceMessage) {
          if (event.id !== undefined) lastEventId = event.id;
          if (sink.closed) return; // Unsubscribed by an earlier message of this chunk.
          const message: SseMessage = event.event === undefined ? { data: event.data } : { event: event.event, data: event.data };
          if (lastEventId !== '') message.id = lastEventId;
          sink.next(message);
        },
        onError(error: ParseError) {
          // 'unknown-field' and 'invalid-retry': the standard ignores such lines, and so do we.
          // The throw leaves parser.feed() and is turned into the stream's error by `tap`.
          if (error.type === 'max-buffer-size-exceeded') {
            throw new ProtocolError(
              `SSE event too large: more than ${maxBufferSize} characters buffered without an end of event (maxBufferSize)`,
              { eventType: '', issues: [error.message] },
              { cause: error },
            );
          }
        },
      });

      const feed = (chunk: string): void => {
        if (dropLeadingLf && chunk.length > 0) {
          dropLeadingLf = false;
          if (chunk.charCodeAt(0) === LF) chunk = chunk.slice(1);
        }
        if (chunk.length === 0) return;
        parser.feed(chunk);
        // eventsource-parser holds a trailing CR back until it knows whether an LF follows,
        // which would delay the message to the next chunk. A CR ends the line either way, so
        // end it now with an LF ("\r\n" is one line ending) and drop a leading LF next time.
        if (chunk.charCodeAt(chunk.length - 1) === CR) {
          parser.feed('\n');
          dropLeadingLf = true;
        }
      };

      const end = (): void => {
        // reset({ consume: true }) parses a pending line but never dispatches it: end the event
        // with blank lines instead. After a clean end they dispatch nothing: a block without
        // data lines is never dispatched.
        parser.feed('\n\n');
        sink.complete();
      };

      // The input side: `tap` (not a hand-written subscribe) so that its subscriber is linked to
      // the downstream one through `merge`: an unsubscribe from inside a message's `next` (e.g.
      // at the terminal event) closes it, and a synchronous source pulls no further chunk. `tap`
      // also turns a throw from the parser or its callbacks into the stream's error. `messages`
      // is subscribed first, so `sink` is set before the first chunk arrives. No per-chunk inner
      // Observable: messages go straight from the parser to the downstream subscriber.
      return merge(messages, source.pipe(tap({ next: feed, complete: end }), ignoreElements()));
    });
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
