import { pipe, type OperatorFunction } from 'rxjs';
import { Utf8Decoder } from './decode/decodeUtf8.js';
import { checkResponseEventsOptions, responseEventParser, type ResponseEventsOptions } from './events/responseEvents.js';
import type { ResponseStreamEvent } from './events/schemas.js';
import { reduceResponse } from './reduce/reduceResponse.js';
import { pushParser } from './sse/pushParser.js';
import { DEFAULT_SSE_MAX_BUFFER_SIZE } from './sse/sseMessages.js';
import { SseReader } from './sse/sseReader.js';
import type { CodexEvent } from './types.js';

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
  return pipe(wireEvents(onDiagnostic), reduceResponse());
}

/**
 * `decodeUtf8() → sseMessages() → responseEvents()` in one operator that drives their parsers
 * directly: one operator hop per chunk instead of four, and no `SseMessage` per event
 * (bench/OPTIMISATIONS.md). Internal; the bench times it as the stages before the reducer.
 */
export function wireEvents(onDiagnostic: ParseResponseStreamOptions['onDiagnostic']): OperatorFunction<Uint8Array, ResponseStreamEvent> {
  return pushParser<Uint8Array, ResponseStreamEvent>((output) => {
    const decoder = new Utf8Decoder();
    const parseEvent = responseEventParser(onDiagnostic);
    const sse = new SseReader(DEFAULT_SSE_MAX_BUFFER_SIZE, (data) => {
      if (output.closed) return; // The terminal event came earlier in this chunk.
      const event = parseEvent(data);
      if (event !== undefined) output.next(event);
    });
    return {
      feed: (chunk) => sse.feed(decoder.decode(chunk)),
      end: () => {
        sse.feed(decoder.end());
        sse.end();
      },
    };
  });
}
