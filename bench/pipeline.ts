/** Adapters that run codex-rx's operators over chunks and extract what the hand loop extracts. */
import { from, Subject, type OperatorFunction } from 'rxjs';
import type { CodexEvent } from '../src/types.js';
import type { Extracted } from './handLoop.js';

type Op<A, B> = OperatorFunction<A, B>;

/** Folds CodexEvents into what the hand loop extracts. */
export class EventSink {
  text = '';
  reasoning = '';
  toolArgs: string[] = [];
  events = 0;
  done = false;
  error: unknown = undefined;

  next = (ev: CodexEvent): void => {
    this.events++;
    switch (ev.type) {
      case 'text-delta':
        this.text += ev.delta;
        break;
      case 'reasoning-delta':
        this.reasoning += ev.delta;
        break;
      case 'tool-calls':
        for (const c of ev.toolCalls) this.toolArgs.push(c.rawInputJson ?? JSON.stringify(c.input));
        break;
      case 'done':
        this.done = true;
        break;
      default:
        break;
    }
  };

  result(): Extracted {
    if (this.error !== undefined) throw this.error;
    return { text: this.text, reasoning: this.reasoning, toolArgs: this.toolArgs, events: this.events, done: this.done };
  }
}

/** `from(chunks).pipe(op)`: synchronous, the whole stream in one call. */
export function runOperator(op: Op<Uint8Array, CodexEvent>, chunks: readonly Uint8Array[]): Extracted {
  const sink = new EventSink();
  from(chunks)
    .pipe(op)
    .subscribe({ next: sink.next, error: (e) => (sink.error = e) });
  return sink.result();
}

/**
 * Runs a prefix of the pipeline and only counts what comes out (stage cost attribution).
 * Returns an Extracted that carries the count; the text is not checked for prefixes.
 */
export function runStage<T>(op: Op<Uint8Array, T>, chunks: readonly Uint8Array[]): number {
  let n = 0;
  let error: unknown;
  from(chunks)
    .pipe(op)
    .subscribe({ next: () => n++, error: (e) => (error = e) });
  if (error !== undefined) throw error;
  return n;
}

/** Result of {@link measureLatency}. */
export interface LatencyResult {
  /** ms from the `next(chunk)` that completes the first event to its emission (any CodexEvent). */
  firstEventMs: number;
  /** Per chunk that produced events: ms from `next(chunk)` to the last event it produced. */
  steadyMs: number[];
  /** Text-delta events not emitted in the same `next(chunk)` call as the bytes that complete them. */
  late: number;
  /** Set up time of the operator chain + subscription, ms. */
  subscribeMs: number;
}

/**
 * Feeds chunks one by one through a Subject and checks, after every chunk, that all text whose
 * events are complete in the bytes so far has been emitted (same tick), timing each emission.
 */
export function measureLatency(
  op: Op<Uint8Array, CodexEvent>,
  chunks: readonly Uint8Array[],
  marks: { end: Int32Array; textLength: Int32Array },
): LatencyResult {
  const input = new Subject<Uint8Array>();
  let textLength = 0;
  let lastEmit = 0;
  let firstEmit = -1;
  let error: unknown;
  const t0 = performance.now();
  const sub = input.pipe(op).subscribe({
    next(ev) {
      lastEmit = performance.now();
      if (firstEmit < 0) firstEmit = lastEmit;
      if (ev.type === 'text-delta') textLength += ev.delta.length;
    },
    error: (e) => (error = e),
  });
  const subscribeMs = performance.now() - t0;
  let offset = 0;
  let mark = 0;
  let late = 0;
  let firstEventMs = NaN;
  const steadyMs: number[] = [];
  for (const c of chunks) {
    offset += c.length;
    while (mark < marks.end.length && marks.end[mark]! <= offset) mark++;
    const expected = mark === 0 ? 0 : marks.textLength[mark - 1]!;
    const hadFirst = firstEmit >= 0;
    const start = performance.now();
    lastEmit = -1;
    input.next(c);
    if (error !== undefined) break;
    if (textLength < expected) late++;
    if (!hadFirst && firstEmit >= 0) firstEventMs = firstEmit - start;
    else if (lastEmit >= 0) steadyMs.push(lastEmit - start);
  }
  sub.unsubscribe();
  if (error !== undefined) throw error;
  return { firstEventMs, steadyMs, late, subscribeMs };
}
