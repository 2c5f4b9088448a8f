import { Observable, type OperatorFunction } from 'rxjs';
import type { z } from 'zod';
import { CodexAbortError } from '../errors.js';
import { isZodSchema } from '../agent/schema.js';
import { parseObject, type CodexEventWithObject } from '../output/parseObject.js';
import { jsonSchemaTextFormat } from '../output/textFormat.js';
import type { RequestBodyConfig } from '../request/buildRequest.js';
import type { CodexEvent, PartialResponse, ToolCall } from '../types.js';
import { resolveClientConfig, type ResolvedClientConfig } from './config.js';
import { checkExtraHeaders } from './extraHeaders.js';
import { checkOptions, describe, type OptionRules } from './validate.js';
import type { StreamOptions } from './streamOptions.js';

/** One call's settings: the client's, with the call's options over them. */
export interface CallSettings {
  /** What the request body is built from. */
  body: RequestBodyConfig;
  /** The extra headers (client's, then the call's), names lower-cased. */
  headers: Record<string, string>;
  signal?: AbortSignal;
  output?: z.ZodType;
}

const unchecked = { check: () => undefined, fix: '' };

/** One rule per stream option: a new option without a rule does not compile. */
export const STREAM_OPTION_RULES: OptionRules<StreamOptions> = {
  output: {
    check: (v) => (isZodSchema(v) ? undefined : `must be a zod 4 schema, got ${describe(v)}`),
    fix: 'Pass a zod schema such as z.object({ … }) describing the JSON to answer with, or leave output out.',
  },
  signal: {
    check: (v) => (isAbortSignal(v) ? undefined : `must be an AbortSignal, got ${describe(v)}`),
    fix: 'Pass the signal of an AbortController, or leave signal out.',
  },
  // Checked against the call's tools when the request is built.
  toolChoice: unchecked,
  // Checked by the client's own rules once laid over its config, and the headers by the
  // client's header rules (below).
  model: unchecked,
  reasoning: unchecked,
  textVerbosity: unchecked,
  headers: unchecked,
};

/**
 * Checks a call's options and lays them over the client's config. Model, reasoning and
 * verbosity are checked by the same rules as the client's (a per-call model that cannot take
 * the client's temperature is refused, for instance).
 * @throws {ConfigError} For an unknown key or a bad value.
 */
export function resolveCallSettings(config: ResolvedClientConfig, options: StreamOptions | undefined): CallSettings {
  if (options === undefined) return { body: config, headers: { ...config.headers } };
  const { output, signal, toolChoice, model, reasoning, textVerbosity, headers } = checkOptions<StreamOptions>(
    options,
    STREAM_OPTION_RULES,
    'stream',
  );
  const overridden =
    model === undefined && reasoning === undefined && textVerbosity === undefined
      ? config
      : resolveClientConfig({
          ...config,
          ...(model !== undefined && { model }),
          ...(reasoning !== undefined && { reasoning }),
          ...(textVerbosity !== undefined && { textVerbosity }),
        });
  const body: RequestBodyConfig = { ...overridden };
  if (toolChoice !== undefined) body.toolChoice = toolChoice;
  if (output !== undefined) body.textFormat = jsonSchemaTextFormat(output);
  const settings: CallSettings = { body, headers: { ...config.headers, ...checkExtraHeaders(headers, 'options.headers') } };
  if (signal !== undefined) settings.signal = signal;
  if (output !== undefined) settings.output = output;
  return settings;
}

function isAbortSignal(value: unknown): value is AbortSignal {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as AbortSignal).aborted === 'boolean' &&
    typeof (value as AbortSignal).addEventListener === 'function'
  );
}

/** What a call adds to the client's stream: structured output, then the abort signal. */
export function finishCall<T>(settings: CallSettings): OperatorFunction<CodexEvent, CodexEventWithObject<T>> {
  return (source) => {
    // Without an output schema no object events are added: the plain events are the typed ones.
    let events = source as Observable<CodexEventWithObject<T>>;
    if (settings.output !== undefined) events = source.pipe(parseObject(settings.output as z.ZodType<T>));
    if (settings.signal !== undefined) events = events.pipe(abortWith(settings.signal));
    return events;
  };
}

/**
 * Ends the stream with `CodexAbortError` when `signal` aborts (at once when it already has),
 * unsubscribing the source first, so the request is cancelled. The error carries what had
 * streamed as `partial` (of the current step, when the events are an agent loop's).
 * Unsubscribing stays silent and removes the listener.
 */
export function abortWith<T extends { type: string }>(signal: AbortSignal): OperatorFunction<T, T> {
  return (source) =>
    new Observable<T>((subscriber) => {
      const partial = new PartialTracker();
      const abort = () => {
        inner?.unsubscribe();
        const reason = signal.reason instanceof Error ? `: ${signal.reason.message}` : '';
        subscriber.error(
          new CodexAbortError(`The call was aborted by its signal${reason}`, {
            cause: signal.reason,
            partial: partial.snapshot(),
          }),
        );
      };
      let inner: { unsubscribe(): void } | undefined;
      if (signal.aborted) {
        abort();
        return;
      }
      signal.addEventListener('abort', abort, { once: true });
      inner = source.subscribe({
        next: (event) => {
          try {
            partial.add(event);
          } catch (error) {
            subscriber.error(error);
            return;
          }
          subscriber.next(event);
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => subscriber.complete(),
      });
      return () => {
        signal.removeEventListener('abort', abort);
        inner?.unsubscribe();
      };
    });
}

/** Text, reasoning and tool calls seen so far (reset at each agent step). */
class PartialTracker {
  #text = '';
  #reasoning = '';
  #calls = new Map<string, ToolCall>();
  #responseId: string | undefined;

  add(event: { type: string }): void {
    const e = event as { type: string; delta?: string; toolCall?: ToolCall; toolCalls?: ToolCall[]; responseId?: string };
    switch (e.type) {
      case 'step-start':
        this.#text = '';
        this.#reasoning = '';
        this.#calls.clear();
        this.#responseId = undefined;
        break;
      case 'text-delta':
        this.#text += e.delta;
        break;
      case 'reasoning-delta':
        this.#reasoning += e.delta;
        break;
      case 'tool-call-delta':
        this.#calls.set(e.toolCall!.id, e.toolCall!);
        break;
      case 'tool-calls':
        for (const call of e.toolCalls!) this.#calls.set(call.id, call);
        break;
      case 'done':
        this.#responseId = e.responseId;
        break;
      default:
        break;
    }
  }

  snapshot(): PartialResponse {
    const partial: PartialResponse = {
      text: this.#text,
      reasoning: this.#reasoning,
      toolCalls: [...this.#calls.values()].map((call) => ({ ...call })),
    };
    if (this.#responseId !== undefined) partial.responseId = this.#responseId;
    return partial;
  }
}
