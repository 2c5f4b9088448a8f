import type { OperatorFunction, Subscriber } from 'rxjs';
import { Utf8Decoder } from './decode/decodeUtf8.js';
import { checkResponseEventsOptions, responseEventParser, type ResponseEventsOptions } from './events/responseEvents.js';
import type { ResponseStreamEvent } from './events/schemas.js';
import { responseReducer } from './reduce/reduceResponse.js';
import { pushParser, type PushParser } from './sse/pushParser.js';
import { DEFAULT_SSE_MAX_BUFFER_SIZE } from './sse/sseMessages.js';
import { SseReader } from './sse/sseReader.js';
import type { CodexEvent, Diagnostic } from './types.js';

/** Options of {@link parseResponseStream}. */
export type ParseResponseStreamOptions = ResponseEventsOptions;

/**
 * Parses a Codex response body into `CodexEvent`s: `decodeUtf8()` → `sseMessages()` →
 * `responseEvents(options)` → `reduceResponse()`.
 *
 * 1. Bytes are decoded as UTF-8 (a character split across chunks is whole; invalid bytes are an
 *    `InvalidUtf8Error`), framed as SSE (LF, CR, CRLF), parsed and validated, then reduced by
 *    the Codex stream's state machine.
 * 2. Synchronous over a synchronous source: every event is emitted in the tick of the chunk
 *    that completes it, so `from(chunks).pipe(parseResponseStream())` has delivered `done`
 *    when `subscribe` returns.
 * 3. Completes at the terminal event and unsubscribes from the body (which cancels it); errors
 *    with `StreamTruncatedError` if the body ends first. Errors carry `partial` when anything
 *    had been emitted.
 *
 * ## Example
 * ```ts
 * import { fromBody, parseResponseStream, collectResponse } from 'codex-rx';
 *
 * const response = await fetch(url, init);
 * fromBody(response.body!)
 *   .pipe(parseResponseStream({ onDiagnostic: (d) => console.debug(d) }), collectResponse())
 *   .subscribe((result) => console.log(result.text));
 * ```
 *
 * @see {@link responseEvents}
 * @see {@link reduceResponse}
 * @param options Passed to `responseEvents` (`onDiagnostic`); validated here.
 * @return A function that returns an Observable that emits the `CodexEvent`s of the response in
 * the body.
 * @throws {ConfigError} At creation, when the options are invalid.
 */
export function parseResponseStream(options?: ParseResponseStreamOptions): OperatorFunction<Uint8Array, CodexEvent> {
  const { onDiagnostic } = checkResponseEventsOptions(options);
  // One operator for all four stages: each chunk crosses one operator hop, and each event none
  // before the consumer. The deltas of a chunk are reduced in one loop once the chunk is read,
  // not one by one from inside the reader, which V8 optimizes better (bench/OPTIMISATIONS.md).
  // Any other event first reduces the deltas before it, then itself: the terminal event still
  // stops the reading at once.
  return pushParser<Uint8Array, CodexEvent>((output) => {
    const reducer = responseReducer(output);
    const deltas: (ResponseStreamEvent | undefined)[] = [];
    let pending = 0;
    const reduceDeltas = (): void => {
      // Taken first: after a throw from the reducer, nothing is fed again.
      const count = pending;
      pending = 0;
      for (let i = 0; i < count; i++) {
        const event = deltas[i]!;
        deltas[i] = undefined;
        if (!output.closed) reducer.feed(event);
      }
    };
    // A diagnostic comes after the deltas before it, and not at all once the consumer is gone.
    const report =
      onDiagnostic &&
      ((diagnostic: Diagnostic): void => {
        if (pending !== 0) reduceDeltas();
        if (!output.closed) onDiagnostic(diagnostic);
      });
    const wire = wireParser(report, output, (event) => {
      if (typeof (event as { delta?: unknown }).delta === 'string') {
        deltas[pending++] = event;
        return;
      }
      if (pending !== 0) reduceDeltas();
      if (!output.closed) reducer.feed(event);
    });
    return {
      feed: (chunk) => {
        try {
          wire.feed(chunk);
        } finally {
          // Also before an error the reader throws: the deltas before it come first.
          if (pending !== 0) reduceDeltas();
        }
      },
      end: () => {
        try {
          wire.end();
        } finally {
          if (pending !== 0) reduceDeltas();
        }
        reducer.end();
      },
      annotate: (error) => reducer.annotate?.(error),
    };
  });
}

/**
 * `decodeUtf8() → sseMessages() → responseEvents()` in one operator. Internal; the bench times it
 * as the stages before the reducer.
 */
export function wireEvents(onDiagnostic: ParseResponseStreamOptions['onDiagnostic']): OperatorFunction<Uint8Array, ResponseStreamEvent> {
  return pushParser<Uint8Array, ResponseStreamEvent>((output) => wireParser(onDiagnostic, output, (event) => output.next(event)));
}

/**
 * Drives the parsers behind `decodeUtf8`, `sseMessages` and `responseEvents` directly: no
 * `SseMessage` per event. Each typed event goes to `onEvent` unless `output` is closed (the
 * terminal event, or an unsubscribe, came earlier in the chunk).
 */
function wireParser(
  onDiagnostic: ParseResponseStreamOptions['onDiagnostic'],
  output: Subscriber<unknown>,
  onEvent: (event: ResponseStreamEvent) => void,
): PushParser<Uint8Array> {
  const decoder = new Utf8Decoder();
  const parseEvent = responseEventParser(onDiagnostic);
  const sse = new SseReader(DEFAULT_SSE_MAX_BUFFER_SIZE, (data) => {
    if (output.closed) return;
    const event = parseEvent(data);
    if (event !== undefined) onEvent(event);
  });
  return {
    feed: (chunk) => sse.feed(decoder.decode(chunk)),
    end: () => {
      sse.feed(decoder.end());
      sse.end();
    },
  };
}
