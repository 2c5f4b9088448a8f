import type { OperatorFunction, Subscriber } from 'rxjs';
import { pushParser, type PushParser } from '../sse/pushParser.js';
import type { ResponseStreamEvent } from '../events/schemas.js';
import type { CodexEvent } from '../types.js';
import { MAX_STRING_LENGTH, ResponseAccumulator } from './accumulator.js';

/**
 * Runs the Codex stream's state machine over typed wire events and emits `CodexEvent`s.
 *
 * <span class="informal">One mutable accumulator per subscription, fed each event in the tick
 * it arrives; what it returns is emitted at once.</span>
 *
 * 1. Text, reasoning and summary deltas are emitted as they arrive, even when empty; a `.done`
 *    emits its text only when nothing was streamed for its part, and never twice.
 * 2. `response.output_item.added` gives a function call its id and name; each argument delta
 *    of such a call emits `tool-call-delta` with the raw JSON so far and a best-effort `input`,
 *    parsed once the JSON can be whole. `response.function_call_arguments.done` completes a
 *    call (a call completed twice is reported twice).
 * 3. `response.output_item.done` is the authority for what the deltas did not deliver: a
 *    function call nobody completed is completed from the item, and message text or reasoning
 *    that never streamed is emitted from it. Reasoning items' id and encrypted content are
 *    captured there and backfilled from the terminal `response.output`.
 * 4. `error` / `response.error` (flat or nested) error the stream with a `CodexStreamError`,
 *    or a `UsageLimitError` for usage limits; `response.failed` likewise.
 * 5. `response.completed`, `response.done` and `response.incomplete` are terminal: then
 *    `tool-calls` (once, if any), `usage` (if reported), one `content-block` per block in
 *    first-seen order, `done` (with `status: 'incomplete'` and the reason for an incomplete
 *    response), and completion. Upstream is unsubscribed at once, which cancels the body.
 * 6. Input that completes before a terminal event errors with `StreamTruncatedError`.
 * 7. Any codex-rx error — raised here or arriving from upstream — gets `partial` (text,
 *    reasoning, completed tool calls, response id) when anything had been emitted. Text,
 *    reasoning or arguments longer than a JavaScript string can hold are a `ProtocolError`.
 * 8. Other event types are ignored.
 *
 * ## Example
 * ```ts
 * import { reduceResponse, responseEvents, sseMessages, decodeUtf8, fromBody } from 'codex-rx';
 *
 * fromBody(response.body!)
 *   .pipe(decodeUtf8(), sseMessages(), responseEvents(), reduceResponse())
 *   .subscribe((event) => {
 *     if (event.type === 'text-delta') process.stdout.write(event.delta);
 *   });
 * ```
 *
 * @see {@link responseEvents}
 * @see {@link collectResponse}
 * @return A function that returns an Observable that emits the `CodexEvent`s of one response
 * and completes after its `done`.
 */
export function reduceResponse(): OperatorFunction<ResponseStreamEvent, CodexEvent> {
  return reduceWithLimit(MAX_STRING_LENGTH);
}

/** {@link reduceResponse} with a lower string limit, so a test can reach it. */
export function reduceWithLimit(maxLength: number): OperatorFunction<ResponseStreamEvent, CodexEvent> {
  return pushParser<ResponseStreamEvent, CodexEvent>((output) => responseReducer(output, maxLength));
}

/**
 * The reducer as a push parser, one per subscription (so a retry starts clean): what each event
 * gives is written to `output` at once, and `output` completes at the terminal event, which
 * unsubscribes the source. Every error the stream ends with gets `partial`; input that ends
 * first is truncated. `parseResponseStream` feeds it from its own parser.
 */
export function responseReducer(output: Subscriber<CodexEvent>, maxLength = MAX_STRING_LENGTH): PushParser<ResponseStreamEvent> {
  const acc = new ResponseAccumulator(maxLength);
  return {
    feed(event) {
      const emission = acc.push(event);
      if (emission !== undefined) {
        if (Array.isArray(emission)) for (const codexEvent of emission) output.next(codexEvent);
        else output.next(emission);
      }
      if (acc.finished) output.complete();
    },
    end() {
      if (!acc.finished) throw acc.truncated();
    },
    annotate: (error) => acc.withPartial(error),
  };
}
