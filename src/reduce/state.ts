import { CodexError, CodexStreamError, StreamTruncatedError } from '../errors.js';
import type {
  ErrorEvent,
  FailedResponse,
  FunctionCallArgumentsDeltaEvent,
  FunctionCallArgumentsDoneEvent,
  OutputItem,
  OutputItemAddedEvent,
  OutputItemDoneEvent,
  OutputTextDeltaEvent,
  OutputTextDoneEvent,
  ReasoningSummaryTextDeltaEvent,
  ReasoningSummaryTextDoneEvent,
  ReasoningTextDeltaEvent,
  ReasoningTextDoneEvent,
  ResponseCompletedEvent,
  ResponseFailedEvent,
  ResponseObject,
  ResponseStreamEvent,
  WireError,
} from '../events/schemas.js';
import type { CodexEvent, ContentBlock, DoneEvent, PartialResponse, ResponseStatus, ThinkingBlock, ToolCall, Usage } from '../types.js';
import { usageLimitErrorFrom } from '../usageLimit.js';
import { Committed } from './committed.js';
import { JSON_SCAN_START, scanJson, type JsonScan } from './jsonScan.js';

/**
 * The seed's stream state machine (BEHAVIOUR items 47–61, `CodexStreamState` +
 * `handle_codex_payload` + `into_content_blocks`) as a pure, immutable reducer:
 * `step(state, event)` returns a new state carrying the events to emit (`out`); it never mutates
 * its input, so a `scan` over it is safe to resubscribe (retry) and to marble-test.
 */

/** A text or reasoning buffer, keyed by `(output_index, content_index)`. */
export interface TextBuffer {
  readonly text: string;
  /** A delta (or a done's text) was emitted for this key: a later `.done` must not repeat it (item 51). */
  readonly streamed: boolean;
}

/**
 * Arguments of a function call still streaming, keyed by `item_id`. No parsed value is kept:
 * each emitted `input` is parsed for its event alone, so no two events (and not the state)
 * share an object a consumer could mutate.
 */
export interface ArgumentsProgress {
  readonly buffer: string;
  readonly scan: JsonScan;
}

/** What `response.output_item.added` says about a function call (item 49). */
export interface FunctionCallMeta {
  readonly callId: string;
  readonly name: string;
  readonly outputIndex: number;
}

/** A reasoning item: its wire id and encrypted content (SPEC §6.7). */
export interface ReasoningItem {
  readonly id?: string;
  readonly encryptedContent?: string;
}

/** One entry of the first-registration order (item 58). */
export type BlockKey =
  | { readonly kind: 'text'; readonly key: string }
  | { readonly kind: 'thinking'; readonly key: string; readonly outputIndex: number }
  | { readonly kind: 'tool'; readonly index: number }
  | { readonly kind: 'reasoning-item'; readonly outputIndex: number };

/**
 * What changes at most a few times per output item. One object shared by every state of an
 * item's deltas, so a delta copies only the few fields of {@link ReduceState}.
 */
export interface ReduceRecords {
  readonly responseId?: string;
  readonly status: ResponseStatus;
  readonly incompleteReason?: string;
  /** Committed buffers, keyed `"<output_index>:<content_index>"`. */
  readonly texts: Committed<string, TextBuffer>;
  /** Keyed `"<output_index>:<content_index>"`, summaries at `10000 + summary_index` (item 53). */
  readonly reasoning: Committed<string, TextBuffer>;
  /** Committed argument buffers by server `item_id`. */
  readonly functionArgs: Committed<string, ArgumentsProgress>;
  readonly functionMeta: Committed<string, FunctionCallMeta>;
  readonly completedToolCalls: readonly ToolCall[];
  /** By output index. */
  readonly reasoningItems: Committed<number, ReasoningItem>;
  /**
   * Each block once (item 58). Whether a key is registered is read from its buffer (a text or
   * reasoning key is registered when its buffer is created, a reasoning item when it is first
   * recorded; tool indices are always new), so no set of seen keys is copied per new block.
   */
  readonly blockOrder: readonly BlockKey[];
  readonly usage?: Usage;
}

/**
 * Everything but the hot buffer itself: what changes at most once per hot period (an item
 * switch, a `.done`, a rarer event). One object shared by all the states of one item's deltas.
 *
 * The hot buffer is the one streaming now. Deltas of one item arrive consecutively, so they
 * extend it alone (O(1) per delta); the first delta or `.done` of another key commits it into
 * `texts` / `reasoning` / `functionArgs` with one copy (O(items) per item switch, not per delta:
 * copying the whole record per delta made a long turn quadratic in its number of output items).
 */
export interface ReduceFrame {
  readonly phase: 'streaming' | 'terminal';
  readonly records: ReduceRecords;
  readonly hotKind: 'none' | 'text' | 'reasoning' | 'args';
  /** `"<output_index>:<index>"` for text and reasoning, the `item_id` for arguments. */
  readonly hotKey: string;
  /** Text and reasoning: the indices behind `hotKey`, compared before any key string is built. */
  readonly hotOutputIndex: number;
  readonly hotIndex: number;
  /** Text and reasoning: see {@link TextBuffer.streamed}. */
  readonly hotStreamed: boolean;
  /**
   * Text and reasoning: the length of the hot text when it became hot. Everything appended since
   * was emitted, so the emitted text is `emittedText` plus the hot text from here: a hot delta
   * extends one string, not two (fewer long-lived strings for the GC to copy).
   */
  readonly hotEmitStart: number;
  /** Text and reasoning emitted before the hot period began (settled), for `partial`. */
  readonly emittedText: string;
  readonly emittedReasoning: string;
  /** Anything was emitted: errors then carry `partial`. */
  readonly emitted: boolean;
  /**
   * Arguments: the hot call's metadata once looked up (one lookup per call, not per delta);
   * undefined while unknown, and reset whenever `functionMeta` changes.
   */
  readonly hotMeta: FunctionCallMeta | undefined;
}

/**
 * The reducer's whole state. Immutable: every step builds a new one (never mutating this one,
 * its frame or its records). A delta of the hot item builds only this object: the shared
 * {@link ReduceFrame}, the extended hot buffer, the scanner and the step's events.
 */
export class ReduceState {
  constructor(
    readonly frame: ReduceFrame,
    /** The hot buffer: text, reasoning or argument JSON ('' when nothing is hot). */
    readonly hotText: string,
    /** Arguments: the scanner after `hotText`. */
    readonly hotScan: JsonScan,
    /**
     * What this step emits: one event (every step but the terminal one emits at most one, so the
     * common case allocates no array), or the events in order (the shared empty `NONE` for none).
     */
    readonly out: CodexEvent | readonly CodexEvent[],
  ) {}

  get phase(): 'streaming' | 'terminal' {
    return this.frame.phase;
  }
  get records(): ReduceRecords {
    return this.frame.records;
  }
  get responseId(): string | undefined {
    return this.frame.records.responseId;
  }
  get status(): ResponseStatus {
    return this.frame.records.status;
  }
  get incompleteReason(): string | undefined {
    return this.frame.records.incompleteReason;
  }
  get texts(): Committed<string, TextBuffer> {
    return this.frame.records.texts;
  }
  get reasoning(): Committed<string, TextBuffer> {
    return this.frame.records.reasoning;
  }
  get functionArgs(): Committed<string, ArgumentsProgress> {
    return this.frame.records.functionArgs;
  }
  get functionMeta(): Committed<string, FunctionCallMeta> {
    return this.frame.records.functionMeta;
  }
  get completedToolCalls(): readonly ToolCall[] {
    return this.frame.records.completedToolCalls;
  }
  get reasoningItems(): Committed<number, ReasoningItem> {
    return this.frame.records.reasoningItems;
  }
  get blockOrder(): readonly BlockKey[] {
    return this.frame.records.blockOrder;
  }
  get usage(): Usage | undefined {
    return this.frame.records.usage;
  }
}

/** Nothing to emit: one shared, frozen empty array. */
export const NONE: readonly CodexEvent[] = Object.freeze([]);
const EMPTY_BUFFER: TextBuffer = { text: '', streamed: false };
const EMPTY_ARGS: ArgumentsProgress = { buffer: '', scan: JSON_SCAN_START };
/** Summaries share the reasoning buffers, keyed apart (item 53). */
const SUMMARY_OFFSET = 10_000;

/** A frame, its fields always in this order (one hidden class). */
function frameOf(
  phase: ReduceFrame['phase'],
  records: ReduceRecords,
  hotKind: ReduceFrame['hotKind'],
  hotKey: string,
  hotOutputIndex: number,
  hotIndex: number,
  hotStreamed: boolean,
  hotEmitStart: number,
  emittedText: string,
  emittedReasoning: string,
  emitted: boolean,
  hotMeta: FunctionCallMeta | undefined,
): ReduceFrame {
  return {
    phase,
    records,
    hotKind,
    hotKey,
    hotOutputIndex,
    hotIndex,
    hotStreamed,
    hotEmitStart,
    emittedText,
    emittedReasoning,
    emitted,
    hotMeta,
  };
}

/** The state before the first event. */
export const INITIAL_REDUCE_STATE: ReduceState = Object.freeze(
  new ReduceState(
    Object.freeze(
      frameOf(
        'streaming',
        Object.freeze({
          // Same fields, same order as every patch() (spreads of this object): one hidden class.
          responseId: undefined,
          status: 'completed',
          incompleteReason: undefined,
          texts: Committed.empty<string, TextBuffer>(),
          reasoning: Committed.empty<string, TextBuffer>(),
          functionArgs: Committed.empty<string, ArgumentsProgress>(),
          functionMeta: Committed.empty<string, FunctionCallMeta>(),
          completedToolCalls: Object.freeze([]),
          reasoningItems: Committed.empty<number, ReasoningItem>(),
          blockOrder: Object.freeze([]),
          usage: undefined,
        }) as ReduceRecords,
        'none',
        '',
        -1,
        -1,
        false,
        0,
        '',
        '',
        false,
        undefined,
      ),
    ),
    '',
    JSON_SCAN_START,
    NONE,
  ),
);

/** `state` emitting nothing: itself when it already does. */
function quiet(state: ReduceState): ReduceState {
  return state.out === NONE ? state : new ReduceState(state.frame, state.hotText, state.hotScan, NONE);
}

/** `state` emitting `out` instead. */
function emitting(state: ReduceState, out: CodexEvent | readonly CodexEvent[]): ReduceState {
  return new ReduceState(state.frame, state.hotText, state.hotScan, out);
}

/** Registers a block not seen before, in first-seen order (item 58). */
function register(state: ReduceState, block: BlockKey): ReduceState {
  return patch(state, { blockOrder: [...state.blockOrder, block] });
}

function textKey(outputIndex: number, contentIndex: number): string {
  return `${outputIndex}:${contentIndex}`;
}

/** What the hot buffer emitted since it became hot, when it is of `kind`. */
function hotEmitted(state: ReduceState, kind: 'text' | 'reasoning'): string {
  const frame = state.frame;
  const text = state.hotText;
  if (frame.hotKind !== kind || text.length === frame.hotEmitStart) return '';
  return frame.hotEmitStart === 0 ? text : text.slice(frame.hotEmitStart);
}

/** All text emitted so far, in emission order. */
export function emittedTextOf(state: ReduceState): string {
  return state.frame.emittedText + hotEmitted(state, 'text');
}

/** All reasoning emitted so far, in emission order. */
export function emittedReasoningOf(state: ReduceState): string {
  return state.frame.emittedReasoning + hotEmitted(state, 'reasoning');
}

/**
 * A copy of `s` with some records (and the phase or the emitted flag) replaced, emitting nothing:
 * the rarer updates.
 */
function patch(s: ReduceState, changes: Partial<ReduceRecords> & { phase?: ReduceFrame['phase']; emitted?: boolean }): ReduceState {
  const { phase = s.frame.phase, emitted = s.frame.emitted, ...records } = changes;
  const f = s.frame;
  const hotMeta = records.functionMeta === undefined ? f.hotMeta : undefined;
  const frame = frameOf(
    phase,
    { ...f.records, ...records },
    f.hotKind,
    f.hotKey,
    f.hotOutputIndex,
    f.hotIndex,
    f.hotStreamed,
    f.hotEmitStart,
    f.emittedText,
    f.emittedReasoning,
    emitted,
    hotMeta,
  );
  return new ReduceState(frame, s.hotText, s.hotScan, NONE);
}

/**
 * `state` with a new hot period for `key`, emitting `out`. When another key was hot, its buffer
 * is committed to its record first: the one copy per item switch. The emitted text is settled
 * (what the old period emitted moves into `emittedText`), then `addedText` / `addedReasoning`
 * are appended: the new period starts at `emitStart`.
 */
function withHot(
  state: ReduceState,
  kind: 'text' | 'reasoning' | 'args',
  key: string,
  outputIndex: number,
  index: number,
  text: string,
  streamed: boolean,
  scan: JsonScan,
  emitStart: number,
  addedText: string,
  addedReasoning: string,
  emits: boolean,
  out: CodexEvent | readonly CodexEvent[],
  meta?: FunctionCallMeta,
): ReduceState {
  const f = state.frame;
  const emittedText = emittedTextOf(state) + addedText;
  const emittedReasoning = emittedReasoningOf(state) + addedReasoning;
  let records = f.records;
  if (f.hotKind !== 'none' && (f.hotKind !== kind || f.hotKey !== key)) {
    const old = state.hotText;
    if (f.hotKind === 'text') records = { ...records, texts: records.texts.set(f.hotKey, { text: old, streamed: f.hotStreamed }) };
    else if (f.hotKind === 'reasoning')
      records = { ...records, reasoning: records.reasoning.set(f.hotKey, { text: old, streamed: f.hotStreamed }) };
    else records = { ...records, functionArgs: records.functionArgs.set(f.hotKey, { buffer: old, scan: state.hotScan }) };
  }
  const frame = frameOf(
    f.phase,
    records,
    kind,
    key,
    outputIndex,
    index,
    streamed,
    emitStart,
    emittedText,
    emittedReasoning,
    f.emitted || emits,
    meta,
  );
  return new ReduceState(frame, text, scan, out);
}

/** The text or reasoning buffer for `key`, hot or committed. */
function textBuffer(state: ReduceState, kind: 'text' | 'reasoning', key: string): TextBuffer | undefined {
  const f = state.frame;
  if (f.hotKind === kind && f.hotKey === key) return { text: state.hotText, streamed: f.hotStreamed };
  return (kind === 'text' ? state.texts : state.reasoning).get(key);
}

/** The argument buffer for `itemId`, hot or committed. */
function argumentsOf(state: ReduceState, itemId: string): ArgumentsProgress | undefined {
  const f = state.frame;
  if (f.hotKind === 'args' && f.hotKey === itemId) return { buffer: state.hotText, scan: state.hotScan };
  return state.functionArgs.get(itemId);
}

/** What the stream had produced, for `partial` on errors; undefined when nothing was emitted. */
export function partialOf(state: ReduceState): PartialResponse | undefined {
  if (!state.frame.emitted) return undefined;
  const partial: PartialResponse = {
    text: emittedTextOf(state),
    reasoning: emittedReasoningOf(state),
    toolCalls: [...state.completedToolCalls],
  };
  if (state.responseId !== undefined) partial.responseId = state.responseId;
  return partial;
}

/**
 * Attaches `partial` to a codex-rx error (unless it already has one), so callers keep what was
 * shown. Other errors are returned untouched.
 */
export function withPartial<E>(error: E, state: ReduceState): E {
  if (error instanceof CodexError && error.partial === undefined) {
    const partial = partialOf(state);
    if (partial !== undefined) error.partial = partial;
  }
  return error;
}

/** The error for input that completed before a terminal event (item 45). */
export function truncatedError(state: ReduceState): StreamTruncatedError {
  return withPartial(new StreamTruncatedError('OpenAI Codex stream ended before a terminal response event'), state);
}

// ---- deltas (items 50–53) -------------------------------------------------------------------

/**
 * Appends a text or reasoning delta (`index` is the summary index plus `SUMMARY_OFFSET` for
 * summaries) and emits `out`. A delta for the hot key was registered when the key became hot: it
 * costs a compare and one state (the frame is shared), with no key string built.
 */
function appendDelta(
  state: ReduceState,
  kind: 'text' | 'reasoning',
  outputIndex: number,
  index: number,
  delta: string,
  out: CodexEvent,
): ReduceState {
  const f = state.frame;
  if (f.hotKind === kind && f.hotOutputIndex === outputIndex && f.hotIndex === index) {
    const frame =
      f.hotStreamed && f.emitted
        ? f
        : frameOf(
            f.phase,
            f.records,
            kind,
            f.hotKey,
            outputIndex,
            index,
            true,
            f.hotEmitStart,
            f.emittedText,
            f.emittedReasoning,
            true,
            undefined,
          );
    return new ReduceState(frame, state.hotText + delta, JSON_SCAN_START, out);
  }
  const key = textKey(outputIndex, index);
  const existing = textBuffer(state, kind, key);
  const registered = existing === undefined ? registerText(state, kind, key, outputIndex) : state;
  const buffer = existing ?? EMPTY_BUFFER;
  // The delta is emitted: it lies after emitStart.
  return withHot(
    registered,
    kind,
    key,
    outputIndex,
    index,
    buffer.text + delta,
    true,
    JSON_SCAN_START,
    buffer.text.length,
    '',
    '',
    true,
    out,
  );
}

function registerText(state: ReduceState, kind: 'text' | 'reasoning', key: string, outputIndex: number): ReduceState {
  return register(state, kind === 'text' ? { kind: 'text', key } : { kind: 'thinking', key, outputIndex });
}

/**
 * Items 51–53: a `.done` never replaces a non-empty buffer, and its text is emitted (as `out`)
 * only when nothing was streamed for the key.
 */
function finishText(
  state: ReduceState,
  kind: 'text' | 'reasoning',
  outputIndex: number,
  index: number,
  text: string,
  out: CodexEvent,
): ReduceState {
  const key = textKey(outputIndex, index);
  const existing = textBuffer(state, kind, key);
  const registered = existing === undefined ? registerText(state, kind, key, outputIndex) : state;
  const buffer = existing ?? EMPTY_BUFFER;
  const emit = text !== '' && !buffer.streamed;
  const next = buffer.text === '' ? text : buffer.text;
  // A done's text may enter the buffer without being emitted (after empty deltas): a new hot
  // period starts after it, and what is emitted is added explicitly.
  const added = emit ? text : '';
  return withHot(
    registered,
    kind,
    key,
    outputIndex,
    index,
    next,
    buffer.streamed || emit,
    JSON_SCAN_START,
    next.length,
    kind === 'text' ? added : '',
    kind === 'reasoning' ? added : '',
    emit,
    emit ? out : NONE,
  );
}

function textDelta(state: ReduceState, outputIndex: number, contentIndex: number, delta: string): ReduceState {
  // Emitted even when the delta is "" (item 50).
  return appendDelta(state, 'text', outputIndex, contentIndex, delta, { type: 'text-delta', delta, outputIndex, contentIndex });
}

function textDone(state: ReduceState, outputIndex: number, contentIndex: number, text: string): ReduceState {
  return finishText(state, 'text', outputIndex, contentIndex, text, { type: 'text-delta', delta: text, outputIndex, contentIndex });
}

function reasoningIndex(index: number, kind: 'text' | 'summary'): number {
  return kind === 'summary' ? SUMMARY_OFFSET + index : index;
}

function reasoningDelta(state: ReduceState, outputIndex: number, index: number, kind: 'text' | 'summary', delta: string): ReduceState {
  return appendDelta(state, 'reasoning', outputIndex, reasoningIndex(index, kind), delta, {
    type: 'reasoning-delta',
    delta,
    outputIndex,
    index,
    kind,
  });
}

function reasoningDone(state: ReduceState, outputIndex: number, index: number, kind: 'text' | 'summary', text: string): ReduceState {
  const out: CodexEvent = { type: 'reasoning-delta', delta: text, outputIndex, index, kind };
  return finishText(state, 'reasoning', outputIndex, reasoningIndex(index, kind), text, out);
}

// ---- output items (item 49, SPEC §6.7) -------------------------------------------------------

/**
 * Records a reasoning item and places it where first seen. The encrypted content is re-issued
 * at each stage (the recorded streams show three different blobs for one item): the value at
 * `output_item.added` predates the reasoning and is not kept; `output_item.done` is the
 * authority; the final `response.output` only fills what is missing (SPEC §6.7).
 */
function noteReasoningItem(state: ReduceState, outputIndex: number, item: OutputItem, source: 'added' | 'done' | 'final'): ReduceState {
  const known = state.reasoningItems.get(outputIndex);
  const id = known?.id ?? (item.id ? item.id : undefined);
  const offered = source === 'added' || !item.encrypted_content ? undefined : item.encrypted_content;
  const encryptedContent = source === 'done' ? (offered ?? known?.encryptedContent) : (known?.encryptedContent ?? offered);
  const next: ReasoningItem = {};
  if (id !== undefined) (next as { id?: string }).id = id;
  if (encryptedContent !== undefined) (next as { encryptedContent?: string }).encryptedContent = encryptedContent;
  const updated = patch(state, { reasoningItems: state.reasoningItems.set(outputIndex, next) });
  return known === undefined ? register(updated, { kind: 'reasoning-item', outputIndex }) : updated;
}

function outputItemAdded(state: ReduceState, event: OutputItemAddedEvent): ReduceState {
  const item = event.item;
  if (!item) return quiet(state);
  const outputIndex = event.output_index ?? 0;
  if (item.type === 'function_call') {
    if (!item.id) return quiet(state);
    const meta: FunctionCallMeta = { callId: item.call_id ?? '', name: item.name ?? '', outputIndex };
    return patch(state, { functionMeta: state.functionMeta.set(item.id, meta) });
  }
  if (item.type === 'reasoning') return noteReasoningItem(state, outputIndex, item, 'added');
  return quiet(state);
}

/** The output index where a reasoning item with this wire id was recorded, if any. */
function reasoningIndexById(state: ReduceState, id: string): number | undefined {
  if (id === '') return undefined;
  for (const [index, known] of state.reasoningItems) {
    if (known.id === id) return index;
  }
  return undefined;
}

function outputItemDone(state: ReduceState, event: OutputItemDoneEvent): ReduceState {
  const item = event.item;
  if (!item || item.type !== 'reasoning') return quiet(state);
  // By id first: a missing output_index reads as 0 and would file the item under another
  // index, giving two blocks with one rs_ id.
  const outputIndex = reasoningIndexById(state, item.id) ?? event.output_index ?? 0;
  return noteReasoningItem(state, outputIndex, item, 'done');
}

// ---- function calls (items 54, 55, SPEC §6.12) -----------------------------------------------

function parseArguments(json: string): unknown {
  try {
    return JSON.parse(json);
  } catch {
    return {};
  }
}

function argumentsDelta(state: ReduceState, event: FunctionCallArgumentsDeltaEvent): ReduceState {
  const itemId = event.item_id ?? '';
  if (itemId === '') return quiet(state);
  const delta = event.delta ?? '';
  const f = state.frame;
  const isHot = f.hotKind === 'args' && f.hotKey === itemId;
  const committed = isHot ? EMPTY_ARGS : (state.functionArgs.get(itemId) ?? EMPTY_ARGS);
  const buffer = (isHot ? state.hotText : committed.buffer) + delta;
  const scan = scanJson(isHot ? state.hotScan : committed.scan, delta);
  const meta = isHot && f.hotMeta !== undefined ? f.hotMeta : state.functionMeta.get(itemId);
  // Only a closed, unbroken buffer can be a whole document: it is parsed when it closes (and
  // again only for whitespace-only deltas after that), never on the deltas before (SPEC §6.12).
  const out: CodexEvent | readonly CodexEvent[] =
    meta === undefined
      ? NONE
      : {
          type: 'tool-call-delta',
          toolCall: {
            id: meta.callId,
            name: meta.name,
            input: scan.closed && !scan.broken ? parseArguments(buffer) : {},
            rawInputJson: buffer,
          },
        };
  if (isHot) {
    const frame =
      meta === undefined || (f.emitted && f.hotMeta === meta)
        ? f
        : frameOf(f.phase, f.records, 'args', itemId, -1, -1, false, 0, f.emittedText, f.emittedReasoning, true, meta);
    return new ReduceState(frame, buffer, scan, out);
  }
  return withHot(state, 'args', itemId, -1, -1, buffer, false, scan, 0, '', '', meta !== undefined, out, meta);
}

function argumentsDone(state: ReduceState, event: FunctionCallArgumentsDoneEvent): ReduceState {
  const itemId = event.item_id ?? '';
  const args = event.arguments ?? argumentsOf(state, itemId)?.buffer ?? '{}';
  // Item 55: the event's call_id (with its name), else the stored metadata, else the item id.
  const meta = state.functionMeta.get(itemId);
  const callId = event.call_id ?? meta?.callId ?? itemId;
  const name = event.call_id !== undefined || meta === undefined ? (event.name ?? '') : meta.name;
  // Always a fresh parse of the whole final string (item 55): never the object a tool-call-delta
  // handed to the consumer, nor a parse of only the first of several values. One per call.
  const toolCall: ToolCall = { id: callId, name, input: parseArguments(args), rawInputJson: args };
  const index = state.completedToolCalls.length;
  // No de-duplication, as the seed (item 55).
  const next = patch(state, { completedToolCalls: [...state.completedToolCalls, toolCall] });
  return register(next, { kind: 'tool', index });
}

// ---- errors (items 47, 48, SPEC §6.5) --------------------------------------------------------

function errorEvent(state: ReduceState, event: ErrorEvent): never {
  const nested: WireError | undefined = event.error ?? undefined;
  const message = nested?.message ?? event.message ?? 'OpenAI Codex stream returned an error event';
  const limit =
    usageLimitErrorFrom(nested, { fallbackMessage: event.message }) ?? usageLimitErrorFrom(event, { fallbackMessage: nested?.message });
  if (limit !== undefined) throw withPartial(limit, state);
  const errorCode = nested?.code ?? nested?.type ?? event.code;
  throw withPartial(new CodexStreamError(message, { eventType: event.type, errorCode }), state);
}

function responseFailed(state: ReduceState, response: FailedResponse | undefined, eventType: string): never {
  const withId = response?.id ? patch(state, { responseId: response.id }) : state;
  const error = response?.error ?? undefined;
  // A quota failure is never worth a retry, whichever event carries it.
  const limit = usageLimitErrorFrom(error);
  if (limit !== undefined) throw withPartial(limit, withId);
  const message = error?.message ?? 'OpenAI Codex response failed';
  throw withPartial(new CodexStreamError(message, { eventType, errorCode: error?.code ?? error?.type }), withId);
}

// ---- terminal (items 46, 56, 58–61, SPEC §6.7, §6.9) -----------------------------------------

/** The seed's `as_u64` (items 60, 61): a non-negative integer, else undefined. */
function tokenCount(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

/**
 * Items 60, 61: usage only with a non-negative integer `input_tokens`; `output_tokens` that is
 * not one is 0; cached / reasoning tokens only when positive integers. Checked here as well as in
 * the schema, so a hand-built `ResponseObject` gets the same reading.
 */
export function parseUsage(response: ResponseObject | undefined): Usage | undefined {
  const usage: unknown = response?.usage;
  if (typeof usage !== 'object' || usage === null) return undefined;
  const wire = usage as {
    input_tokens?: unknown;
    output_tokens?: unknown;
    input_tokens_details?: unknown;
    output_tokens_details?: unknown;
  };
  const inputTokens = tokenCount(wire.input_tokens);
  if (inputTokens === undefined) return undefined;
  const result: Usage = { inputTokens, outputTokens: tokenCount(wire.output_tokens) ?? 0 };
  const cached = tokenCount((wire.input_tokens_details as { cached_tokens?: unknown } | null | undefined)?.cached_tokens) ?? 0;
  if (cached > 0) result.cacheReadInputTokens = cached;
  const reasoning = tokenCount((wire.output_tokens_details as { reasoning_tokens?: unknown } | null | undefined)?.reasoning_tokens) ?? 0;
  if (reasoning > 0) result.reasoningTokens = reasoning;
  return result;
}

/** Fills in reasoning ids / encrypted content from the final `response.output` (SPEC §6.7). */
function backfillReasoning(state: ReduceState, output: readonly OutputItem[] | null | undefined): ReduceState {
  if (!output) return state;
  let next = state;
  output.forEach((item, position) => {
    if (!item || item.type !== 'reasoning') return;
    const outputIndex = reasoningIndexById(next, item.id) ?? position;
    const known = next.reasoningItems.get(outputIndex);
    if (known?.id && item.id && known.id !== item.id) return; // another item sits there: leave it
    next = noteReasoningItem(next, outputIndex, item, 'final');
  });
  return next;
}

/** Item 59 + SPEC §6.7: the content blocks, in first-registration order. */
export function contentBlocks(state: ReduceState): ContentBlock[] {
  const itemsWithText = new Set<number>();
  for (const block of state.blockOrder) {
    if (block.kind === 'thinking' && (textBuffer(state, 'reasoning', block.key)?.text ?? '') !== '') itemsWithText.add(block.outputIndex);
  }
  const carried = new Set<number>();
  const blocks: ContentBlock[] = [];
  for (const block of state.blockOrder) {
    switch (block.kind) {
      case 'text': {
        const text = textBuffer(state, 'text', block.key)?.text ?? '';
        if (text !== '') blocks.push({ type: 'text', text });
        break;
      }
      case 'thinking': {
        const thinking = textBuffer(state, 'reasoning', block.key)?.text ?? '';
        if (thinking === '') break;
        const out: ThinkingBlock = { type: 'thinking', thinking };
        const item = state.reasoningItems.get(block.outputIndex);
        // The item's first part carries its id and encrypted content.
        if (item !== undefined && !carried.has(block.outputIndex)) {
          carried.add(block.outputIndex);
          if (item.id !== undefined) out.id = item.id;
          if (item.encryptedContent !== undefined) out.encryptedContent = item.encryptedContent;
        }
        blocks.push(out);
        break;
      }
      case 'tool': {
        const call = state.completedToolCalls[block.index];
        // Its own parse of the same text (cheaper than structuredClone for object-heavy input):
        // the tool-calls event already hands `call.input` to the consumer.
        if (call !== undefined) {
          const input = call.rawInputJson === undefined ? structuredClone(call.input) : parseArguments(call.rawInputJson);
          blocks.push({ type: 'tool_use', id: call.id, name: call.name, input });
        }
        break;
      }
      case 'reasoning-item': {
        // Encrypted reasoning without any text still needs a block to be replayed.
        const item = state.reasoningItems.get(block.outputIndex);
        if (item?.encryptedContent === undefined || itemsWithText.has(block.outputIndex)) break;
        carried.add(block.outputIndex);
        const out: ThinkingBlock = { type: 'thinking', thinking: '' };
        if (item.id !== undefined) out.id = item.id;
        out.encryptedContent = item.encryptedContent;
        blocks.push(out);
        break;
      }
    }
  }
  return blocks;
}

function terminal(state: ReduceState, event: ResponseCompletedEvent | { type: string; response?: ResponseObject | null }): ReduceState {
  const response = event.response ?? undefined;
  let next: ReduceState = patch(state, { phase: 'terminal' });
  if (response !== undefined) {
    // Item 56 overwrites the usage.
    next = patch(next, { usage: parseUsage(response) });
    next = backfillReasoning(next, response.output);
  }
  const incomplete = event.type === 'response.incomplete' || response?.status === 'incomplete';
  if (incomplete) {
    next = patch(next, { status: 'incomplete' });
    const reason = response?.incomplete_details?.reason;
    if (reason !== undefined) next = patch(next, { incompleteReason: reason });
  }
  const out: CodexEvent[] = [];
  if (next.completedToolCalls.length > 0) out.push({ type: 'tool-calls', toolCalls: [...next.completedToolCalls] });
  if (next.usage !== undefined) out.push({ type: 'usage', usage: next.usage });
  for (const block of contentBlocks(next)) out.push({ type: 'content-block', block });
  const done: DoneEvent = { type: 'done', status: next.status };
  // Item 56: latest_response_id = the terminal response's id, or none — never response.created's
  // (that one only serves `partial` on errors, a codex-rx field).
  const responseId = response?.id;
  if (responseId !== undefined) done.responseId = responseId;
  if (next.incompleteReason !== undefined) done.incompleteReason = next.incompleteReason;
  out.push(done);
  return emitting(patch(next, { emitted: true }), out);
}

// ---- dispatch --------------------------------------------------------------------------------

/**
 * One step of the state machine. Pure: returns a new state, whose `out` holds the events to emit.
 *
 * @param state The state after the previous events.
 * @param event The next wire event.
 * @return The next state; its `out` is what to emit: one `CodexEvent`, or several in order (`NONE`
 * for none).
 * @throws {CodexStreamError | UsageLimitError} For `error`, `response.error` and `response.failed`
 * (with `partial` when anything was emitted).
 */
export function step(state: ReduceState, event: ResponseStreamEvent): ReduceState {
  if (state.phase === 'terminal') return quiet(state);
  switch (event.type) {
    case 'response.output_text.delta': {
      const e = event as OutputTextDeltaEvent;
      return textDelta(state, e.output_index ?? 0, e.content_index ?? 0, e.delta ?? '');
    }
    case 'response.output_text.done': {
      const e = event as OutputTextDoneEvent;
      return textDone(state, e.output_index ?? 0, e.content_index ?? 0, e.text ?? '');
    }
    case 'response.reasoning_text.delta': {
      const e = event as ReasoningTextDeltaEvent;
      return reasoningDelta(state, e.output_index ?? 0, e.content_index ?? 0, 'text', e.delta ?? '');
    }
    case 'response.reasoning_text.done': {
      const e = event as ReasoningTextDoneEvent;
      return reasoningDone(state, e.output_index ?? 0, e.content_index ?? 0, 'text', e.text ?? '');
    }
    case 'response.reasoning_summary_text.delta': {
      const e = event as ReasoningSummaryTextDeltaEvent;
      return reasoningDelta(state, e.output_index ?? 0, e.summary_index ?? 0, 'summary', e.delta ?? '');
    }
    case 'response.reasoning_summary_text.done': {
      const e = event as ReasoningSummaryTextDoneEvent;
      return reasoningDone(state, e.output_index ?? 0, e.summary_index ?? 0, 'summary', e.text ?? '');
    }
    case 'response.function_call_arguments.delta':
      return argumentsDelta(state, event as FunctionCallArgumentsDeltaEvent);
    case 'response.function_call_arguments.done':
      return argumentsDone(state, event as FunctionCallArgumentsDoneEvent);
    case 'response.output_item.added':
      return outputItemAdded(state, event as OutputItemAddedEvent);
    case 'response.output_item.done':
      return outputItemDone(state, event as OutputItemDoneEvent);
    case 'response.created':
    case 'response.in_progress': {
      const id = (event as ResponseCompletedEvent).response?.id;
      return id && id !== state.responseId ? patch(state, { responseId: id }) : quiet(state);
    }
    case 'response.completed':
    case 'response.done':
    case 'response.incomplete':
      return terminal(state, event as ResponseCompletedEvent);
    case 'error':
    case 'response.error':
      return errorEvent(state, event as ErrorEvent);
    case 'response.failed':
      return responseFailed(state, (event as ResponseFailedEvent).response ?? undefined, event.type);
    default:
      // Item 57: anything else is ignored.
      return quiet(state);
  }
}
