import { catchError, concatWith, defer, filter, from, map, throwError, type Observable, type OperatorFunction } from 'rxjs';
import type { ResponseStreamEvent } from '../events/schemas.js';
import type { CodexEvent } from '../types.js';
import { INITIAL_REDUCE_STATE, NONE, step, truncatedError, withPartial, type ReduceState } from './state.js';

/**
 * Thrown by the step that reaches a terminal event and turned into its events by `catchError`:
 * the error path is the one way through built-in operators that unsubscribes upstream (cancelling
 * the body) and then emits several values, with no extra operator on every other event's path
 * (`takeWhile(…, true)` before the flattening does the same for one hop more per token, about 2%
 * of the hand loop in `npm run bench`). Private: it never leaves `reduceResponse`.
 */
const TERMINAL: unique symbol = Symbol('reduceResponse.terminal');

/** The terminal step's events, in order. */
function all(state: ReduceState): readonly CodexEvent[] {
  return Array.isArray(state.out) ? state.out : [state.out as CodexEvent];
}

const emits = (out: CodexEvent | readonly CodexEvent[]): out is CodexEvent => out !== NONE;

/**
 * Runs the seed's stream state machine over typed wire events and emits `CodexEvent`s.
 *
 * <span class="informal">A `scan` over a pure, immutable `step` (its accumulator kept per
 * subscription), then the events each step produced, in the same tick.</span>
 *
 * 1. Text, reasoning and summary deltas are emitted as they arrive, even when empty; a `.done`
 *    emits its text only when nothing was streamed for its key (items 50–53).
 * 2. `response.output_item.added` stores function-call metadata (item 49); each argument
 *    delta of a known call emits `tool-call-delta` with the raw JSON so far and a best-effort
 *    `input`, parsed once when the JSON can be complete (item 54, SPEC §6.12).
 *    `response.function_call_arguments.done` completes a call, without de-duplication (item 55).
 * 3. Reasoning items' id and encrypted content are captured from `output_item.added/.done` and
 *    backfilled from `response.completed.response.output` (SPEC §6.7).
 * 4. `error` / `response.error` (flat or nested) error the stream with a `CodexStreamError`,
 *    or a `UsageLimitError` for usage limits; `response.failed` with a `CodexStreamError`
 *    (items 47, 48, SPEC §6.5).
 * 5. `response.completed`, `response.done`, `response.incomplete` are terminal (item 56): then
 *    `tool-calls` (once, if any), `usage` (if reported), one `content-block` per block in
 *    first-seen order, `done` (with `status: 'incomplete'` and the reason for an incomplete
 *    response, SPEC §6.9), and completion. Upstream is unsubscribed at once, which cancels the
 *    body (SPEC §6.3).
 * 6. Input that completes before a terminal event errors with `StreamTruncatedError` (item 45).
 * 7. Any codex-rx error — raised here or arriving from upstream — gets `partial` (text,
 *    reasoning, completed tool calls, response id) when anything had been emitted.
 * 8. Other event types are ignored (item 57).
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
  return (source: Observable<ResponseStreamEvent>) =>
    defer(() => {
      // The accumulator, per subscription (a retry resubscribes through defer, so it starts
      // clean); also read for `partial` on errors and for the terminal step's events. `map` over
      // it rather than `scan` + `map`: each operator is one more call chain for every token.
      let state = INITIAL_REDUCE_STATE;
      return source.pipe(
        map((event: ResponseStreamEvent) => {
          state = step(state, event);
          if (state.phase === 'terminal') throw TERMINAL;
          // A non-terminal step emits at most one event: `out` is that event or NONE.
          return state.out;
        }),
        filter(emits),
        concatWith(defer(() => throwError(() => truncatedError(state)))),
        // catchError unsubscribes upstream (cancelling the body) before it subscribes to what the
        // selector returns: the terminal events, then completion, in the same tick.
        catchError((error: unknown) => (error === TERMINAL ? from(all(state)) : throwError(() => withPartial(error, state)))),
      );
    });
}
