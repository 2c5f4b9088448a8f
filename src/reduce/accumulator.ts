import { assertNever } from '../assertNever.js';
import { CodexError, CodexStreamError, ProtocolError, StreamTruncatedError } from '../errors.js';
import {
  isKnownResponseEvent,
  type ErrorEvent,
  type FailedResponse,
  type FunctionCallArgumentsDeltaEvent,
  type FunctionCallArgumentsDoneEvent,
  type OutputItem,
  type ResponseErrorEvent,
  type ResponseObject,
  type ResponseStreamEvent,
} from '../events/schemas.js';
import type { CodexEvent, ContentBlock, PartialResponse, ResponseStatus, ThinkingBlock, ToolCall, Usage } from '../types.js';
import { rateLimitsFromEvent } from '../rateLimits/index.js';
import { usageLimitErrorFrom } from '../usageLimit.js';
import { WholeJson } from './wholeJson.js';

/** The longest string V8 can build (2^29 − 24 UTF-16 units on 64-bit). */
export const MAX_STRING_LENGTH = 2 ** 29 - 24;

/** What one wire event gives: nothing, one event, or several in order. */
export type Emission = CodexEvent | CodexEvent[] | undefined;

type BufferKind = 'text' | 'reasoning' | 'summary';

/** The text of one `(output index, content or summary index)` of one kind. */
class TextBuffer {
  text = '';
  /** A delta (or a `.done`'s text) was emitted: a later `.done` or finished item repeats nothing. */
  streamed = false;
  constructor(
    /** Its position among all buffers. */
    readonly id: number,
    readonly kind: BufferKind,
    readonly outputIndex: number,
    readonly index: number,
  ) {}
}

/** A function call, by its wire item id. */
interface CallRecord {
  callId?: string;
  name?: string;
  /** The argument deltas so far; undefined before the first. */
  args?: string;
  json: WholeJson;
  /** `function_call_arguments.done` (or the finished item) completed it. */
  completed: boolean;
}

/** A reasoning item: its wire id and encrypted content, placed where it was first seen. */
interface ReasoningRecord {
  readonly kind: 'reasoning-item';
  readonly outputIndex: number;
  id?: string;
  encryptedContent?: string;
}

/** One content block to build at the end, in first-seen order. */
type BlockSource = TextBuffer | ReasoningRecord | { readonly kind: 'tool'; readonly call: ToolCall };

/**
 * What was emitted of one kind (text, or reasoning), in order, as stretches of buffers: a
 * switch to another buffer closes one stretch and opens the next. `partial` is rebuilt from
 * them, so the text is held once. The stretches are numbers in a typed array (buffer id, start,
 * end): a switch allocates nothing the garbage collector has to trace.
 */
class EmissionLog {
  /** The buffer whose stretch is open. */
  hot: TextBuffer | undefined;
  /** The buffer before it: two parts streaming in turn switch without a lookup. */
  previous: TextBuffer | undefined;
  /** Characters emitted. */
  length = 0;
  private stretches = new Int32Array(48);
  private size = 0;

  constructor(private readonly buffers: readonly TextBuffer[]) {}

  open(buffer: TextBuffer): void {
    this.close();
    if (this.size === this.stretches.length) {
      const grown = new Int32Array(this.size * 2);
      grown.set(this.stretches);
      this.stretches = grown;
    }
    this.stretches[this.size] = buffer.id;
    this.stretches[this.size + 1] = buffer.text.length;
    this.stretches[this.size + 2] = -1;
    this.size += 3;
    this.hot = buffer;
  }

  close(): void {
    if (this.hot === undefined) return;
    this.stretches[this.size - 1] = this.hot.text.length;
    this.previous = this.hot;
    this.hot = undefined;
  }

  toString(): string {
    let out = '';
    for (let i = 0; i < this.size; i += 3) {
      const text = this.buffers[this.stretches[i] ?? -1]?.text ?? '';
      const end = this.stretches[i + 2] ?? -1;
      out += text.slice(this.stretches[i + 1], end < 0 ? undefined : end);
    }
    return out;
  }
}

/**
 * The reducer's state for one subscription: fed one wire event at a time, it says what to emit.
 * Mutated freely; every emitted object is built for its event (or, at the end, handed over),
 * so nothing a consumer receives aliases what later events change.
 */
export class ResponseAccumulator {
  /** The terminal event was handled: nothing more is read. */
  finished = false;
  private responseId: string | undefined;
  private readonly buffers: Record<BufferKind, Map<string, TextBuffer>> = { text: new Map(), reasoning: new Map(), summary: new Map() };
  private readonly allBuffers: TextBuffer[] = [];
  private readonly textLog = new EmissionLog(this.allBuffers);
  private readonly reasoningLog = new EmissionLog(this.allBuffers);
  private readonly calls = new Map<string, CallRecord>();
  private hotCallId = '';
  private hotCall: CallRecord | undefined;
  private readonly toolCalls: ToolCall[] = [];
  private readonly reasoningItems = new Map<number, ReasoningRecord>();
  private readonly reasoningIndexById = new Map<string, number>();
  private readonly blocks: BlockSource[] = [];
  /** A delta was emitted: errors then carry `partial`. */
  private emitted = false;

  constructor(private readonly maxLength = MAX_STRING_LENGTH) {}

  /**
   * Handles one wire event.
   *
   * @return What to emit for it. The terminal event sets {@link finished} and gives its events.
   * @throws {CodexStreamError | UsageLimitError} For `error`, `response.error` and `response.failed`.
   * @throws {ProtocolError} When text, reasoning or arguments outgrow a JavaScript string.
   */
  push(event: ResponseStreamEvent): Emission {
    if (!isKnownResponseEvent(event)) {
      // Every other type is ignored, but for the account's rate limits.
      if (event.type !== 'codex.rate_limits') return undefined;
      const rateLimits = rateLimitsFromEvent(event);
      return rateLimits === undefined ? undefined : { type: 'rate-limits', rateLimits };
    }
    switch (event.type) {
      case 'response.output_text.delta':
        return this.delta('text', event.output_index, event.content_index, event.delta, event.type);
      case 'response.reasoning_text.delta':
        return this.delta('reasoning', event.output_index, event.content_index, event.delta, event.type);
      case 'response.reasoning_summary_text.delta':
        return this.delta('summary', event.output_index, event.summary_index, event.delta, event.type);
      case 'response.output_text.done':
        return this.done('text', event.output_index, event.content_index, event.text, event.type);
      case 'response.reasoning_text.done':
        return this.done('reasoning', event.output_index, event.content_index, event.text, event.type);
      case 'response.reasoning_summary_text.done':
        return this.done('summary', event.output_index, event.summary_index, event.text, event.type);
      case 'response.function_call_arguments.delta':
        return this.argumentsDelta(event);
      case 'response.function_call_arguments.done':
        return this.argumentsDone(event);
      case 'response.output_item.added':
        return this.itemAdded(event.item ?? undefined, event.output_index);
      case 'response.output_item.done':
        return this.itemDone(event.item ?? undefined, event.output_index);
      case 'response.created':
      case 'response.in_progress':
        if (event.response?.id) this.responseId = event.response.id;
        return undefined;
      case 'response.completed':
      case 'response.done':
      case 'response.incomplete':
        return this.finish(event.response ?? undefined, event.type === 'response.incomplete');
      case 'error':
      case 'response.error':
        throw this.errorEvent(event);
      case 'response.failed':
        throw this.failed(event.response ?? undefined);
      default:
        return assertNever(event);
    }
  }

  /** Gives a codex-rx error without `partial` what had been emitted, if anything was; other errors are returned untouched. */
  withPartial<E>(error: E): E {
    if (error instanceof CodexError && error.partial === undefined && this.emitted) {
      const partial: PartialResponse = {
        text: this.textLog.toString(),
        reasoning: this.reasoningLog.toString(),
        toolCalls: [...this.toolCalls],
      };
      if (this.responseId !== undefined) partial.responseId = this.responseId;
      error.partial = partial;
    }
    return error;
  }

  truncated(): StreamTruncatedError {
    return this.withPartial(new StreamTruncatedError('OpenAI Codex stream ended before a terminal response event'));
  }

  // ---- text and reasoning ------------------------------------------------------------------

  private buffer(kind: BufferKind, outputIndex: number, index: number): TextBuffer {
    const key = `${outputIndex}:${index}`;
    let buffer = this.buffers[kind].get(key);
    if (buffer === undefined) {
      buffer = new TextBuffer(this.allBuffers.length, kind, outputIndex, index);
      this.allBuffers.push(buffer);
      this.buffers[kind].set(key, buffer);
      this.blocks.push(buffer);
    }
    return buffer;
  }

  /** Every delta is emitted at once, even an empty one. */
  private delta(kind: BufferKind, outputIndex: number, index: number, delta: string, eventType: string): CodexEvent {
    const log = kind === 'text' ? this.textLog : this.reasoningLog;
    let buffer = log.hot;
    if (buffer === undefined || buffer.index !== index || buffer.outputIndex !== outputIndex || buffer.kind !== kind) {
      const previous = log.previous;
      buffer =
        previous !== undefined && previous.index === index && previous.outputIndex === outputIndex && previous.kind === kind
          ? previous
          : this.buffer(kind, outputIndex, index);
      log.open(buffer);
    }
    this.grow(Math.max(log.length, buffer.text.length), delta.length, eventType);
    log.length += delta.length;
    buffer.text += delta;
    buffer.streamed = true;
    this.emitted = true;
    return kind === 'text'
      ? { type: 'text-delta', delta, outputIndex, contentIndex: index }
      : { type: 'reasoning-delta', delta, outputIndex, index, kind: kind === 'summary' ? 'summary' : 'text' };
  }

  /**
   * A `.done` (or a finished item's part): its text is emitted only when nothing was streamed
   * for its buffer, and it never replaces a non-empty buffer.
   */
  private done(kind: BufferKind, outputIndex: number, index: number, text: string, eventType: string): CodexEvent | undefined {
    const log = kind === 'text' ? this.textLog : this.reasoningLog;
    const buffer = this.buffer(kind, outputIndex, index);
    if (text === '' || buffer.text !== '') return undefined;
    if (buffer.streamed) {
      // Only empty deltas were emitted: the text is kept for the block, not emitted.
      if (log.hot === buffer) log.close();
      buffer.text = text;
      return undefined;
    }
    this.grow(log.length, text.length, eventType);
    log.open(buffer);
    log.length += text.length;
    buffer.text = text;
    buffer.streamed = true;
    this.emitted = true;
    return kind === 'text'
      ? { type: 'text-delta', delta: text, outputIndex, contentIndex: index }
      : { type: 'reasoning-delta', delta: text, outputIndex, index, kind: kind === 'summary' ? 'summary' : 'text' };
  }

  /** Text, reasoning or arguments longer than a string can be end the stream with a typed error. */
  private grow(length: number, added: number, eventType: string): void {
    if (length + added <= this.maxLength) return;
    throw new ProtocolError(
      `OpenAI Codex sent more than ${this.maxLength} characters of one kind (text, reasoning or a call's arguments), more than a JavaScript string holds; what arrived before is in the error's partial. Ask for a shorter answer.`,
      { eventType, issues: [`longer than ${this.maxLength} characters`] },
    );
  }

  // ---- function calls ----------------------------------------------------------------------

  private call(itemId: string): CallRecord {
    if (itemId === this.hotCallId && this.hotCall !== undefined) return this.hotCall;
    let call = this.calls.get(itemId);
    if (call === undefined) {
      call = { json: new WholeJson(), completed: false };
      this.calls.set(itemId, call);
    }
    this.hotCallId = itemId;
    this.hotCall = call;
    return call;
  }

  /**
   * A delta of a call whose metadata is known emits the raw JSON so far and a best-effort
   * `input`, parsed only once the JSON can be whole (not on every delta: linear in its length).
   */
  private argumentsDelta(event: FunctionCallArgumentsDeltaEvent): CodexEvent | undefined {
    if (event.item_id === '') return undefined;
    const call = this.call(event.item_id);
    const args = call.args ?? '';
    this.grow(args.length, event.delta.length, event.type);
    const json = args + event.delta;
    call.args = json;
    call.json.feed(event.delta);
    if (call.callId === undefined) return undefined;
    this.emitted = true;
    const input = call.json.whole ? parsePartial(json) : {};
    return { type: 'tool-call-delta', toolCall: { id: call.callId, name: call.name ?? '', input, rawInputJson: json } };
  }

  /**
   * Completes a call: the event's arguments, else the streamed ones, else `{}`; the event's
   * `call_id` (with its `name`), else the item's, else the item id. Completed twice, it is
   * reported twice.
   */
  private argumentsDone(event: FunctionCallArgumentsDoneEvent): undefined {
    const call = this.call(event.item_id);
    const byEvent = event.call_id !== undefined;
    this.complete(
      call,
      event.call_id ?? call.callId ?? event.item_id,
      byEvent || call.callId === undefined ? (event.name ?? '') : (call.name ?? ''),
      event.arguments ?? call.args ?? '{}',
    );
    return undefined;
  }

  private complete(call: CallRecord, id: string, name: string, json: string): void {
    call.completed = true;
    const toolCall: ToolCall = { id, name, input: {}, rawInputJson: json };
    // No arguments at all is a call without parameters; anything else must parse.
    if (json.trim() !== '') {
      try {
        toolCall.input = JSON.parse(json);
      } catch (error) {
        const reason = (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').slice(0, 200);
        toolCall.inputError = `The arguments of tool call ${id} are not valid JSON: ${reason}`;
      }
    }
    this.toolCalls.push(toolCall);
    this.blocks.push({ kind: 'tool', call: toolCall });
  }

  // ---- output items ------------------------------------------------------------------------

  private itemAdded(item: OutputItem | undefined, outputIndex: number): undefined {
    if (item?.type === 'function_call' && item.id !== '') {
      // Metadata arriving while the call streams is used from its next delta on.
      const call = this.call(item.id);
      call.callId = item.call_id ?? '';
      call.name = item.name ?? '';
    } else if (item?.type === 'reasoning') {
      // Its encrypted content here predates the reasoning: not kept.
      this.reasoningItem(outputIndex, item.id);
    }
    return undefined;
  }

  /**
   * A finished item is the authority for what its deltas and `.done` events did not deliver: a
   * function call nobody completed, message text or reasoning that never streamed.
   */
  private itemDone(item: OutputItem | undefined, eventIndex: number): Emission {
    if (item === undefined) return undefined;
    if (item.type === 'function_call') {
      const call = item.id === '' ? undefined : this.call(item.id);
      if (call !== undefined && !call.completed) {
        const json = typeof item.arguments === 'string' ? item.arguments : (call.args ?? '{}');
        this.complete(call, item.call_id ?? call.callId ?? item.id, item.name ?? call.name ?? '', json);
      }
      return undefined;
    }
    if (item.type === 'message') return this.parts('text', eventIndex, item.content, 'output_text');
    if (item.type !== 'reasoning') return undefined;
    // By id first: a missing output_index reads as 0 and would file the item under another index.
    const outputIndex = this.reasoningIndexById.get(item.id) ?? eventIndex;
    const record = this.reasoningItem(outputIndex, item.id);
    if (item.encrypted_content) record.encryptedContent = item.encrypted_content;
    const summary = this.parts('summary', outputIndex, item.summary, 'summary_text');
    const content = this.parts('reasoning', outputIndex, item.content, 'reasoning_text');
    return summary === undefined ? content : content === undefined ? summary : [summary, content].flat();
  }

  /** The text parts of a finished item, as `.done` events of their buffers. */
  private parts(kind: BufferKind, outputIndex: number, parts: unknown, type: string): Emission {
    if (!Array.isArray(parts)) return undefined;
    const out: CodexEvent[] = [];
    parts.forEach((part: unknown, index) => {
      const { type: partType, text } = (typeof part === 'object' && part !== null ? part : {}) as { type?: unknown; text?: unknown };
      if (partType !== type || typeof text !== 'string') return;
      const event = this.done(kind, outputIndex, index, text, 'response.output_item.done');
      if (event !== undefined) out.push(event);
    });
    return out.length === 0 ? undefined : out.length === 1 ? out[0] : out;
  }

  /** The reasoning item at `outputIndex`, created (and placed among the blocks) when first seen. */
  private reasoningItem(outputIndex: number, id: string): ReasoningRecord {
    let record = this.reasoningItems.get(outputIndex);
    if (record === undefined) {
      this.reasoningItems.set(outputIndex, (record = { kind: 'reasoning-item', outputIndex }));
      this.blocks.push(record);
    }
    if (record.id === undefined && id !== '') {
      record.id = id;
      if (!this.reasoningIndexById.has(id)) this.reasoningIndexById.set(id, outputIndex);
    }
    return record;
  }

  // ---- errors ------------------------------------------------------------------------------

  private errorEvent(event: ErrorEvent | ResponseErrorEvent): CodexError {
    const nested = event.error ?? undefined;
    const limit =
      usageLimitErrorFrom(nested, { fallbackMessage: event.message }) ?? usageLimitErrorFrom(event, { fallbackMessage: nested?.message });
    if (limit !== undefined) return limit;
    const message = nested?.message ?? event.message ?? 'OpenAI Codex stream returned an error event';
    return new CodexStreamError(message, { eventType: event.type, errorCode: nested?.code ?? nested?.type ?? event.code });
  }

  private failed(response: FailedResponse | undefined): CodexError {
    if (response?.id) this.responseId = response.id;
    const error = response?.error ?? undefined;
    // A quota failure is never worth a retry, whichever event carries it.
    const limit = usageLimitErrorFrom(error);
    if (limit !== undefined) return limit;
    const message = error?.message ?? 'OpenAI Codex response failed';
    return new CodexStreamError(message, { eventType: 'response.failed', errorCode: error?.code ?? error?.type });
  }

  // ---- the end -----------------------------------------------------------------------------

  /**
   * The terminal events: `tool-calls` (once, if any), `usage` (if reported), one `content-block`
   * per block in first-seen order, then `done`. The accumulator is finished, so its tool calls
   * and usage are handed over rather than copied.
   */
  private finish(response: ResponseObject | undefined, incompleteEvent: boolean): CodexEvent[] {
    this.finished = true;
    this.emitted = true;
    // The final output fills in the encrypted content of reasoning items that lack it.
    for (const [position, item] of (response?.output ?? []).entries()) {
      if (item.type !== 'reasoning') continue;
      const outputIndex = this.reasoningIndexById.get(item.id) ?? position;
      // Not when another reasoning item was filed there.
      const known = this.reasoningItems.get(outputIndex)?.id;
      if (known !== undefined && item.id !== '' && known !== item.id) continue;
      const record = this.reasoningItem(outputIndex, item.id);
      if (item.encrypted_content) record.encryptedContent ??= item.encrypted_content;
    }
    const out: CodexEvent[] = [];
    if (this.toolCalls.length > 0) out.push({ type: 'tool-calls', toolCalls: this.toolCalls });
    const usage = usageOf(response);
    if (usage !== undefined) out.push({ type: 'usage', usage });
    for (const block of this.contentBlocks()) out.push({ type: 'content-block', block });
    const status: ResponseStatus = incompleteEvent || response?.status === 'incomplete' ? 'incomplete' : 'completed';
    const done: CodexEvent = { type: 'done', status };
    // The terminal response's id only: response.created's serves `partial` alone.
    if (response?.id !== undefined) done.responseId = response.id;
    const reason = response?.incomplete_details?.reason;
    if (status === 'incomplete' && reason !== undefined) done.incompleteReason = reason;
    out.push(done);
    return out;
  }

  private contentBlocks(): ContentBlock[] {
    const withText = new Set<number>();
    for (const s of this.blocks) if ((s.kind === 'reasoning' || s.kind === 'summary') && s.text !== '') withText.add(s.outputIndex);
    // A reasoning item's first block carries its id and encrypted content.
    const carried = new Set<number>();
    const thinking = (outputIndex: number, text: string): ThinkingBlock => {
      const block: ThinkingBlock = { type: 'thinking', thinking: text };
      const item = this.reasoningItems.get(outputIndex);
      if (item === undefined || carried.has(outputIndex)) return block;
      carried.add(outputIndex);
      if (item.id !== undefined) block.id = item.id;
      if (item.encryptedContent !== undefined) block.encryptedContent = item.encryptedContent;
      return block;
    };
    const blocks: ContentBlock[] = [];
    for (const source of this.blocks) {
      switch (source.kind) {
        case 'text':
          if (source.text !== '') blocks.push({ type: 'text', text: source.text });
          break;
        case 'reasoning':
        case 'summary':
          if (source.text !== '') blocks.push(thinking(source.outputIndex, source.text));
          break;
        case 'reasoning-item':
          // Encrypted reasoning without any text still needs a block to be replayed.
          if (source.encryptedContent !== undefined && !withText.has(source.outputIndex)) blocks.push(thinking(source.outputIndex, ''));
          break;
        case 'tool': {
          // Its own parse: the tool-calls event hands `call.input` to the consumer.
          const { id, name, rawInputJson = '{}' } = source.call;
          blocks.push({ type: 'tool_use', id, name, input: parsePartial(rawInputJson) });
          break;
        }
        default:
          assertNever(source);
      }
    }
    return blocks;
  }
}

/** The parsed arguments, or `{}` while they do not parse. */
function parsePartial(json: string): unknown {
  try {
    return JSON.parse(json);
  } catch {
    return {};
  }
}

/**
 * Usage needs `input_tokens` (the schema has read every count leniently: a wrong type is
 * missing); `output_tokens` defaults to 0; cached and reasoning tokens only when positive.
 */
function usageOf(response: ResponseObject | undefined): Usage | undefined {
  const wire = response?.usage;
  if (!wire || wire.input_tokens === undefined) return undefined;
  const usage: Usage = { inputTokens: wire.input_tokens, outputTokens: wire.output_tokens ?? 0 };
  const cached = wire.input_tokens_details?.cached_tokens ?? 0;
  if (cached > 0) usage.cacheReadInputTokens = cached;
  const reasoning = wire.output_tokens_details?.reasoning_tokens ?? 0;
  if (reasoning > 0) usage.reasoningTokens = reasoning;
  return usage;
}
