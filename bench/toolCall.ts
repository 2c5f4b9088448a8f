/**
 * A function call whose arguments stream in 10-byte deltas, at growing sizes: the pipeline's cost
 * per byte must not grow with the argument's length (the Rust client re-parsed the whole buffer on
 * every delta: quadratic). Sizes grow ×4 and stop early when the next one is projected to take
 * too long, so a quadratic implementation is reported instead of hanging the bench.
 */
import type { OperatorFunction } from 'rxjs';
import type { CodexEvent } from '../src/types.js';
import { handLoop } from './handLoop.js';
import { runInterleaved, type MethodResult } from './harness.js';
import { runOperator } from './pipeline.js';
import { chunk, generateTextTranscript, generateToolCallTranscript } from './transcript.js';

/** One size of the tool-call benchmark. */
export interface ToolCallRow {
  argsBytes: number;
  transcriptBytes: number;
  deltas: number;
  hand?: MethodResult;
  pipeline?: MethodResult;
  /** Pipeline ns per transcript byte. */
  nsPerByte?: number;
  /** The same content streamed as text deltas of the same size: pipeline ns per transcript byte. */
  textNsPerByte?: number;
  note?: string;
}

/** Options of {@link benchToolCalls}. */
export interface ToolCallOptions {
  sizes: number[];
  deltaSize: number;
  chunkSize: number;
  rounds: number;
  warmup: number;
  /** Skip a size whose single pipeline run is projected above this. */
  budgetMs: number;
  gcBetweenRuns?: boolean;
}

export async function benchToolCalls(op: () => OperatorFunction<Uint8Array, CodexEvent>, o: ToolCallOptions): Promise<ToolCallRow[]> {
  const rows: ToolCallRow[] = [];
  let prev: { bytes: number; ms: number } | undefined;
  let exponent = 1;
  for (const argsBytes of o.sizes) {
    const t = generateToolCallTranscript({ argsBytes, deltaSize: o.deltaSize });
    const row: ToolCallRow = { argsBytes, transcriptBytes: t.bytes.length, deltas: t.events - 6 };
    rows.push(row);
    if (prev) {
      const projected = prev.ms * Math.pow(t.bytes.length / prev.bytes, Math.max(1, exponent));
      if (projected > o.budgetMs) {
        row.note = `skipped: projected ${(projected / 1000).toFixed(0)} s per run (time grows as size^${exponent.toFixed(2)})`;
        continue;
      }
    }
    const chunks = chunk(t.bytes, o.chunkSize);
    const [hand, pipeline] = await runInterleaved(
      [
        { name: 'hand loop', run: handLoop },
        { name: 'parseResponseStream()', run: (c) => runOperator(op(), c) },
      ],
      chunks,
      t,
      { rounds: o.rounds, warmup: o.warmup, bytes: t.bytes.length, gcBetweenRuns: o.gcBetweenRuns },
    );
    row.hand = hand;
    row.pipeline = pipeline;
    // The yardstick: the same bytes as text deltas, timed in the same conditions.
    const text = generateTextTranscript({ argsBytes, deltaSize: o.deltaSize });
    const [, textPipeline] = await runInterleaved(
      [
        { name: 'hand loop', run: handLoop },
        { name: 'parseResponseStream()', run: (c) => runOperator(op(), c) },
      ],
      chunk(text.bytes, o.chunkSize),
      text,
      { rounds: o.rounds, warmup: o.warmup, bytes: text.bytes.length, gcBetweenRuns: o.gcBetweenRuns },
    );
    if (textPipeline && textPipeline.mismatch === null) row.textNsPerByte = (textPipeline.medianMs * 1e6) / text.bytes.length;
    if (pipeline && pipeline.mismatch === null && Number.isFinite(pipeline.medianMs)) {
      row.nsPerByte = (pipeline.medianMs * 1e6) / t.bytes.length;
      if (prev) exponent = Math.log(pipeline.medianMs / prev.ms) / Math.log(t.bytes.length / prev.bytes);
      prev = { bytes: t.bytes.length, ms: pipeline.medianMs };
    } else {
      row.note = pipeline?.mismatch ?? 'pipeline failed';
      break;
    }
  }
  return rows;
}
