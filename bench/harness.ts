/**
 * Timing: every method runs once per round, in a rotating order, in one process; the first rounds
 * are warm-up. Ratios are taken per round against the baseline measured in that same round, then
 * the median is reported, so load from other processes on a shared 2-core machine cancels out.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Extracted } from './handLoop.js';

/** A method under test: parses the chunks and says what it extracted. */
export interface Method {
  name: string;
  /** Only timed: what it extracts is not compared with the truth (partial pipelines). */
  noCheck?: boolean;
  run(chunks: readonly Uint8Array[]): Extracted | Promise<Extracted>;
}

/** What the methods must extract (from the generator). */
export interface Truth {
  text: string;
  reasoning: string;
  toolArgs: string[];
}

/** One method's result over all rounds. */
export interface MethodResult {
  name: string;
  /** Median wall time of one run, ms. */
  medianMs: number;
  /** Median of per-round (time / baseline time). */
  ratio: number;
  /** 25th and 75th percentiles of the per-round ratios (the spread the machine's load caused). */
  ratioIqr: [number, number];
  /** Median throughput, MB/s (10^6 bytes). */
  mbPerS: number;
  /** Null when the method extracted the truth; else what differed. */
  mismatch: string | null;
  /** Raw per-round times (ms). */
  times: number[];
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

let gcFn: (() => void) | undefined;
/** A full GC, available without `--expose-gc` on the command line (the V8 flag is set at run time). */
export function gc(): void {
  if (!gcFn) {
    const g = (globalThis as { gc?: () => void }).gc;
    if (g) gcFn = g;
    else {
      setFlagsFromString('--expose-gc');
      gcFn = runInNewContext('gc') as () => void;
    }
  }
  gcFn();
}

/** Compares an extraction with the truth; returns a short description of the first difference. */
export function compare(got: Extracted, truth: Truth): string | null {
  if (got.text !== truth.text)
    return `text differs (got ${got.text.length} chars, want ${truth.text.length}; first diff at ${firstDiff(got.text, truth.text)})`;
  if (got.reasoning !== truth.reasoning) return `reasoning differs (got ${got.reasoning.length}, want ${truth.reasoning.length})`;
  if (got.toolArgs.length !== truth.toolArgs.length) return `tool calls: got ${got.toolArgs.length}, want ${truth.toolArgs.length}`;
  for (let i = 0; i < got.toolArgs.length; i++) {
    if (got.toolArgs[i] !== truth.toolArgs[i]) return `tool call ${i} arguments differ`;
  }
  if (!got.done) return 'terminal event not seen';
  return null;
}

function firstDiff(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a.charCodeAt(i) !== b.charCodeAt(i)) return i;
  return n;
}

/** Options of {@link runInterleaved}. */
export interface InterleaveOptions {
  rounds: number;
  warmup: number;
  /** Body size in bytes, for MB/s. */
  bytes: number;
  /** Full GC before each run, so one method's garbage is not collected on the next one's time. @default true */
  gcBetweenRuns?: boolean;
  /** Called after each round (progress). */
  onRound?: (round: number) => void;
}

/**
 * Runs `methods` (the first is the baseline) over the same chunks, alternating. A method that
 * throws or extracts something other than the truth is reported, not timed further.
 */
export async function runInterleaved(
  methods: readonly Method[],
  chunks: readonly Uint8Array[],
  truth: Truth,
  options: InterleaveOptions,
): Promise<MethodResult[]> {
  const times = methods.map(() => [] as number[]);
  const ratios = methods.map(() => [] as number[]);
  const mismatch: (string | null)[] = methods.map(() => null);
  const total = options.warmup + options.rounds;
  for (let round = 0; round < total; round++) {
    const roundTimes: number[] = new Array(methods.length).fill(NaN);
    for (let k = 0; k < methods.length; k++) {
      // Rotate the order so no method always runs right after the same neighbour (GC debt).
      const i = (k + round) % methods.length;
      if (mismatch[i] !== null) continue;
      if (options.gcBetweenRuns !== false) gc();
      const t0 = performance.now();
      let got: Extracted;
      try {
        got = await methods[i]!.run(chunks);
      } catch (e) {
        mismatch[i] = `threw ${(e as Error)?.name}: ${String((e as Error)?.message ?? e).slice(0, 160)}`;
        continue;
      }
      const ms = performance.now() - t0;
      if (round === 0 && !methods[i]!.noCheck) mismatch[i] = compare(got, truth);
      roundTimes[i] = ms;
    }
    if (round >= options.warmup) {
      for (let i = 0; i < methods.length; i++) {
        if (Number.isNaN(roundTimes[i]!)) continue;
        times[i]!.push(roundTimes[i]!);
        ratios[i]!.push(roundTimes[i]! / roundTimes[0]!);
      }
    }
    options.onRound?.(round);
  }
  return methods.map((m, i) => {
    const med = median(times[i]!);
    return {
      name: m.name,
      medianMs: med,
      ratio: median(ratios[i]!),
      ratioIqr: [percentile(ratios[i]!, 25), percentile(ratios[i]!, 75)],
      mbPerS: options.bytes / 1e6 / (med / 1000),
      mismatch: mismatch[i]!,
      times: times[i]!,
    };
  });
}
