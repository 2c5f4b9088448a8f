import type { OperatorFunction } from 'rxjs';
import { ConfigError } from '../errors.js';
import type { SseMessage } from '../types.js';
import { pushParser } from './pushParser.js';
import { SseReader } from './sseReader.js';

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

/**
 * Parses Server-Sent Events text into messages.
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
 *    clears it). An `id:` in a block with no `data:` is not kept (no message carries it).
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

function validateOptions(options: SseMessagesOptions): number {
  if (typeof options !== 'object' || options === null) {
    throw new ConfigError(
      `sseMessages: options must be an object, got ${options === null ? 'null' : typeof options}. Pass { maxBufferSize }, or nothing for the default.`,
    );
  }
  for (const key of Object.keys(options)) {
    if (key !== 'maxBufferSize')
      throw new ConfigError(`sseMessages: unexpected option: ${key}. Remove it; the only option is maxBufferSize.`);
  }
  const { maxBufferSize = DEFAULT_SSE_MAX_BUFFER_SIZE } = options;
  if (typeof maxBufferSize !== 'number' || !Number.isInteger(maxBufferSize) || maxBufferSize < 1) {
    throw new ConfigError(
      `sseMessages: maxBufferSize must be a positive integer, got ${String(maxBufferSize)}. Set it to the most characters one event may hold, or leave it out for ${DEFAULT_SSE_MAX_BUFFER_SIZE}.`,
    );
  }
  return maxBufferSize;
}
