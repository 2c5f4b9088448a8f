import { defer, mergeMap, type Observable, type OperatorFunction } from 'rxjs';
import type { z } from 'zod';
import { summarizeIssues } from '../agent/schema.js';
import { describe } from '../client/validate.js';
import { ConfigError, OutputValidationError } from '../errors.js';
import type { CodexEvent, DeepPartial, DoneEvent, ObjectDeltaEvent, ObjectEvent, ToolCall } from '../types.js';
import { PartialJsonParser } from './partialJson.js';

/** A stream with structured output: the events, plus `object-delta` and `object` of type `T`. */
export type CodexEventWithObject<T> = Exclude<CodexEvent, ObjectDeltaEvent | ObjectEvent> | ObjectDeltaEvent<T> | ObjectEvent<T>;

/**
 * Structured output for any stream of `CodexEvent`s: the response text read as JSON of the
 * schema, as it grows.
 *
 * 1. After each `text-delta` that changes the value the text parses to so far, an
 *    `object-delta` with that partial value (deeply frozen: parts that are complete are shared
 *    between successive deltas). Text that stops being JSON emits no more of them.
 * 2. Before `done`, the whole text is parsed and checked against the schema: one `object` with
 *    the schema's output, then `done`.
 * 3. Text that is not JSON, or whose JSON fails the schema, errors with `OutputValidationError`
 *    (carrying the text, the zod issues and `partial`) instead of `object` and `done`.
 * 4. A turn that called tools is not an answer: it gets no `object` and is not checked.
 * 5. Every event passes through unchanged; errors pass through as they are.
 *
 * Parsing is incremental: each character of the text is read once, whatever the delta sizes.
 *
 * ## Example
 * ```ts
 * import { CodexClient, parseObject, userMessage } from 'codex-rx';
 * import { z } from 'zod';
 *
 * const Answer = z.object({ city: z.string(), population: z.number() });
 * new CodexClient()
 *   .stream([userMessage('The largest city of Japan, as JSON')])
 *   .pipe(parseObject(Answer))
 *   .subscribe((event) => {
 *     if (event.type === 'object-delta') console.log('so far', event.object);
 *     if (event.type === 'object') console.log(event.object.city);
 *   });
 * ```
 * (`CodexClient.stream(messages, tools, { output })` does the same and also asks the model for
 * that schema.)
 *
 * @param schema The zod schema of the object.
 * @return A function that returns an Observable of the events with `object-delta` and `object` added.
 */
export function parseObject<T>(schema: z.ZodType<T>): OperatorFunction<CodexEvent, CodexEventWithObject<T>> {
  if (typeof (schema as { safeParse?: unknown })?.safeParse !== 'function') {
    throw new ConfigError(`parseObject needs a zod schema, got ${describe(schema)}. Pass a zod 4 schema such as z.object({ … }).`);
  }
  return (source: Observable<CodexEvent>) =>
    defer(() => {
      const parser = new PartialJsonParser();
      let text = '';
      let toolCalls: ToolCall[] = [];
      let responseReasoning = '';
      return source.pipe(
        mergeMap((event): CodexEventWithObject<T>[] => {
          switch (event.type) {
            case 'text-delta':
              text += event.delta;
              if (!parser.push(event.delta)) return [event];
              return [event, { type: 'object-delta', object: parser.snapshot() as DeepPartial<T> }];
            case 'reasoning-delta':
              responseReasoning += event.delta;
              return [event];
            case 'tool-calls':
              toolCalls = event.toolCalls;
              return [event];
            case 'done':
              if (toolCalls.length > 0) return [event];
              return [{ type: 'object', object: validate(schema, text, event, { text, reasoning: responseReasoning, toolCalls }) }, event];
            default:
              return [event as CodexEventWithObject<T>];
          }
        }),
      );
    });
}

/** The text as the schema's output, or an `OutputValidationError` saying what is wrong. */
function validate<T>(
  schema: z.ZodType<T>,
  text: string,
  done: DoneEvent,
  partial: { text: string; reasoning: string; toolCalls: ToolCall[] },
): T {
  const withId = done.responseId === undefined ? partial : { ...partial, responseId: done.responseId };
  const ending =
    done.status === 'incomplete'
      ? ` The response ended incomplete (${done.incompleteReason ?? 'no reason given'}): allow more output tokens or ask for less.`
      : '';
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    const reason = text.trim() === '' ? 'the response has no text' : `the response text is not JSON (${(error as Error).message})`;
    throw new OutputValidationError(`Structured output: ${reason}.${ending}`, { text, issues: [] }, { cause: error, partial: withId });
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return parsed.data;
  throw new OutputValidationError(
    `Structured output: the response JSON does not match the schema: ${summarizeIssues(parsed.error.issues)}.${ending}`,
    { text, issues: parsed.error.issues },
    { partial: withId },
  );
}
