/**
 * Memory: the heap (after a full GC) while a long stream goes through, sampled at checkpoints.
 * The hand loop accumulates text, reasoning and arguments too, so the pipeline's excess over it is
 * what the pipeline retains beyond the accumulated text.
 */
import { Subject, type OperatorFunction } from 'rxjs';
import type { CodexEvent } from '../src/types.js';
import { HandParser } from './handLoop.js';
import { gc } from './harness.js';

/** Heap samples of one method. */
export interface MemoryResult {
  name: string;
  /** Fraction of the stream fed (0 = subscribed, nothing fed). */
  fractions: number[];
  /** heapUsed after GC minus the baseline before subscribing, bytes, per checkpoint. */
  growth: number[];
  /** Text + reasoning chars emitted so far, per checkpoint. */
  chars: number[];
}

function heap(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

function checkpoints(n: number, count: number): Set<number> {
  const s = new Set<number>();
  // Up to the chunk before the last: the last one holds the terminal event, after which the
  // state is released; we want the heap with everything accumulated.
  for (let k = 1; k <= count; k++) s.add(Math.max(0, Math.min(n - 2, Math.round((n * k) / count) - 1)));
  return s;
}

/** The hand loop, sampled. */
export function memoryHandLoop(chunks: readonly Uint8Array[], count = 8): MemoryResult {
  const base = heap();
  const p = new HandParser();
  const at = checkpoints(chunks.length, count);
  const r: MemoryResult = { name: 'hand loop', fractions: [0], growth: [heap() - base], chars: [0] };
  for (let i = 0; i < chunks.length; i++) {
    const stop = p.feed(chunks[i]!);
    if (at.has(i) && !stop) {
      r.fractions.push((i + 1) / chunks.length);
      r.growth.push(heap() - base);
      r.chars.push(p.acc.text.length + p.acc.reasoning.length);
    }
    if (stop) break;
  }
  return r;
}

/** An operator chain fed through a Subject; the subscriber keeps nothing (only counts chars). */
export function memoryOperator(
  name: string,
  op: OperatorFunction<Uint8Array, CodexEvent>,
  chunks: readonly Uint8Array[],
  count = 8,
): MemoryResult {
  const base = heap();
  const input = new Subject<Uint8Array>();
  let chars = 0;
  let closed = false;
  let error: unknown;
  const sub = input.pipe(op).subscribe({
    next(ev) {
      if (ev.type === 'text-delta' || ev.type === 'reasoning-delta') chars += ev.delta.length;
    },
    error: (e) => {
      error = e;
      closed = true;
    },
    complete: () => (closed = true),
  });
  const at = checkpoints(chunks.length, count);
  const r: MemoryResult = { name, fractions: [0], growth: [heap() - base], chars: [0] };
  for (let i = 0; i < chunks.length && !closed; i++) {
    input.next(chunks[i]!);
    // Sample before the terminal event releases the state (the last checkpoint is the
    // interesting one: everything accumulated, nothing released yet).
    if (at.has(i) && !closed) {
      r.fractions.push((i + 1) / chunks.length);
      r.growth.push(heap() - base);
      r.chars.push(chars);
    }
  }
  sub.unsubscribe();
  if (error !== undefined) throw error;
  return r;
}
