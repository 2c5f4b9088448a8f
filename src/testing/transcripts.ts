/**
 * Small pure helpers to build Server-Sent Events transcripts of the Codex Responses stream, for
 * tests: frame messages and wire events as SSE, turn text into byte chunks, and build realistic
 * turns (text, reasoning, tool calls) event by event.
 *
 * ```ts
 * import { chunkBytes, encodeUtf8, sseTranscript, textTurn } from 'codex-rx/testing';
 *
 * const chunks = chunkBytes(encodeUtf8(sseTranscript(textTurn({ text: ['Hel', 'lo'] }))), 16);
 * ```
 */
import type { SseMessage, Usage } from '../types.js';

/** A wire event of the Responses stream: an object with a string `type`. */
export interface ResponseEventLike {
  type: string;
  [key: string]: unknown;
}

const encoder = new TextEncoder();
const LINE_BREAK = /\r\n|\r|\n/;

/**
 * Frames one SSE message: `event:` and `id:` lines when given, one `data:` line per line of
 * `data` (so multi-line data round-trips), then the blank line that dispatches it.
 * @throws {TypeError} When `event` or `id` contains a line break, or `id` a NUL (receivers
 * would ignore it).
 */
export function sseFrame(message: SseMessage): string {
  if (typeof message?.data !== 'string') throw new TypeError('sseFrame: data must be a string');
  let out = '';
  if (message.event !== undefined) {
    if (LINE_BREAK.test(message.event)) throw new TypeError('sseFrame: event must not contain a line break');
    out += `event: ${message.event}\n`;
  }
  if (message.id !== undefined) {
    if (LINE_BREAK.test(message.id) || message.id.includes('\0')) throw new TypeError('sseFrame: id must not contain a line break or NUL');
    out += `id: ${message.id}\n`;
  }
  for (const line of message.data.split(LINE_BREAK)) out += `data: ${line}\n`;
  return `${out}\n`;
}

/**
 * Frames a wire event the way the Codex backend does: `event: <type>\ndata: <json>\n\n`.
 * @throws {TypeError} When `event.type` is not a string.
 */
export function responseEventFrame(event: ResponseEventLike): string {
  if (typeof event?.type !== 'string') throw new TypeError('responseEventFrame: event.type must be a string');
  return sseFrame({ event: event.type, data: JSON.stringify(event) });
}

/** Frames wire events, in order, as one SSE transcript. */
export function sseTranscript(events: readonly ResponseEventLike[]): string {
  let out = '';
  for (const event of events) out += responseEventFrame(event);
  return out;
}

/** UTF-8 bytes of a string. */
export function encodeUtf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/**
 * Cuts bytes into chunks of `size` bytes (the last may be shorter): views, not copies.
 * @throws {RangeError} When `size` is not a positive integer.
 */
export function chunkBytes(bytes: Uint8Array, size: number): Uint8Array[] {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`chunkBytes: size must be a positive integer, got ${size}`);
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
  return chunks;
}

/**
 * Frames a recorded stream (one JSON event per line, as in codex-rx's recorded fixtures) as the
 * SSE the server sent: `event: <type>\ndata: <line>\n\n` per line, the line kept byte for byte.
 * Blank lines are skipped.
 * @throws {TypeError} When a line is not JSON.
 */
export function recordedFixtureToSse(jsonlText: string): string {
  let out = '';
  const lines = jsonlText.split(LINE_BREAK);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch (cause) {
      throw new TypeError(`recordedFixtureToSse: line ${i + 1} is not JSON`, { cause });
    }
    const type = (parsed as { type?: unknown } | null)?.type;
    out += sseFrame(typeof type === 'string' ? { event: type, data: line } : { data: line });
  }
  return out;
}

/** Options shared by the turn builders. */
export interface TurnOptions {
  /** @default 'resp_test' */
  responseId?: string;
  /** @default 'gpt-5.5' */
  model?: string;
  /** The reasoning item, first in the output: summary deltas and its encrypted content. */
  reasoning?: { summary: string[]; encryptedContent?: string; id?: string };
  /** Token usage reported by the terminal event; `usage: null` when absent. */
  usage?: Usage;
  /** End with `response.incomplete` and this reason instead of `response.completed`. */
  incompleteReason?: string;
}

/** Options of {@link textTurn}. */
export interface TextTurnOptions extends TurnOptions {
  /** The text deltas, in order. */
  text: string[];
}

/** One function call of {@link toolCallTurn}. */
export interface TurnToolCall {
  /** The call id a tool result refers to (`call_…`). */
  callId: string;
  name: string;
  /** The argument JSON, as streamed deltas. */
  arguments: string[];
  /** The wire item id. @default `fc_<n>` */
  itemId?: string;
}

/** Options of {@link toolCallTurn}. */
export interface ToolCallTurnOptions extends TurnOptions {
  calls: TurnToolCall[];
  /** Text deltas of a message before the calls, if any. */
  text?: string[];
}

/**
 * The wire events of a Codex turn that answers with text, shaped like the recorded streams:
 * `response.created`, `response.in_progress`, the reasoning item (if any), the message item
 * (`output_item.added`, `content_part.added`, `output_text.delta`s, `.done`s), then
 * `response.completed` with the output and usage.
 */
export function textTurn(options: TextTurnOptions): ResponseEventLike[] {
  return buildTurn(options, options.text, []);
}

/** The wire events of a Codex turn that calls tools (after optional reasoning and text). */
export function toolCallTurn(options: ToolCallTurnOptions): ResponseEventLike[] {
  return buildTurn(options, options.text, options.calls);
}

function buildTurn(options: TurnOptions, text: string[] | undefined, calls: TurnToolCall[]): ResponseEventLike[] {
  const responseId = options.responseId ?? 'resp_test';
  const model = options.model ?? 'gpt-5.5';
  const events: ResponseEventLike[] = [];
  const output: unknown[] = [];
  // `type` first, then `sequence_number`, as the server orders them.
  const push = ({ type, ...fields }: ResponseEventLike): void => {
    events.push({ type, sequence_number: events.length, ...fields });
  };
  const response = (status: string, extra: Record<string, unknown>) => ({
    id: responseId,
    object: 'response',
    created_at: 1765552659,
    status,
    model,
    ...extra,
  });

  push({ type: 'response.created', response: response('in_progress', { output: [], usage: null }) });
  push({ type: 'response.in_progress', response: response('in_progress', { output: [], usage: null }) });

  if (options.reasoning) {
    const output_index = output.length;
    const { summary, encryptedContent } = options.reasoning;
    const item_id = options.reasoning.id ?? `rs_${output_index}`;
    const withContent = encryptedContent === undefined ? {} : { encrypted_content: encryptedContent };
    push({ type: 'response.output_item.added', output_index, item: { id: item_id, type: 'reasoning', ...withContent, summary: [] } });
    const full = summary.join('');
    const at = { item_id, output_index, summary_index: 0 };
    if (summary.length > 0) {
      push({ type: 'response.reasoning_summary_part.added', ...at, part: { type: 'summary_text', text: '' } });
      for (const delta of summary) push({ type: 'response.reasoning_summary_text.delta', ...at, delta });
      push({ type: 'response.reasoning_summary_text.done', ...at, text: full });
      push({ type: 'response.reasoning_summary_part.done', ...at, part: { type: 'summary_text', text: full } });
    }
    const item = {
      id: item_id,
      type: 'reasoning',
      ...withContent,
      summary: summary.length > 0 ? [{ type: 'summary_text', text: full }] : [],
    };
    push({ type: 'response.output_item.done', output_index, item });
    output.push(item);
  }

  if (text !== undefined) {
    const output_index = output.length;
    const item_id = `msg_${output_index}`;
    const full = text.join('');
    const at = { item_id, output_index, content_index: 0 };
    const part = (t: string) => ({ type: 'output_text', annotations: [], logprobs: [], text: t });
    push({
      type: 'response.output_item.added',
      output_index,
      item: { id: item_id, type: 'message', status: 'in_progress', content: [], role: 'assistant' },
    });
    push({ type: 'response.content_part.added', ...at, part: part('') });
    for (const delta of text) push({ type: 'response.output_text.delta', ...at, delta, logprobs: [] });
    push({ type: 'response.output_text.done', ...at, text: full, logprobs: [] });
    push({ type: 'response.content_part.done', ...at, part: part(full) });
    const item = { id: item_id, type: 'message', status: 'completed', content: [part(full)], role: 'assistant' };
    push({ type: 'response.output_item.done', output_index, item });
    output.push(item);
  }

  for (const call of calls) {
    const output_index = output.length;
    const item_id = call.itemId ?? `fc_${output_index}`;
    const args = call.arguments.join('');
    const base = { id: item_id, type: 'function_call', call_id: call.callId, name: call.name };
    push({ type: 'response.output_item.added', output_index, item: { ...base, status: 'in_progress', arguments: '' } });
    for (const delta of call.arguments) push({ type: 'response.function_call_arguments.delta', item_id, output_index, delta });
    push({ type: 'response.function_call_arguments.done', item_id, output_index, arguments: args });
    const item = { ...base, status: 'completed', arguments: args };
    push({ type: 'response.output_item.done', output_index, item });
    output.push(item);
  }

  const usage = options.usage === undefined ? null : wireUsage(options.usage);
  if (options.incompleteReason !== undefined) {
    push({
      type: 'response.incomplete',
      response: response('incomplete', { incomplete_details: { reason: options.incompleteReason }, output, usage }),
    });
  } else {
    push({ type: 'response.completed', response: response('completed', { incomplete_details: null, output, usage }) });
  }
  return events;
}

function wireUsage(usage: Usage): Record<string, unknown> {
  return {
    input_tokens: usage.inputTokens,
    input_tokens_details: { cached_tokens: usage.cacheReadInputTokens ?? 0 },
    output_tokens: usage.outputTokens,
    output_tokens_details: { reasoning_tokens: usage.reasoningTokens ?? 0 },
    total_tokens: usage.inputTokens + usage.outputTokens,
  };
}
