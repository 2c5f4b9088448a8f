import { defer, map, reduce, type Observable, type OperatorFunction } from 'rxjs';
import { StreamTruncatedError } from '../errors.js';
import type { CodexEvent, CodexResult, ContentBlock, DoneEvent, RateLimitSnapshot, ToolCall, Usage } from '../types.js';

/** What the events said so far: one per subscription, mutated as they arrive. */
class Collected {
  text = '';
  reasoning = '';
  toolCalls: ToolCall[] = [];
  usage?: Usage;
  rateLimits?: RateLimitSnapshot;
  object?: { value: unknown };
  readonly blocks: ContentBlock[] = [];
  done?: DoneEvent;

  add(event: CodexEvent): this {
    switch (event.type) {
      case 'text-delta':
        this.text += event.delta;
        break;
      case 'reasoning-delta':
        this.reasoning += event.delta;
        break;
      case 'tool-calls':
        this.toolCalls = event.toolCalls;
        break;
      case 'usage':
        this.usage = event.usage;
        break;
      case 'rate-limits':
        this.rateLimits = event.rateLimits;
        break;
      case 'content-block':
        this.blocks.push(event.block);
        break;
      case 'object':
        this.object = { value: event.object };
        break;
      case 'done':
        this.done = event;
        break;
      default:
        // Deltas of partial values (tool calls, objects) are superseded by their final events.
        break;
    }
    return this;
  }

  result(): CodexResult {
    if (this.done === undefined) throw new StreamTruncatedError('OpenAI Codex event stream completed without a done event');
    const result: CodexResult = {
      status: this.done.status,
      text: this.text,
      reasoning: this.reasoning,
      toolCalls: [...this.toolCalls],
      blocks: this.blocks,
    };
    if (this.done.responseId !== undefined) result.responseId = this.done.responseId;
    if (this.done.incompleteReason !== undefined) result.incompleteReason = this.done.incompleteReason;
    if (this.usage !== undefined) result.usage = this.usage;
    if (this.rateLimits !== undefined) result.rateLimits = this.rateLimits;
    if (this.object !== undefined) result.object = this.object.value;
    return result;
  }
}

/**
 * Folds a response's `CodexEvent`s into one `CodexResult`, emitted when the events complete.
 *
 * 1. `text` and `reasoning` are the concatenated text and reasoning deltas (summaries
 *    included); `toolCalls` the `tool-calls` event's calls; `usage` the `usage` event's;
 *    `rateLimits` the last `rate-limits` event's snapshot; `blocks` the content blocks in
 *    order; `object` the `object` event's value; `responseId`, `status` and
 *    `incompleteReason` come from `done`.
 * 2. Errors pass through unchanged (they carry `partial`).
 * 3. Events that complete without a `done` error with `StreamTruncatedError`.
 *
 * ## Example
 * ```ts
 * import { collectResponse, userMessage, CodexClient } from 'codex-rx';
 *
 * new CodexClient()
 *   .stream([userMessage('Hello')])
 *   .pipe(collectResponse())
 *   .subscribe((result) => console.log(result.text, result.usage, result.rateLimits));
 * ```
 *
 * @see {@link reduceResponse}
 * @return A function that returns an Observable that emits one `CodexResult` when the source
 * completes.
 */
export function collectResponse(): OperatorFunction<CodexEvent, CodexResult> {
  return (source: Observable<CodexEvent>) =>
    defer(() =>
      source.pipe(
        // The accumulator is created per subscription, so a resubscription starts clean.
        reduce((collected, event) => collected.add(event), new Collected()),
        map((collected) => collected.result()),
      ),
    );
}
