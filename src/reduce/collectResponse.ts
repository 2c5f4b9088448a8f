import { map, reduce, type Observable, type OperatorFunction } from 'rxjs';
import { StreamTruncatedError } from '../errors.js';
import type { CodexEvent, CodexResult, ContentBlock, DoneEvent, ToolCall, Usage } from '../types.js';

interface Collected {
  readonly text: string;
  readonly reasoning: string;
  readonly toolCalls: readonly ToolCall[];
  readonly usage?: Usage;
  readonly blocks: readonly ContentBlock[];
  readonly done?: DoneEvent;
}

const EMPTY: Collected = { text: '', reasoning: '', toolCalls: [], blocks: [] };

/** Immutable, so the shared seed is never written to (a resubscription starts clean). */
function fold(acc: Collected, event: CodexEvent): Collected {
  switch (event.type) {
    case 'text-delta':
      return { ...acc, text: acc.text + event.delta };
    case 'reasoning-delta':
      return { ...acc, reasoning: acc.reasoning + event.delta };
    case 'tool-calls':
      return { ...acc, toolCalls: event.toolCalls };
    case 'usage':
      return { ...acc, usage: event.usage };
    case 'content-block':
      return { ...acc, blocks: [...acc.blocks, event.block] };
    case 'done':
      return { ...acc, done: event };
    default:
      return acc;
  }
}

function toResult(acc: Collected): CodexResult {
  if (acc.done === undefined) {
    throw new StreamTruncatedError('OpenAI Codex event stream completed without a done event');
  }
  const result: CodexResult = {
    status: acc.done.status,
    text: acc.text,
    reasoning: acc.reasoning,
    toolCalls: [...acc.toolCalls],
    blocks: [...acc.blocks],
  };
  if (acc.done.responseId !== undefined) result.responseId = acc.done.responseId;
  if (acc.done.incompleteReason !== undefined) result.incompleteReason = acc.done.incompleteReason;
  if (acc.usage !== undefined) result.usage = acc.usage;
  return result;
}

/**
 * Folds a response's `CodexEvent`s into one `CodexResult`, emitted when the events complete.
 *
 * 1. `text` and `reasoning` are the concatenated text and reasoning deltas (summaries
 *    included); `toolCalls` the `tool-calls` event's calls; `usage` the `usage` event's;
 *    `blocks` the content blocks in order; `responseId`, `status` and `incompleteReason` come
 *    from `done`.
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
 *   .subscribe((result) => console.log(result.text, result.usage));
 * ```
 *
 * @see {@link reduceResponse}
 * @return A function that returns an Observable that emits one `CodexResult` when the source
 * completes.
 */
export function collectResponse(): OperatorFunction<CodexEvent, CodexResult> {
  return (source: Observable<CodexEvent>) => source.pipe(reduce(fold, EMPTY), map(toResult));
}
