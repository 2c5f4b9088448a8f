import { z } from 'zod';

/**
 * zod schemas of the Responses-stream events codex-rx acts on.
 *
 * Conventions (the way the Rust client reads these fields):
 * - an index field that is missing (or `null`) becomes `0`, a text field becomes `""`, so the
 *   reducer never supplies defaults of its own;
 * - a field of the wrong type fails the schema (the stream turns that into a `ProtocolError`)
 *   instead of silently becoming the default — except `response.usage`, read leniently (a turn
 *   is not lost over its accounting), and error reports (`error`, `response.error`,
 *   `response.failed`, error objects), read with fallbacks: an error event is never a
 *   ProtocolError;
 * - every object is loose: fields we do not read (`sequence_number`, `obfuscation`,
 *   `logprobs`, …) survive parsing untouched.
 *
 * Every schema is `z.compile`d: valid input (the hot path, one per token) takes zod's
 * ahead-of-time compiled path; invalid input falls back to the regular parser, so the issues
 * reported are the same.
 */

/** An index (`output_index`, `content_index`, `summary_index`): missing or null → 0. */
const index = z
  .int()
  .nullish()
  .transform((value) => value ?? 0);

/** A text field (`delta`, `text`, `item_id`): missing or null → "". */
const text = z
  .string()
  .nullish()
  .transform((value) => value ?? '');

/** An optional string: null is read as absent. */
const optionalString = z
  .string()
  .nullish()
  .transform((value) => value ?? undefined);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A non-negative integer; anything else is read as missing. */
function tokenCount(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

/**
 * A token count. Lenient: a wrong type means "no value", never a ProtocolError, so a finished
 * turn is not lost over its accounting.
 */
const count = z.unknown().transform(tokenCount).optional();

/** `input_tokens_details` / `output_tokens_details`: null stays null; not an object → missing. */
const tokenDetails = <K extends string>(key: K) =>
  z
    .unknown()
    .transform((value) =>
      isRecord(value) ? ({ ...value, [key]: tokenCount(value[key]) } as { [P in K]?: number }) : value === null ? null : undefined,
    )
    .optional();

/**
 * The `usage` object of a response. Only `input_tokens` is needed for usage to be reported.
 * Never fails: wrongly typed counts are read as missing.
 */
export const WireUsageSchema = z
  .object({
    input_tokens: count,
    output_tokens: count,
    input_tokens_details: tokenDetails('cached_tokens'),
    output_tokens_details: tokenDetails('reasoning_tokens'),
  })
  .loose();

/** `response.usage`: null stays null; anything else that is not an object is read as missing. */
const lenientUsage = z
  .unknown()
  .transform((value) => (isRecord(value) ? WireUsageSchema.parse(value) : value === null ? null : undefined))
  .optional();

/**
 * An item of `response.output` or of `response.output_item.added` / `.done`. Hosted-tool items
 * come in many shapes, so only the fields codex-rx reads are typed.
 */
export const OutputItemSchema = z
  .object({
    type: text,
    id: text,
    call_id: optionalString,
    name: optionalString,
    /** Reasoning items: the opaque reasoning to replay (requested with `include`). */
    encrypted_content: optionalString,
  })
  .loose();

/** A string, anything else read as missing. */
const lenientString = z
  .unknown()
  .transform((value) => (typeof value === 'string' ? value : undefined))
  .optional();

/** An error code: a string, or a number read as its string; anything else is missing. */
const lenientCode = z
  .unknown()
  .transform((value) => (typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined))
  .optional();

/** A finite number, anything else read as missing. */
const lenientNumber = z
  .unknown()
  .transform((value) => (typeof value === 'number' && Number.isFinite(value) ? value : undefined))
  .optional();

/**
 * The error object carried by `error` events, `response.failed` responses and HTTP error bodies.
 * Never fails: a field of the wrong type is read as missing, so the fallback messages apply and
 * an error report is never turned into a ProtocolError.
 */
export const WireErrorSchema = z
  .object({
    type: lenientString,
    code: lenientCode,
    message: lenientString,
    plan_type: lenientString,
    resets_at: lenientNumber,
    resets_in_seconds: lenientNumber,
  })
  .loose();

/** An `error` member: null stays null; anything that is not an object is read as missing. */
const lenientWireError = z
  .unknown()
  .transform((value) => (isRecord(value) ? WireErrorSchema.parse(value) : value === null ? null : undefined))
  .optional();

/** The `response` object of lifecycle events. `output: null` is tolerated. */
export const ResponseObjectSchema = z
  .object({
    id: optionalString,
    status: optionalString,
    output: z.array(OutputItemSchema).nullish(),
    usage: lenientUsage,
    incomplete_details: z.object({ reason: optionalString }).loose().nullish(),
    error: lenientWireError,
  })
  .loose();

const responseLifecycle = <T extends string>(type: T) =>
  z.object({ type: z.literal(type), response: ResponseObjectSchema.nullish() }).loose();

export const ResponseCreatedEventSchema = z.compile(responseLifecycle('response.created'));
export const ResponseInProgressEventSchema = z.compile(responseLifecycle('response.in_progress'));
/** Terminal. */
export const ResponseCompletedEventSchema = z.compile(responseLifecycle('response.completed'));
/** Terminal. */
export const ResponseDoneEventSchema = z.compile(responseLifecycle('response.done'));
/** Terminal; completes with `status: 'incomplete'`. */
export const ResponseIncompleteEventSchema = z.compile(responseLifecycle('response.incomplete'));
/**
 * The `response` of `response.failed`, read leniently: only `id` and `error` are used,
 * a wrong type is read as missing, and a `response` that is not an object is missing.
 */
const FailedResponseSchema = z
  .object({
    id: lenientString,
    error: lenientWireError,
  })
  .loose();

/**
 * A failed response: a `CodexStreamError` with `response.error.message`, else a fixed text.
 * Never a ProtocolError: whatever its shape, it reports a failure.
 */
export const ResponseFailedEventSchema = z.compile(
  z
    .object({
      type: z.literal('response.failed'),
      response: z
        .unknown()
        .transform((value) => (isRecord(value) ? FailedResponseSchema.parse(value) : value === null ? null : undefined))
        .optional(),
    })
    .loose(),
);

const errorEvent = <T extends string>(type: T) =>
  z
    .object({
      type: z.literal(type),
      // Flat shape: {type:'error', code, message}; nested: {type:'error', error:{…}}.
      // Read leniently: wrong types are missing, so the fallbacks apply.
      code: lenientCode,
      message: lenientString,
      error: lenientWireError,
    })
    .loose();

/** An in-stream `error` event, flat or nested. Never fails on field types. */
export const ErrorEventSchema = z.compile(errorEvent('error'));
/** An in-stream `response.error` event, flat or nested. */
export const ResponseErrorEventSchema = z.compile(errorEvent('response.error'));

const outputItemEvent = <T extends string>(type: T) =>
  z.object({ type: z.literal(type), output_index: index, item: OutputItemSchema.nullish() }).loose();

/** Function-call metadata; reasoning items are placed where first seen. */
export const OutputItemAddedEventSchema = z.compile(outputItemEvent('response.output_item.added'));
/** The finished item: reasoning items' id and encrypted content, and what its deltas did not deliver. */
export const OutputItemDoneEventSchema = z.compile(outputItemEvent('response.output_item.done'));

const contentDelta = <T extends string>(type: T) =>
  z.object({ type: z.literal(type), item_id: text, output_index: index, content_index: index, delta: text }).loose();
const contentDone = <T extends string>(type: T) =>
  z.object({ type: z.literal(type), item_id: text, output_index: index, content_index: index, text }).loose();
const summaryDelta = <T extends string>(type: T) =>
  z.object({ type: z.literal(type), item_id: text, output_index: index, summary_index: index, delta: text }).loose();
const summaryDone = <T extends string>(type: T) =>
  z.object({ type: z.literal(type), item_id: text, output_index: index, summary_index: index, text }).loose();

/** A piece of an answer's text. */
export const OutputTextDeltaEventSchema = z.compile(contentDelta('response.output_text.delta'));
/** An answer part's whole text. */
export const OutputTextDoneEventSchema = z.compile(contentDone('response.output_text.done'));
/** A piece of raw reasoning text. */
export const ReasoningTextDeltaEventSchema = z.compile(contentDelta('response.reasoning_text.delta'));
/** A raw reasoning part's whole text. */
export const ReasoningTextDoneEventSchema = z.compile(contentDone('response.reasoning_text.done'));
/** A piece of a reasoning summary. */
export const ReasoningSummaryTextDeltaEventSchema = z.compile(summaryDelta('response.reasoning_summary_text.delta'));
/** A reasoning summary part's whole text. */
export const ReasoningSummaryTextDoneEventSchema = z.compile(summaryDone('response.reasoning_summary_text.done'));

/** A piece of a function call's argument JSON. */
export const FunctionCallArgumentsDeltaEventSchema = z.compile(
  z.object({ type: z.literal('response.function_call_arguments.delta'), item_id: text, output_index: index, delta: text }).loose(),
);
/** A function call's end: `arguments`, `call_id` and `name` may be missing (the buffered arguments and stored metadata are used). */
export const FunctionCallArgumentsDoneEventSchema = z.compile(
  z
    .object({
      type: z.literal('response.function_call_arguments.done'),
      item_id: text,
      output_index: index,
      arguments: optionalString,
      call_id: optionalString,
      name: optionalString,
    })
    .loose(),
);

export type WireUsage = z.output<typeof WireUsageSchema>;
export type OutputItem = z.output<typeof OutputItemSchema>;
export type WireError = z.output<typeof WireErrorSchema>;
export type ResponseObject = z.output<typeof ResponseObjectSchema>;
export type ResponseCreatedEvent = z.output<typeof ResponseCreatedEventSchema>;
export type ResponseInProgressEvent = z.output<typeof ResponseInProgressEventSchema>;
export type ResponseCompletedEvent = z.output<typeof ResponseCompletedEventSchema>;
export type ResponseDoneEvent = z.output<typeof ResponseDoneEventSchema>;
export type ResponseIncompleteEvent = z.output<typeof ResponseIncompleteEventSchema>;
export type ResponseFailedEvent = z.output<typeof ResponseFailedEventSchema>;
export type FailedResponse = z.output<typeof FailedResponseSchema>;
export type ErrorEvent = z.output<typeof ErrorEventSchema>;
export type ResponseErrorEvent = z.output<typeof ResponseErrorEventSchema>;
export type OutputItemAddedEvent = z.output<typeof OutputItemAddedEventSchema>;
export type OutputItemDoneEvent = z.output<typeof OutputItemDoneEventSchema>;
export type OutputTextDeltaEvent = z.output<typeof OutputTextDeltaEventSchema>;
export type OutputTextDoneEvent = z.output<typeof OutputTextDoneEventSchema>;
export type ReasoningTextDeltaEvent = z.output<typeof ReasoningTextDeltaEventSchema>;
export type ReasoningTextDoneEvent = z.output<typeof ReasoningTextDoneEventSchema>;
export type ReasoningSummaryTextDeltaEvent = z.output<typeof ReasoningSummaryTextDeltaEventSchema>;
export type ReasoningSummaryTextDoneEvent = z.output<typeof ReasoningSummaryTextDoneEventSchema>;
export type FunctionCallArgumentsDeltaEvent = z.output<typeof FunctionCallArgumentsDeltaEventSchema>;
export type FunctionCallArgumentsDoneEvent = z.output<typeof FunctionCallArgumentsDoneEventSchema>;

/** Every event type codex-rx parses with a schema. */
export type KnownResponseEvent =
  | ResponseCreatedEvent
  | ResponseInProgressEvent
  | ResponseCompletedEvent
  | ResponseDoneEvent
  | ResponseIncompleteEvent
  | ResponseFailedEvent
  | ErrorEvent
  | ResponseErrorEvent
  | OutputItemAddedEvent
  | OutputItemDoneEvent
  | OutputTextDeltaEvent
  | OutputTextDoneEvent
  | ReasoningTextDeltaEvent
  | ReasoningTextDoneEvent
  | ReasoningSummaryTextDeltaEvent
  | ReasoningSummaryTextDoneEvent
  | FunctionCallArgumentsDeltaEvent
  | FunctionCallArgumentsDoneEvent;

/** The `type` of a known event. */
export type KnownResponseEventType = KnownResponseEvent['type'];

/**
 * Any other event (`keepalive`, `codex.rate_limits`, `response.content_part.added`, hosted-tool
 * events, …), passed through exactly as it was parsed from JSON.
 */
export interface UnknownResponseEvent {
  type: string;
  [key: string]: unknown;
}

/**
 * What `responseEvents()` emits: a known event, or an unknown one beside it. Because
 * `UnknownResponseEvent.type` is `string`, comparing `event.type` does not narrow this union:
 * test {@link isKnownResponseEvent} first, then `switch (event.type)` narrows the known union
 * (or use {@link isResponseEventOfType} for one type).
 */
export type ResponseStreamEvent = KnownResponseEvent | UnknownResponseEvent;

/** The schema of each known event, by `type`: dispatch is one Map lookup, not a union scan. */
export const responseEventSchemas: ReadonlyMap<KnownResponseEventType, z.ZodType> = new Map<KnownResponseEventType, z.ZodType>([
  ['response.created', ResponseCreatedEventSchema],
  ['response.in_progress', ResponseInProgressEventSchema],
  ['response.completed', ResponseCompletedEventSchema],
  ['response.done', ResponseDoneEventSchema],
  ['response.incomplete', ResponseIncompleteEventSchema],
  ['response.failed', ResponseFailedEventSchema],
  ['error', ErrorEventSchema],
  ['response.error', ResponseErrorEventSchema],
  ['response.output_item.added', OutputItemAddedEventSchema],
  ['response.output_item.done', OutputItemDoneEventSchema],
  ['response.output_text.delta', OutputTextDeltaEventSchema],
  ['response.output_text.done', OutputTextDoneEventSchema],
  ['response.reasoning_text.delta', ReasoningTextDeltaEventSchema],
  ['response.reasoning_text.done', ReasoningTextDoneEventSchema],
  ['response.reasoning_summary_text.delta', ReasoningSummaryTextDeltaEventSchema],
  ['response.reasoning_summary_text.done', ReasoningSummaryTextDoneEventSchema],
  ['response.function_call_arguments.delta', FunctionCallArgumentsDeltaEventSchema],
  ['response.function_call_arguments.done', FunctionCallArgumentsDoneEventSchema],
]);

/** True when `type` is one codex-rx parses with a schema. */
export function isKnownResponseEventType(type: string): type is KnownResponseEventType {
  return responseEventSchemas.has(type as KnownResponseEventType);
}

/**
 * Narrows a {@link ResponseStreamEvent} to the known events, whose `type` then narrows them.
 *
 * ## Example
 * ```ts
 * import { isKnownResponseEvent, type ResponseStreamEvent } from 'codex-rx';
 *
 * function deltaOf(event: ResponseStreamEvent): string {
 *   if (!isKnownResponseEvent(event)) return '';
 *   return event.type === 'response.output_text.delta' ? event.delta : '';
 * }
 * ```
 *
 * @param event An event from `responseEvents()`.
 * @return Whether `event` is one of the types codex-rx parses with a schema.
 */
export function isKnownResponseEvent(event: ResponseStreamEvent): event is KnownResponseEvent {
  return responseEventSchemas.has(event.type as KnownResponseEventType);
}

/**
 * Narrows a {@link ResponseStreamEvent} to the known event of the given type.
 *
 * @param event An event from `responseEvents()`.
 * @param type A known event type.
 * @return Whether `event` is that event.
 */
export function isResponseEventOfType<T extends KnownResponseEventType>(
  event: ResponseStreamEvent,
  type: T,
): event is Extract<KnownResponseEvent, { type: T }> {
  return event.type === type;
}
