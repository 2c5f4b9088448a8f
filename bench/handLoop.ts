/**
 * The baseline every ratio is measured against: a hand-written loop (TextDecoder, split on blank
 * lines, JSON.parse, a switch that accumulates), plus the accumulator the peers share so that
 * every method does the same work after parsing.
 */

/** What every method extracts from a transcript; compared against the generator's truth. */
export interface Extracted {
  text: string;
  reasoning: string;
  /** Final argument JSON of every completed function call, in order. */
  toolArgs: string[];
  /** Number of events the method produced (wire events or CodexEvents, per method). */
  events: number;
  /** Whether the terminal event was seen. */
  done: boolean;
}

/** The switch a hand-written client would have: text, reasoning, tool-call arguments, terminal. */
export class WireAccumulator {
  text = '';
  reasoning = '';
  toolArgs: string[] = [];
  events = 0;
  done = false;
  private args = new Map<string, string>();
  private calls = new Map<string, { callId: string; name: string }>();
  /** Parsed inputs of the completed calls (parsed once, as a real client would). */
  inputs: unknown[] = [];

  /** Handles one parsed wire event; returns true at the terminal event. */
  handle(ev: { type?: unknown; [k: string]: unknown }): boolean {
    this.events++;
    switch (ev.type) {
      case 'response.output_text.delta':
        this.text += ev.delta as string;
        return false;
      case 'response.reasoning_summary_text.delta':
      case 'response.reasoning_text.delta':
        this.reasoning += ev.delta as string;
        return false;
      case 'response.output_item.added': {
        const item = ev.item as { type: string; id: string; call_id: string; name: string };
        if (item.type === 'function_call') this.calls.set(item.id, { callId: item.call_id, name: item.name });
        return false;
      }
      case 'response.function_call_arguments.delta': {
        const id = ev.item_id as string;
        this.args.set(id, (this.args.get(id) ?? '') + (ev.delta as string));
        return false;
      }
      case 'response.function_call_arguments.done': {
        const id = ev.item_id as string;
        const raw = (ev.arguments as string | undefined) ?? this.args.get(id) ?? '{}';
        this.args.delete(id);
        this.toolArgs.push(raw);
        this.inputs.push(JSON.parse(raw));
        return false;
      }
      case 'response.completed':
      case 'response.incomplete':
      case 'response.done':
        this.done = true;
        return true;
      case 'error':
      case 'response.failed':
        throw new Error(`stream error event: ${JSON.stringify(ev).slice(0, 200)}`);
      default:
        return false;
    }
  }

  result(): Extracted {
    return { text: this.text, reasoning: this.reasoning, toolArgs: this.toolArgs, events: this.events, done: this.done };
  }
}

/**
 * The hand-written loop, incremental: `feed` one chunk, get told when the terminal event went by.
 * Handles multi-line `data:` fields and `data:` with or without the space; LF framing only (what
 * the bench generates).
 */
export class HandParser {
  readonly acc = new WireAccumulator();
  private readonly decoder = new TextDecoder();
  /** Text of the unfinished event, in pieces: joined once when its blank line arrives, so a
   * 1 MB event costs O(1 MB), not O(1 MB) per chunk (re-scanning or re-flattening a growing
   * string is quadratic). */
  private pending: string[] = [];
  /** The last pending piece ends in LF: a chunk starting with LF completes the blank line. */
  private pendingEndsWithLf = false;

  /** Parses one chunk; returns true once the terminal event has been handled. */
  feed(chunk: Uint8Array): boolean {
    const text = this.decoder.decode(chunk, { stream: true });
    let pos = 0;
    if (this.pendingEndsWithLf && text.charCodeAt(0) === 10) {
      const block = this.pending.join('');
      this.pending.length = 0;
      pos = 1;
      if (this.event(block.slice(0, -1))) return true;
    }
    let end: number;
    while ((end = text.indexOf('\n\n', pos)) !== -1) {
      const block = this.pending.length === 0 ? text.slice(pos, end) : this.pending.join('') + text.slice(pos, end);
      this.pending.length = 0;
      pos = end + 2;
      if (this.event(block)) return true;
    }
    if (pos < text.length) {
      this.pending.push(pos === 0 ? text : text.slice(pos));
      this.pendingEndsWithLf = text.charCodeAt(text.length - 1) === 10;
    } else {
      this.pendingEndsWithLf = false;
    }
    return false;
  }

  private event(block: string): boolean {
    const data = dataOf(block, 0, block.length);
    return data !== undefined && data !== '' && data !== '[DONE]' && this.acc.handle(JSON.parse(data));
  }
}

/** The hand-written loop over already-received chunks (the baseline of every ratio). */
export function handLoop(chunks: readonly Uint8Array[]): Extracted {
  const p = new HandParser();
  for (let c = 0; c < chunks.length; c++) if (p.feed(chunks[c]!)) break;
  return p.acc.result();
}

/** The joined `data:` lines of the block `buf[start, end)`. */
function dataOf(buf: string, start: number, end: number): string | undefined {
  let data: string | undefined;
  let i = start;
  while (i < end) {
    let nl = buf.indexOf('\n', i);
    if (nl === -1 || nl > end) nl = end;
    if (buf.startsWith('data:', i)) {
      const v = buf.charCodeAt(i + 5) === 32 ? buf.slice(i + 6, nl) : buf.slice(i + 5, nl);
      data = data === undefined ? v : data + '\n' + v;
    }
    i = nl + 1;
  }
  return data;
}

/** The same loop reading a `ReadableStream` (what a client gets from fetch): one await per chunk. */
export async function handLoopReader(body: ReadableStream<Uint8Array>): Promise<Extracted> {
  const p = new HandParser();
  const reader = body.getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      if (p.feed(value)) {
        await reader.cancel();
        break;
      }
    }
  } finally {
    reader.releaseLock();
  }
  return p.acc.result();
}
