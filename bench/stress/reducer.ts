/**
 * The reducer's cost per event must not grow with the number of output items, nor with how
 * their deltas interleave. Wire events are built up front (as `responseEvents()` emits them), so
 * only `reduceResponse()` is timed, in CPU time (steadier than wall time on a shared machine).
 *
 * Rows: turns of 1,000 to 200,000 output items (messages, function calls and reasoning
 * summaries in turn, each with its deltas, `.done` events and finished item), and 100,000 text
 * deltas alternating between two messages against the same deltas in one message. A size whose
 * run is projected past the time budget is skipped and says so (a quadratic reducer is reported,
 * not waited for).
 */
import { from } from 'rxjs';
import { parseResponseEvent } from '../../src/events/responseEvents.js';
import { parseResponseStream } from '../../src/parseResponseStream.js';
import type { ResponseStreamEvent } from '../../src/events/schemas.js';
import { reduceResponse } from '../../src/reduce/reduceResponse.js';
import type { StressOptions } from './index.js';

/** A wire event as `responseEvents()` emits it. */
function wire(payload: Record<string, unknown>): ResponseStreamEvent {
  const event = parseResponseEvent(payload);
  if (event === undefined) throw new TypeError(`not an event: ${JSON.stringify(payload)}`);
  return event;
}

const CHUNK = 16 * 1024;

/** The events as an SSE body in 16 KiB chunks: bytes the garbage collector never traces. */
export function sseChunks(events: readonly ResponseStreamEvent[]): Uint8Array[] {
  const encoder = new TextEncoder();
  const chunks: Uint8Array[] = [];
  let pending = '';
  for (const event of events) {
    pending += `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
    if (pending.length >= 64 * CHUNK) {
      const bytes = encoder.encode(pending);
      for (let i = 0; i < bytes.length; i += CHUNK) chunks.push(bytes.subarray(i, i + CHUNK));
      pending = '';
    }
  }
  const bytes = encoder.encode(pending);
  for (let i = 0; i < bytes.length; i += CHUNK) chunks.push(bytes.subarray(i, i + CHUNK));
  return chunks;
}

const DELTAS_PER_ITEM = 2;

/** A turn of `items` output items, each with its deltas; the last event is terminal. */
export function manyItems(items: number): ResponseStreamEvent[] {
  const events: ResponseStreamEvent[] = [wire({ type: 'response.created', response: { id: 'resp_stress' } })];
  for (let i = 0; i < items; i++) {
    const at = { output_index: i };
    switch (i % 3) {
      case 0: {
        const item = { type: 'message', id: `msg_${i}`, role: 'assistant', content: [] };
        events.push(wire({ type: 'response.output_item.added', ...at, item }));
        for (let d = 0; d < DELTAS_PER_ITEM; d++) {
          events.push(wire({ type: 'response.output_text.delta', item_id: `msg_${i}`, ...at, content_index: 0, delta: `t${d} ` }));
        }
        events.push(wire({ type: 'response.output_text.done', item_id: `msg_${i}`, ...at, content_index: 0, text: 't0 t1 ' }));
        events.push(wire({ type: 'response.output_item.done', ...at, item }));
        break;
      }
      case 1: {
        const item = { type: 'function_call', id: `fc_${i}`, call_id: `call_${i}`, name: 'read', arguments: '' };
        events.push(wire({ type: 'response.output_item.added', ...at, item }));
        events.push(wire({ type: 'response.function_call_arguments.delta', item_id: `fc_${i}`, ...at, delta: '{"n":' }));
        events.push(wire({ type: 'response.function_call_arguments.delta', item_id: `fc_${i}`, ...at, delta: `${i}}` }));
        events.push(wire({ type: 'response.function_call_arguments.done', item_id: `fc_${i}`, ...at, arguments: `{"n":${i}}` }));
        events.push(wire({ type: 'response.output_item.done', ...at, item: { ...item, arguments: `{"n":${i}}` } }));
        break;
      }
      default: {
        const item = { type: 'reasoning', id: `rs_${i}`, summary: [] };
        events.push(wire({ type: 'response.output_item.added', ...at, item }));
        for (let d = 0; d < DELTAS_PER_ITEM; d++) {
          events.push(
            wire({ type: 'response.reasoning_summary_text.delta', item_id: `rs_${i}`, ...at, summary_index: 0, delta: `r${d} ` }),
          );
        }
        events.push(wire({ type: 'response.output_item.done', ...at, item: { ...item, encrypted_content: `enc_${i}` } }));
      }
    }
  }
  events.push(wire({ type: 'response.completed', response: { id: 'resp_stress', usage: { input_tokens: 1, output_tokens: 1 } } }));
  return events;
}

/** `deltas` text deltas, alternating between two messages or all in one. */
export function textDeltas(deltas: number, alternating: boolean): ResponseStreamEvent[] {
  const events: ResponseStreamEvent[] = [];
  for (let i = 0; i < deltas; i++) {
    const index = alternating ? i % 2 : 0;
    events.push(
      wire({ type: 'response.output_text.delta', item_id: `msg_${index}`, output_index: index, content_index: 0, delta: 'token ' }),
    );
  }
  events.push(wire({ type: 'response.completed', response: { id: 'resp_stress' } }));
  return events;
}

/** CPU milliseconds of one run: the reducer over events, or the whole pipeline over bytes. */
function timeOnce(input: Input): number {
  let done = false;
  let failure: unknown;
  const start = process.cpuUsage();
  const events = 'events' in input ? from(input.events).pipe(reduceResponse()) : from(input.chunks).pipe(parseResponseStream());
  events.subscribe({ next: (e) => void (e.type === 'done' && (done = true)), error: (e) => (failure = e) });
  const used = process.cpuUsage(start);
  if (failure !== undefined) throw failure;
  if (!done) throw new Error('the reducer never reached done');
  return (used.user + used.system) / 1000;
}

type Input = { events: readonly ResponseStreamEvent[] } | { chunks: readonly Uint8Array[] };

interface Row {
  label: string;
  events: number;
  /** The fastest run's CPU ms, reducer alone and whole pipeline; undefined when skipped. */
  ms?: number;
  pipelineMs?: number;
  note?: string;
}

const perEvent = (row: Row): number => (row.ms === undefined ? NaN : (row.ms * 1e6) / row.events);
const pipelinePerEvent = (row: Row): number => (row.pipelineMs === undefined ? NaN : (row.pipelineMs * 1e6) / row.events);

/**
 * Times `build()`'s events, reducer alone and through the whole pipeline (the fastest of `runs`:
 * load from elsewhere only adds), unless projected past the budget. The pipeline's input is
 * bytes, so a large turn's input weighs nothing on the garbage collector; the prebuilt events
 * the reducer alone is fed do.
 */
function measure(label: string, build: () => ResponseStreamEvent[], runs: number, projectedMs: number, budgetMs: number): Row {
  if (projectedMs > budgetMs) return { label, events: NaN, note: `skipped: projected ${(projectedMs / 1000).toFixed(0)} s per run` };
  let events: ResponseStreamEvent[] | undefined = build();
  const count = events.length;
  const fastest = (input: Input): number => Math.min(...Array.from({ length: runs }, () => timeOnce(input)));
  const ms = fastest({ events });
  const chunks = sseChunks(events);
  events = undefined;
  return { label, events: count, ms, pipelineMs: fastest({ chunks }) };
}

/** The value after `--name`, as a list of numbers. */
function numbers(args: readonly string[], name: string): number[] | undefined {
  const at = args.indexOf(`--${name}`);
  return at === -1
    ? undefined
    : String(args[at + 1])
        .split(',')
        .map(Number);
}

/**
 * Options: `--sizes 1000,20000,200000` (output items per turn), `--deltas 100000` (the alternation
 * test), `--budget 20000` (ms a single run may be projected to take before it is skipped).
 */
export async function run({ log, quick, args }: StressOptions): Promise<void> {
  const budgetMs = numbers(args, 'budget')?.[0] ?? (quick ? 2_000 : 20_000);
  const sizes = numbers(args, 'sizes') ?? (quick ? [1_000, 20_000] : [1_000, 20_000, 200_000]);
  // Warm-up: the first sizes would otherwise pay for the JIT.
  const warm = manyItems(3_000);
  for (let r = 0; r < 5; r++) {
    timeOnce({ events: warm });
    timeOnce({ chunks: sseChunks(warm) });
  }
  for (const alternating of [false, true]) {
    const events = textDeltas(20_000, alternating);
    for (let r = 0; r < 5; r++) {
      timeOnce({ events });
      timeOnce({ chunks: sseChunks(events) });
    }
  }
  const rows: Row[] = [];
  let previous: Row | undefined;
  let exponent = 1;
  for (const items of sizes) {
    log(`  ${items} items…`);
    const projected = previous?.ms === undefined ? 0 : previous.ms * Math.pow(items / Number(previous.label), Math.max(1, exponent));
    const row = measure(String(items), () => manyItems(items), items >= 200_000 ? 2 : items <= 1_000 ? 15 : 5, projected, budgetMs);
    if (previous?.ms !== undefined && row.ms !== undefined)
      exponent = Math.log(row.ms / previous.ms) / Math.log(items / Number(previous.label));
    rows.push(row);
    if (row.ms !== undefined) previous = row;
  }
  const deltas = numbers(args, 'deltas')?.[0] ?? (quick ? 20_000 : 100_000);
  log(`  ${deltas} deltas, in one item and alternating between two…`);
  const one = measure(`${deltas} deltas in one item`, () => textDeltas(deltas, false), 7, 0, budgetMs);
  const two = measure(`${deltas} deltas alternating between two items`, () => textDeltas(deltas, true), 7, 0, budgetMs);

  const first = rows[0]!;
  const out = ['## Reducer cost per event (CPU time of the fastest run)', ''];
  out.push(
    '| output items | events | reducer alone, ns/event | × first row | whole pipeline over bytes, ns/event | × first row |',
    '|---:|---:|---:|---:|---:|---:|',
  );
  for (const row of rows) {
    out.push(
      row.ms === undefined
        ? `| ${row.label} | — | — | — | — | ${row.note} |`
        : `| ${row.label} | ${row.events} | ${perEvent(row).toFixed(0)} | ${(perEvent(row) / perEvent(first)).toFixed(2)} | ${pipelinePerEvent(row).toFixed(0)} | ${(pipelinePerEvent(row) / pipelinePerEvent(first)).toFixed(2)} |`,
    );
  }
  const big = rows.at(-1);
  const mid = rows.find((r) => r.label === '20000' && r.ms !== undefined);
  if (big?.ms !== undefined && mid?.ms !== undefined && big !== mid) {
    out.push(
      '',
      `${big.label} items cost ${(perEvent(big) / perEvent(mid)).toFixed(2)}× per event what 20000 cost, reducer alone; ${(pipelinePerEvent(big) / pipelinePerEvent(mid)).toFixed(2)}× through the whole pipeline (goal: ≤ 1).`,
    );
  }
  out.push('', '| deltas | events | reducer alone, ns/event | whole pipeline, ns/event |', '|---|---:|---:|---:|');
  for (const row of [one, two])
    out.push(`| ${row.label} | ${row.events} | ${perEvent(row).toFixed(0)} | ${pipelinePerEvent(row).toFixed(0)} |`);
  out.push(
    '',
    `Alternating costs ${(perEvent(two) / perEvent(one)).toFixed(2)}× the same deltas in one item, reducer alone; ${(pipelinePerEvent(two) / pipelinePerEvent(one)).toFixed(2)}× through the whole pipeline (goal: ≤ 1.3).`,
    '',
  );
  process.stdout.write(out.join('\n') + '\n');
}
