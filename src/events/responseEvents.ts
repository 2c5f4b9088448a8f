import { defer, filter, map, type Observable, type OperatorFunction } from 'rxjs';
import type { z } from 'zod';
import { ConfigError, ProtocolError } from '../errors.js';
import type { Diagnostic, SseMessage } from '../types.js';
import { responseEventSchemas, type KnownResponseEventType, type ResponseStreamEvent } from './schemas.js';

/** Options of {@link responseEvents}. */
export interface ResponseEventsOptions {
  /**
   * Called for every payload that is not valid JSON (skipped), with a running
   * count per subscription. A throw from it errors the stream.
   * @default undefined
   */
  onDiagnostic?: (diagnostic: Diagnostic) => void;
}

const OPTION_KEYS: ReadonlySet<string> = new Set(['onDiagnostic']);

/**
 * Hand-written checks, equivalent to "the schema accepts this object and would change nothing"
 * (every typed field present with its type; optional strings absent or strings). Valid events
 * then cost a few typeof checks instead of a zod parse and a copy; anything else goes through zod.
 * First for the per-token deltas; then for the events of each output item (added, done, text
 * and arguments done): few, but a zod parse copies each whole item (bench/OPTIMISATIONS.md).
 */
type Guard = (o: Record<string, unknown>) => boolean;
// isSafeInteger implies a number and an integer: one check.
const isIndex = (v: unknown): boolean => Number.isSafeInteger(v);
/** JSON has no `undefined`: absent. */
const isOptionalString = (v: unknown): boolean => v === undefined || typeof v === 'string';
const contentDeltaGuard: Guard = (o) =>
  typeof o.delta === 'string' && typeof o.item_id === 'string' && isIndex(o.output_index) && isIndex(o.content_index);
const summaryDeltaGuard: Guard = (o) =>
  typeof o.delta === 'string' && typeof o.item_id === 'string' && isIndex(o.output_index) && isIndex(o.summary_index);
const argumentsDeltaGuard: Guard = (o) => typeof o.delta === 'string' && typeof o.item_id === 'string' && isIndex(o.output_index);
const contentDoneGuard: Guard = (o) =>
  typeof o.text === 'string' && typeof o.item_id === 'string' && isIndex(o.output_index) && isIndex(o.content_index);
const summaryDoneGuard: Guard = (o) =>
  typeof o.text === 'string' && typeof o.item_id === 'string' && isIndex(o.output_index) && isIndex(o.summary_index);
const argumentsDoneGuard: Guard = (o) =>
  typeof o.item_id === 'string' &&
  isIndex(o.output_index) &&
  isOptionalString(o.arguments) &&
  isOptionalString(o.call_id) &&
  isOptionalString(o.name);
/** An item as `OutputItemSchema` would leave it (a reasoning item's `encrypted_content: null` would not be: zod drops it). */
const isPlainOutputItem = (v: unknown): boolean => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const item = v as Record<string, unknown>;
  return (
    typeof item.type === 'string' &&
    typeof item.id === 'string' &&
    isOptionalString(item.call_id) &&
    isOptionalString(item.name) &&
    isOptionalString(item.encrypted_content)
  );
};
const outputItemGuard: Guard = (o) => isIndex(o.output_index) && (o.item === undefined || o.item === null || isPlainOutputItem(o.item));

/** @internal Exported for the equivalence test only. */
export const fastPaths: ReadonlyMap<KnownResponseEventType, Guard> = new Map<KnownResponseEventType, Guard>([
  ['response.output_text.delta', contentDeltaGuard],
  ['response.reasoning_text.delta', contentDeltaGuard],
  ['response.reasoning_summary_text.delta', summaryDeltaGuard],
  ['response.function_call_arguments.delta', argumentsDeltaGuard],
  ['response.output_text.done', contentDoneGuard],
  ['response.reasoning_text.done', contentDoneGuard],
  ['response.reasoning_summary_text.done', summaryDoneGuard],
  ['response.function_call_arguments.done', argumentsDoneGuard],
  ['response.output_item.added', outputItemGuard],
  ['response.output_item.done', outputItemGuard],
]);

/** One lookup per event: the type's schema and its fast-path check, if any. */
const dispatch: ReadonlyMap<string, { readonly schema: z.ZodType; readonly guard: Guard | undefined }> = new Map(
  [...responseEventSchemas].map(([type, schema]) => [type, { schema, guard: fastPaths.get(type) }]),
);

function formatPath(path: readonly PropertyKey[]): string {
  return path.length === 0 ? '(event)' : path.map(String).join('.');
}

/**
 * Validates one parsed JSON payload.
 *
 * @param payload The value `JSON.parse` returned for one SSE `data`.
 * @return The typed event; the payload itself for unknown types; `undefined` when the payload
 * has no string `type` (ignored).
 * @throws {ProtocolError} When a known event's fields have the wrong types.
 */
export function parseResponseEvent(payload: unknown): ResponseStreamEvent | undefined {
  if (typeof payload !== 'object' || payload === null) return undefined;
  const type = (payload as { type?: unknown }).type;
  if (typeof type !== 'string') return undefined;
  const known = dispatch.get(type);
  if (known === undefined) return payload as ResponseStreamEvent;
  const guard = known.guard;
  if (guard !== undefined && guard(payload as Record<string, unknown>)) return payload as ResponseStreamEvent;
  const result = known.schema.safeParse(payload);
  if (result.success) return result.data as ResponseStreamEvent;
  const issues = result.error.issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`);
  throw new ProtocolError(`OpenAI Codex sent a malformed "${type}" event: ${issues.join('; ')}`, {
    eventType: type,
    issues,
  });
}

/** @internal Checks the options of {@link responseEvents} (and of `parseResponseStream`). */
export function checkResponseEventsOptions(options: unknown): ResponseEventsOptions {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new ConfigError('responseEvents options must be an object. Pass { onDiagnostic }, or nothing.');
  }
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.has(key)) {
      throw new ConfigError(`Unexpected responseEvents option: ${key}. Remove it or correct its name; the only option is onDiagnostic.`);
    }
  }
  const { onDiagnostic } = options as ResponseEventsOptions;
  if (onDiagnostic !== undefined && typeof onDiagnostic !== 'function') {
    throw new ConfigError(
      'responseEvents option onDiagnostic must be a function. Pass a function of one Diagnostic, or leave onDiagnostic out.',
    );
  }
  return options;
}

/**
 * Turns SSE messages into typed Responses-stream events.
 *
 * <span class="informal">`JSON.parse` + a zod schema per known `type`; everything else passes
 * through.</span>
 *
 * 1. A message whose `data` is empty or `[DONE]` is skipped; neither is terminal.
 * 2. `data` that is not JSON is skipped, and reported to `onDiagnostic` with a running count.
 * 3. JSON without a string `type` (arrays, scalars, objects without it) is ignored.
 * 4. A known `type` is validated by its schema (one Map lookup): missing indices become `0`,
 *    missing text `""`, extra fields are kept. Wrongly typed fields error the stream with a
 *    {@link ProtocolError} carrying `eventType` and `issues`, never a silent drop.
 * 5. Any other `type` (`keepalive`, `codex.rate_limits`, hosted-tool events, …) is emitted
 *    untouched as an `UnknownResponseEvent`.
 * 6. Synchronous: each message is emitted in the tick it arrives.
 *
 * The SSE `event:` field is not consulted: the JSON `type` decides.
 *
 * ## Example
 * ```ts
 * import { responseEvents, sseMessages, decodeUtf8, fromBody } from 'codex-rx';
 *
 * fromBody(response.body!)
 *   .pipe(decodeUtf8(), sseMessages(), responseEvents({ onDiagnostic: (d) => console.warn(d) }))
 *   .subscribe((event) => console.log(event.type));
 * ```
 *
 * @see {@link reduceResponse}
 * @param options Optional `onDiagnostic` hook. Unknown keys are rejected.
 * @return A function that returns an Observable that emits one typed event per SSE message
 * that carries one.
 * @throws {ConfigError} At creation, when the options are invalid.
 */
export function responseEvents(options?: ResponseEventsOptions): OperatorFunction<SseMessage, ResponseStreamEvent> {
  const { onDiagnostic } = checkResponseEventsOptions(options);
  return (source: Observable<SseMessage>) =>
    defer(() => {
      // Per subscription, so a retry starts counting afresh.
      const parse = responseEventParser(onDiagnostic);
      return source.pipe(
        map((message) => parse(message.data)),
        filter((event): event is ResponseStreamEvent => event !== undefined),
      );
    });
}

/**
 * The per-stream parser behind {@link responseEvents}: one SSE `data` in, the typed event out, or
 * `undefined` for data that carries none (empty, `[DONE]`, not JSON, no string `type`). Counts
 * the unparsable payloads it reports. `parseResponseStream` calls it directly.
 *
 * @throws {ProtocolError} When a known event's fields have the wrong types.
 */
export function responseEventParser(
  onDiagnostic: ResponseEventsOptions['onDiagnostic'],
): (data: string) => ResponseStreamEvent | undefined {
  let unparsable = 0;
  return (data) => {
    if (data === '' || data === '[DONE]') return undefined;
    let payload: unknown;
    try {
      payload = JSON.parse(data);
    } catch (error) {
      unparsable += 1;
      onDiagnostic?.({
        type: 'unparsable-json',
        data,
        count: unparsable,
        message: error instanceof Error ? error.message : String(error),
      });
      return undefined;
    }
    return parseResponseEvent(payload);
  };
}
