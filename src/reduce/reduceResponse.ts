import { catchError, concatWith, defer, filter, from, map, scan, takeWhile, throwError, type Observable, type OperatorFunction } from 'rxjs';
import type { ResponseStreamEvent } from '../events/schemas';
import type { CodexEvent } from '../types';
import { INITIAL_REDUCE_STATE, NONE, step, truncatedError, withPartial, type ReduceState } from './state';

const streaming = (state: ReduceState): boolean => state.phase !== 'terminal';
const emits = (state: ReduceState): boolean => state.out !== NONE;

/** The one event of a non-terminal step (the seed's state machine emits at most one per wire event). */
function single(state: ReduceState): CodexEvent {
  const out = state.out;
  if (!Array.isArray(out)) return out as CodexEvent;
  if (out.length !== 1) throw new Error(`reduceResponse: a non-terminal step emitted ${out.length} events`);
  return out[0] as CodexEvent;
}

/** The terminal step's events, in order. */
function all(state: ReduceState): readonly CodexEvent[] {
  return Array.isArray(state.out) ? state.out : [state.out as CodexEvent];
}

/**
 * Runs the seed's stream state machine over typed wire events and emits `CodexEvent`s.
 *
 * <span class="informal">`scan` over a pure, immutable `step`, then the events each step
 * produced, in the same tick.</span>
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
      // Per subscription (a retry resubscribes through defer, so it starts clean): the latest
      // step, for `partial` on errors and for the terminal step's events.
      let last = INITIAL_REDUCE_STATE;
      return source.pipe(
        scan((previous: ReduceState, event: ResponseStreamEvent) => (last = step(previous, event)), INITIAL_REDUCE_STATE),
        // Exclusive: the terminal step completes this at once, which unsubscribes upstream
        // (cancelling the body) before its events go out below, in the same tick.
        takeWhile(streaming),
        // Flattening without an inner subscription per event: other steps emit zero or one event.
        filter(emits),
        map(single),
        concatWith(defer(() => (streaming(last) ? throwError(() => truncatedError(last)) : from(all(last))))),
        catchError((error: unknown) => throwError(() => withPartial(error, last))),
      );
    });
}
