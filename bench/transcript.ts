/**
 * Realistic Codex Responses SSE transcripts for the benchmarks, generated deterministically.
 *
 * The wire shapes follow the recorded streams in spec/fixtures/recorded: every event is
 * framed as `event: <type>\ndata: <json>\n\n`, carries a `sequence_number`, and deltas carry the
 * `obfuscation` padding the real API adds. One response holds repeated cycles of a reasoning item
 * (summary deltas + encrypted content), a message (text deltas, mixed ASCII / accented / CJK /
 * emoji tokens) and a function call (argument deltas; every 32nd cycle a long one), then
 * `response.completed` with usage.
 */

/** What the generator produced, plus what any correct parser must extract from it. */
export interface Transcript {
  /** The whole SSE body, UTF-8. */
  bytes: Uint8Array;
  /** Number of SSE events. */
  events: number;
  /** Concatenated `response.output_text.delta` deltas. */
  text: string;
  /** Concatenated reasoning (summary) deltas. */
  reasoning: string;
  /** The final argument JSON of every function call, in order. */
  toolArgs: string[];
  /**
   * For every text-delta event: the byte offset just past its blank line, and the text length
   * (UTF-16 units) emitted once that event is through. Used to check that events are emitted in
   * the same tick as the bytes that complete them.
   */
  textMarks: { end: Int32Array; textLength: Int32Array };
}

/** Generator options. */
export interface TranscriptOptions {
  /** Approximate size of the body in bytes (the last cycle is finished, so it is a little over). */
  sizeBytes: number;
  /** PRNG seed. @default 1 */
  seed?: number;
}

/** Options of {@link generateToolCallTranscript}. */
export interface ToolCallTranscriptOptions {
  /** Size of the function call's argument JSON in bytes (UTF-16 units, ≈ bytes). */
  argsBytes: number;
  /** Size of each argument delta. @default 10 */
  deltaSize?: number;
  /** PRNG seed. @default 7 */
  seed?: number;
}

/** mulberry32: small, fast, deterministic. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TOKENS = [
  ' the',
  ' stream',
  ' function',
  ' returns',
  ' an',
  ' Observable',
  ' of',
  ' events',
  '.',
  ',',
  '\n',
  ' `parse',
  'Response',
  'Stream',
  '()`',
  ' café',
  ' naïve',
  ' résumé',
  ' über',
  ' 東京',
  '漢字',
  ' 😀',
  ' ✓',
  ' —',
  ' "quoted"',
  ' back\\slash',
  '\n\n',
  '```ts\n',
  'const',
  ' x',
  ' =',
  ' 1',
  ';',
  ' Ω',
  ' π',
  ' ≤',
  ' 1.5×',
  ' naïveté',
  ' we',
  ' can',
  ' see',
  ' that',
  ' it',
  ' works',
  '\t',
  ' Ñandú',
];

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function randStr(rand: () => number, n: number, alphabet = B64): string {
  let s = '';
  for (let i = 0; i < n; i++) s += alphabet[(rand() * alphabet.length) | 0];
  return s;
}

/** Splits a string into pieces of `size` UTF-16 units without cutting a surrogate pair. */
function slices(s: string, size: number): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < s.length) {
    let j = Math.min(i + size, s.length);
    const c = s.charCodeAt(j - 1);
    if (j < s.length && c >= 0xd800 && c <= 0xdbff) j++;
    out.push(s.slice(i, j));
    i = j;
  }
  return out;
}

/** Builds the SSE body; tracks byte offsets and the text marks. */
class Writer {
  private parts: string[] = [];
  private offset = 0;
  private seq = 0;
  events = 0;
  text = '';
  reasoning = '';
  toolArgs: string[] = [];
  private marksEnd: number[] = [];
  private marksLen: number[] = [];

  constructor(private readonly rand: () => number) {}

  emit(payload: Record<string, unknown>): void {
    const type = payload.type as string;
    const data = JSON.stringify({ type, sequence_number: this.seq++, ...payload });
    const frame = `event: ${type}\ndata: ${data}\n\n`;
    this.parts.push(frame);
    this.offset += Buffer.byteLength(frame);
    this.events++;
  }

  delta(payload: Record<string, unknown>, delta: string): void {
    // The real API pads deltas with a random `obfuscation` string so lengths do not leak tokens.
    const pad = Math.max(2, 16 - delta.length);
    this.emit({ ...payload, delta, obfuscation: randStr(this.rand, pad) });
  }

  textDelta(payload: Record<string, unknown>, delta: string): void {
    this.delta(payload, delta);
    this.text += delta;
    this.marksEnd.push(this.offset);
    this.marksLen.push(this.text.length);
  }

  get size(): number {
    return this.offset;
  }

  finish(): Transcript {
    return {
      bytes: new Uint8Array(Buffer.from(this.parts.join(''), 'utf8')),
      events: this.events,
      text: this.text,
      reasoning: this.reasoning,
      toolArgs: this.toolArgs,
      textMarks: { end: Int32Array.from(this.marksEnd), textLength: Int32Array.from(this.marksLen) },
    };
  }
}

function responseObject(id: string, status: string, output: unknown[], usage: unknown): Record<string, unknown> {
  // The fields the real `response.created` carries, so its size is realistic (~1.5 KB).
  return {
    id,
    object: 'response',
    created_at: 1765552659,
    status,
    background: false,
    error: null,
    incomplete_details: null,
    instructions: 'You are Codex, a coding agent. Be concise, cite files, prefer small diffs.',
    max_output_tokens: null,
    model: 'gpt-5.3-codex',
    output,
    parallel_tool_calls: false,
    previous_response_id: null,
    prompt_cache_key: 'session-0f3c2a9e-bench',
    reasoning: { effort: 'high', summary: 'detailed' },
    service_tier: 'auto',
    store: false,
    temperature: 1,
    text: { format: { type: 'text' }, verbosity: 'medium' },
    tool_choice: 'auto',
    tools: [
      {
        type: 'function',
        name: 'apply_patch',
        description: 'Apply a patch to the working tree.',
        parameters: {
          type: 'object',
          properties: { path: { type: 'string' }, patch: { type: 'string' } },
          required: ['path', 'patch'],
          additionalProperties: false,
        },
        strict: null,
      },
    ],
    top_p: 0.98,
    truncation: 'disabled',
    usage,
    user: null,
    metadata: {},
  };
}

function argsJson(rand: () => number, targetBytes: number): string {
  // A patch-like string: escapes (\n, \", \\) and non-ASCII, as real apply_patch calls have.
  let body = '';
  while (body.length < targetBytes) {
    body += `+ const s${(rand() * 1000) | 0} = "naïve 東京 \\ ok";\n`;
  }
  return JSON.stringify({ path: 'src/reduce/reduceResponse.ts', patch: body.slice(0, targetBytes) });
}

function hexId(rand: () => number, prefix: string): string {
  return prefix + randStr(rand, 48, '0123456789abcdef');
}

/** One output cycle: reasoning summary, message text, function call. */
function cycle(w: Writer, rand: () => number, outputIndex: number, cycleNo: number): number {
  // Reasoning with a summary and encrypted content.
  const rsId = hexId(rand, 'rs_');
  w.emit({
    type: 'response.output_item.added',
    output_index: outputIndex,
    item: { id: rsId, type: 'reasoning', encrypted_content: null, summary: [] },
  });
  w.emit({
    type: 'response.reasoning_summary_part.added',
    item_id: rsId,
    output_index: outputIndex,
    summary_index: 0,
    part: { type: 'summary_text', text: '' },
  });
  let summary = '';
  const nSummary = 20 + ((rand() * 40) | 0);
  for (let i = 0; i < nSummary; i++) {
    const d = TOKENS[(rand() * TOKENS.length) | 0]!;
    w.delta({ type: 'response.reasoning_summary_text.delta', item_id: rsId, output_index: outputIndex, summary_index: 0 }, d);
    summary += d;
  }
  w.reasoning += summary;
  w.emit({ type: 'response.reasoning_summary_text.done', item_id: rsId, output_index: outputIndex, summary_index: 0, text: summary });
  w.emit({
    type: 'response.reasoning_summary_part.done',
    item_id: rsId,
    output_index: outputIndex,
    summary_index: 0,
    part: { type: 'summary_text', text: summary },
  });
  w.emit({
    type: 'response.output_item.done',
    output_index: outputIndex,
    item: {
      id: rsId,
      type: 'reasoning',
      encrypted_content: 'gAAAAA' + randStr(rand, 1200),
      summary: [{ type: 'summary_text', text: summary }],
    },
  });
  outputIndex++;

  // An assistant message.
  const msgId = hexId(rand, 'msg_');
  w.emit({
    type: 'response.output_item.added',
    output_index: outputIndex,
    item: { id: msgId, type: 'message', status: 'in_progress', content: [], role: 'assistant' },
  });
  w.emit({
    type: 'response.content_part.added',
    item_id: msgId,
    output_index: outputIndex,
    content_index: 0,
    part: { type: 'output_text', annotations: [], logprobs: [], text: '' },
  });
  let text = '';
  const nText = 200 + ((rand() * 400) | 0);
  for (let i = 0; i < nText; i++) {
    const d = TOKENS[(rand() * TOKENS.length) | 0]!;
    w.textDelta({ type: 'response.output_text.delta', item_id: msgId, output_index: outputIndex, content_index: 0, logprobs: [] }, d);
    text += d;
  }
  w.emit({ type: 'response.output_text.done', item_id: msgId, output_index: outputIndex, content_index: 0, logprobs: [], text });
  w.emit({
    type: 'response.content_part.done',
    item_id: msgId,
    output_index: outputIndex,
    content_index: 0,
    part: { type: 'output_text', annotations: [], logprobs: [], text },
  });
  w.emit({
    type: 'response.output_item.done',
    output_index: outputIndex,
    item: {
      id: msgId,
      type: 'message',
      status: 'completed',
      role: 'assistant',
      content: [{ type: 'output_text', annotations: [], logprobs: [], text }],
    },
  });
  outputIndex++;

  // A function call; every 32nd one is long (16 KiB of arguments).
  functionCall(w, rand, outputIndex, cycleNo % 32 === 31 ? 16 * 1024 : 200 + ((rand() * 600) | 0), 4);
  return outputIndex + 1;
}

function functionCall(w: Writer, rand: () => number, outputIndex: number, argsBytes: number, deltaSize: number): void {
  const fcId = hexId(rand, 'fc_');
  const callId = 'call_' + randStr(rand, 24);
  w.emit({
    type: 'response.output_item.added',
    output_index: outputIndex,
    item: { id: fcId, type: 'function_call', status: 'in_progress', arguments: '', call_id: callId, name: 'apply_patch' },
  });
  const args = argsJson(rand, argsBytes);
  for (const d of slices(args, deltaSize)) {
    w.delta({ type: 'response.function_call_arguments.delta', item_id: fcId, output_index: outputIndex }, d);
  }
  w.emit({ type: 'response.function_call_arguments.done', item_id: fcId, output_index: outputIndex, arguments: args });
  w.emit({
    type: 'response.output_item.done',
    output_index: outputIndex,
    item: { id: fcId, type: 'function_call', status: 'completed', arguments: args, call_id: callId, name: 'apply_patch' },
  });
  w.toolArgs.push(args);
}

function open(w: Writer, respId: string): void {
  w.emit({ type: 'response.created', response: responseObject(respId, 'in_progress', [], null) });
  w.emit({ type: 'response.in_progress', response: responseObject(respId, 'in_progress', [], null) });
}

function close(w: Writer, respId: string): void {
  // The real terminal event repeats the output; keep it bounded (the last items only) so one
  // event does not dominate a 50 MB transcript.
  w.emit({
    type: 'response.completed',
    response: responseObject(respId, 'completed', [], {
      input_tokens: 5120,
      input_tokens_details: { cached_tokens: 4096 },
      output_tokens: Math.round(w.size / 40),
      output_tokens_details: { reasoning_tokens: 1024 },
      total_tokens: 5120 + Math.round(w.size / 40),
    }),
  });
}

/** A long mixed transcript: reasoning, text, function calls, non-ASCII; ends with `response.completed`. */
export function generateTranscript(options: TranscriptOptions): Transcript {
  const rand = prng(options.seed ?? 1);
  const w = new Writer(rand);
  const respId = hexId(rand, 'resp_');
  open(w, respId);
  let outputIndex = 0;
  let n = 0;
  while (w.size < options.sizeBytes) outputIndex = cycle(w, rand, outputIndex, n++);
  close(w, respId);
  return w.finish();
}

/** One function call whose arguments (`argsBytes` long) stream in `deltaSize`-unit deltas. */
export function generateToolCallTranscript(options: ToolCallTranscriptOptions): Transcript {
  const rand = prng(options.seed ?? 7);
  const w = new Writer(rand);
  const respId = hexId(rand, 'resp_');
  open(w, respId);
  functionCall(w, rand, 0, options.argsBytes, options.deltaSize ?? 10);
  close(w, respId);
  return w.finish();
}

/**
 * The same content as {@link generateToolCallTranscript} (same seed, same bytes, same delta
 * size) streamed as assistant text instead: the yardstick for "a tool call costs no more per
 * byte than text".
 */
export function generateTextTranscript(options: ToolCallTranscriptOptions): Transcript {
  const rand = prng(options.seed ?? 7);
  const w = new Writer(rand);
  const respId = hexId(rand, 'resp_');
  open(w, respId);
  const msgId = hexId(rand, 'msg_');
  w.emit({
    type: 'response.output_item.added',
    output_index: 0,
    item: { id: msgId, type: 'message', status: 'in_progress', content: [], role: 'assistant' },
  });
  const text = argsJson(rand, options.argsBytes);
  for (const d of slices(text, options.deltaSize ?? 10)) {
    w.textDelta({ type: 'response.output_text.delta', item_id: msgId, output_index: 0, content_index: 0, logprobs: [] }, d);
  }
  w.emit({ type: 'response.output_text.done', item_id: msgId, output_index: 0, content_index: 0, logprobs: [], text });
  close(w, respId);
  return w.finish();
}

/**
 * Events a Codex client passes over without keeping anything (hosted-tool progress, keepalives,
 * rate-limit notices), `sizeBytes` of them between `response.created` and `response.completed`:
 * whatever the heap grows by while they stream is retained per byte, not per text char.
 */
export function generateFillerTranscript(options: TranscriptOptions): Transcript {
  const rand = prng(options.seed ?? 11);
  const w = new Writer(rand);
  const respId = hexId(rand, 'resp_');
  open(w, respId);
  let i = 0;
  while (w.size < options.sizeBytes) {
    const id = hexId(rand, 'ws_');
    w.emit({ type: 'response.output_item.added', output_index: i, item: { id, type: 'web_search_call', status: 'in_progress' } });
    w.emit({ type: 'response.web_search_call.in_progress', item_id: id, output_index: i });
    w.emit({ type: 'response.web_search_call.searching', item_id: id, output_index: i });
    w.emit({ type: 'keepalive' });
    w.emit({ type: 'codex.rate_limits', rate_limits: { primary: { used_percent: 12.5, window_minutes: 300, resets_in_seconds: 9000 } } });
    w.emit({ type: 'response.web_search_call.completed', item_id: id, output_index: i });
    w.emit({
      type: 'response.output_item.done',
      output_index: i,
      item: { id, type: 'web_search_call', status: 'completed', action: { type: 'search', query: `naïve query ${randStr(rand, 24)}` } },
    });
    i++;
  }
  close(w, respId);
  return w.finish();
}

/** Cuts a body into chunks of `size` bytes (views, no copies); multi-byte characters get split. */
export function chunk(bytes: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, Math.min(i + size, bytes.length)));
  return out;
}
