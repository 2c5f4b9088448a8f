/**
 * `npm run bench` — codex-rx performance against a hand-written loop and its peers, and the targets it must meet.
 *
 * Options:
 *   --size <MB>      transcript size for the 16 KiB runs (default 50)
 *   --small <MB>     transcript size for the 64 B runs (default min(size, 4))
 *   --rounds <n>     timed rounds per benchmark (default 9; quick 3)
 *   --warmup <n>     warm-up rounds (default 2; quick 1)
 *   --quick          small smoke run (2 MB / 0.5 MB, few rounds, no profile)
 *   --no-e2e         skip the HTTP benchmarks
 *   --no-agent-loop  skip the agent loop over SSE and WebSocket
 *   --agent-loop-only  only the agent loop (both network models); prints its section and targets,
 *                    writes nothing unless --out is given
 *   --no-profile     skip the CPU profile
 *   --throughput-only  only the throughput tables at 16 KiB and 64 B (nothing else is run, nothing written)
 *   --out <file>     where to write the markdown (default bench/RESULTS.md; quick and
 *                    throughput-only runs write nothing unless --out is given)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { handLoop, type Extracted } from './handLoop.js';
import { median, percentile, runInterleaved, type Method, type MethodResult } from './harness.js';
import { memoryHandLoop, memoryOperator, type MemoryResult } from './memory.js';
import { eventsourceParser, openaiNode, rxEventsourceParser } from './peers.js';
import { measureLatency, runOperator, runStage, type LatencyResult } from './pipeline.js';
import { parseResponseStream, wireEvents } from '../src/parseResponseStream.js';
import { decodeUtf8 } from '../src/decode/decodeUtf8.js';
import { sseMessages } from '../src/sse/sseMessages.js';
import { profilePipeline, type ProfileSummary } from './profile.js';
import { benchManyItems, type ManyItemsResult } from './manyItems.js';
import { benchToolCalls, type ToolCallRow } from './toolCall.js';
import { chunk, generateFillerTranscript, generateTranscript, type Transcript } from './transcript.js';
import { benchE2e, loadClient, startServerChild, type E2eResult } from './e2e.js';
import { AGENT_LOOP_NOTES, agentLoopTable, benchAgentLoopLinks, wallFloor, type AgentLoopResult } from './agentLoop.js';

/** Options of {@link runBench}. */
export interface BenchOptions {
  sizeMB: number;
  smallMB: number;
  rounds: number;
  warmup: number;
  quick: boolean;
  e2e: boolean;
  profile: boolean;
  /** The agent loop over SSE and over a WebSocket. @default true */
  agentLoop?: boolean;
  /** Only the agent loop (run by `main`, not `runBench`). @default false */
  agentLoopOnly?: boolean;
  /** Only the throughput tables at both chunk sizes (a quick, comparable run on a busy machine). @default false */
  throughputOnly?: boolean;
  /** Heap sampling (needs full GCs: slow in a big heap). @default true */
  memory?: boolean;
  /** Full GC before every timed run. @default true */
  gcBetweenRuns?: boolean;
  /** Argument sizes of the tool-call benchmark (bytes). */
  toolSizes?: number[];
  /** Output items of the many-items turn. @default 5000 (quick: 500) */
  manyItems?: number;
  /** Fresh subscriptions timed for the first-event latency. */
  latencyRuns?: number;
  /** Progress lines go here (stderr by default). */
  log?: (line: string) => void;
}

export function defaultOptions(quick = false): BenchOptions {
  return quick
    ? { sizeMB: 2, smallMB: 0.5, rounds: 3, warmup: 1, quick: true, e2e: true, profile: false }
    : { sizeMB: 50, smallMB: 4, rounds: 9, warmup: 2, quick: false, e2e: true, profile: true };
}

export function parseArgs(argv: readonly string[]): BenchOptions & { out?: string } {
  const quick = argv.includes('--quick');
  const o: BenchOptions & { out?: string } = defaultOptions(quick);
  let smallGiven = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const num = (): number => {
      const v = Number(argv[++i]);
      if (!Number.isFinite(v) || v <= 0) throw new TypeError(`${a} needs a positive number, got ${argv[i]}`);
      return v;
    };
    switch (a) {
      case '--quick':
        break;
      case '--size':
        o.sizeMB = num();
        break;
      case '--small':
        o.smallMB = num();
        smallGiven = true;
        break;
      case '--rounds':
        o.rounds = Math.round(num());
        break;
      case '--warmup':
        o.warmup = Math.round(num());
        break;
      case '--no-e2e':
        o.e2e = false;
        break;
      case '--no-agent-loop':
        o.agentLoop = false;
        break;
      case '--agent-loop-only':
        o.agentLoopOnly = true;
        break;
      case '--no-profile':
        o.profile = false;
        break;
      case '--throughput-only':
        o.throughputOnly = true;
        break;
      case '--profile':
        o.profile = true;
        break;
      case '--out':
        o.out = argv[++i];
        break;
      default:
        throw new TypeError(`Unknown option ${a} (see bench/index.ts)`);
    }
  }
  if (!smallGiven) o.smallMB = Math.min(o.smallMB, o.sizeMB);
  return o;
}

/** Everything one run measured. */
export interface BenchReport {
  date: string;
  machine: string;
  node: string;
  options: BenchOptions;
  large: { transcript: TranscriptInfo; results: MethodResult[] };
  small: { transcript: TranscriptInfo; results: MethodResult[] };
  latency?: { coldFirstMs: number; warmFirstMs: number; subscribeMs: number; large: LatencySummary; small: LatencySummary };
  memory?: {
    bodyBytes: number;
    hand: MemoryResult;
    pipeline: MemoryResult;
    filler: { bodyBytes: number; hand: MemoryResult; pipeline: MemoryResult };
  };
  toolCalls?: { rows: ToolCallRow[]; textNsPerByte: number; textRatio: number };
  manyItems?: ManyItemsResult;
  e2e?: E2eResult | string;
  /** One result per network model of the agent loop, or why it failed. */
  agentLoop?: AgentLoopResult[] | string;
  profiles?: (ProfileSummary | string)[];
}

export interface TranscriptInfo {
  bytes: number;
  events: number;
  chunkSize: number;
  chunks: number;
  textChars: number;
}

export interface LatencySummary {
  chunkSize: number;
  p50: number;
  p99: number;
  max: number;
  late: number;
}

function info(t: Transcript, chunkSize: number): TranscriptInfo {
  return { bytes: t.bytes.length, events: t.events, chunkSize, chunks: Math.ceil(t.bytes.length / chunkSize), textChars: t.text.length };
}

function parserMethods(): Method[] {
  // Stage rows extract nothing to check. The first two time the public operators alone; the
  // third is parseResponseStream() without its reducer, so the reducer costs the difference.
  const none: Extracted = { text: '', reasoning: '', toolArgs: [], events: 0, done: false };
  return [
    { name: 'hand loop', run: handLoop },
    { name: 'eventsource-parser + JSON.parse', run: eventsourceParser },
    { name: 'eventsource-parser in Rx', run: rxEventsourceParser },
    { name: 'parseResponseStream()', run: (c) => runOperator(parseResponseStream(), c) },
    { name: 'openai-node Stream.fromSSEResponse', run: openaiNode },
    { name: 'stage: decodeUtf8', noCheck: true, run: (c) => (runStage(decodeUtf8(), c), none) },
    { name: 'stage: decodeUtf8 → sseMessages', noCheck: true, run: (c) => (runStage((s) => s.pipe(decodeUtf8(), sseMessages()), c), none) },
    { name: 'stage: parseResponseStream() without its reducer', noCheck: true, run: (c) => (runStage(wireEvents(undefined), c), none) },
  ];
}

function summariseLatency(r: LatencyResult, chunkSize: number): LatencySummary {
  return { chunkSize, p50: percentile(r.steadyMs, 50), p99: percentile(r.steadyMs, 99), max: Math.max(...r.steadyMs), late: r.late };
}

export async function runBench(o: BenchOptions): Promise<BenchReport> {
  const log = o.log ?? ((line: string) => process.stderr.write(line + '\n'));
  const report: BenchReport = {
    date: new Date().toISOString(),
    machine: `${cpus()[0]?.model ?? 'unknown CPU'} ×${cpus().length}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, ${process.platform} ${process.arch}`,
    node: process.version,
    options: o,
    large: undefined as never,
    small: undefined as never,
  };

  log(`generating ${o.sizeMB} MB and ${o.smallMB} MB transcripts…`);
  const large = generateTranscript({ sizeBytes: o.sizeMB * 1e6 });
  const small = o.smallMB === o.sizeMB ? large : generateTranscript({ sizeBytes: o.smallMB * 1e6, seed: 2 });
  const large16k = chunk(large.bytes, 16384);
  const small64 = chunk(small.bytes, 64);

  // Latency, cold: the first subscription in this process (JIT, zod schemas and all).
  const prs = parseResponseStream;
  let coldFirstMs = NaN;
  if (!o.throughputOnly) {
    const t = generateTranscript({ sizeBytes: 200_000, seed: 3 });
    coldFirstMs = measureLatency(prs(), chunk(t.bytes, 16384), t.textMarks).firstEventMs;
  }

  // The same interleaved run of every parser, at each chunk size.
  const throughput = async (t: Transcript, chunks: Uint8Array[], chunkSize: number) => ({
    transcript: info(t, chunkSize),
    results: await runInterleaved(parserMethods(), chunks, t, {
      rounds: o.rounds,
      warmup: o.warmup,
      gcBetweenRuns: o.gcBetweenRuns,
      bytes: t.bytes.length,
      onRound: (r) => log(`  round ${r + 1}/${o.rounds + o.warmup}`),
    }),
  });
  log(`throughput, 16 KiB chunks (${(large.bytes.length / 1e6).toFixed(1)} MB, ${large.events} events)…`);
  report.large = await throughput(large, large16k, 16384);
  log(`throughput, 64 B chunks (${(small.bytes.length / 1e6).toFixed(1)} MB)…`);
  report.small = await throughput(small, small64, 64);
  if (o.throughputOnly) return report;

  log('latency…');
  const warm: number[] = [];
  const subs: number[] = [];
  const t = generateTranscript({ sizeBytes: 200_000, seed: 3 });
  const tc = chunk(t.bytes, 16384);
  for (let i = 0; i < (o.latencyRuns ?? (o.quick ? 20 : 100)); i++) {
    const r = measureLatency(prs(), tc, t.textMarks);
    warm.push(r.firstEventMs);
    subs.push(r.subscribeMs);
  }
  report.latency = {
    coldFirstMs,
    warmFirstMs: median(warm),
    subscribeMs: median(subs),
    large: summariseLatency(measureLatency(prs(), large16k, large.textMarks), 16384),
    small: summariseLatency(measureLatency(prs(), small64, small.textMarks), 64),
  };

  if (o.memory !== false) {
    log('memory…');
    const filler = generateFillerTranscript({ sizeBytes: o.sizeMB * 1e6 });
    const filler16k = chunk(filler.bytes, 16384);
    report.memory = {
      bodyBytes: large.bytes.length,
      hand: memoryHandLoop(large16k),
      pipeline: memoryOperator('parseResponseStream()', prs(), large16k),
      filler: {
        bodyBytes: filler.bytes.length,
        hand: memoryHandLoop(filler16k),
        pipeline: memoryOperator('parseResponseStream()', prs(), filler16k),
      },
    };
  }

  log('tool call with long arguments…');
  const textRow = report.large.results.find((r) => r.name === 'parseResponseStream()');
  report.toolCalls = {
    textNsPerByte: textRow ? (textRow.medianMs * 1e6) / large.bytes.length : NaN,
    textRatio: textRow ? textRow.ratio : NaN,
    rows: await benchToolCalls(prs, {
      sizes: o.toolSizes ?? (o.quick ? [16 * 1024, 64 * 1024] : [64 * 1024, 256 * 1024, 1024 * 1024]),
      deltaSize: 10,
      chunkSize: 16384,
      rounds: o.quick ? 2 : 5,
      warmup: 1,
      budgetMs: o.quick ? 5_000 : 30_000,
      gcBetweenRuns: o.gcBetweenRuns,
    }),
  };

  log('a turn of many output items…');
  report.manyItems = await benchManyItems(prs, {
    items: o.manyItems ?? (o.quick ? 500 : 5_000),
    deltas: 20,
    rounds: o.quick ? 2 : Math.min(o.rounds, 7),
    warmup: 1,
    gcBetweenRuns: o.gcBetweenRuns,
  });

  if (o.e2e) {
    const client = loadClient();
    if (typeof client === 'string') report.e2e = client;
    else {
      log('end to end over loopback HTTP…');
      const e2eSize = o.quick ? 1e6 : Math.min(o.sizeMB, 20) * 1e6;
      const concSize = o.quick ? 64 * 1024 : 256 * 1024;
      const server = await startServerChild(16384);
      try {
        await server.prepare([e2eSize, concSize]);
        const t = generateTranscript({ sizeBytes: e2eSize });
        const tc = generateTranscript({ sizeBytes: concSize });
        report.e2e = await benchE2e(client, server, {
          size: e2eSize,
          bodyBytes: t.bytes.length,
          truth: t,
          concurrentSize: concSize,
          concurrentBodyBytes: tc.bytes.length,
          concurrentTruth: tc,
          streams: o.quick ? 20 : 200,
          rounds: o.quick ? 2 : Math.min(o.rounds, 5),
          warmup: 1,
        });
      } catch (e) {
        report.e2e = `failed: ${(e as Error).message}`;
      } finally {
        await server.close();
      }
    }
  }

  if (o.agentLoop ?? true) {
    log('agent loop over SSE and over a WebSocket…');
    try {
      report.agentLoop = await runAgentLoop(o);
    } catch (e) {
      report.agentLoop = `failed: ${(e as Error).message}`;
    }
  }

  if (o.profile) {
    log('profiling…');
    report.profiles = [profilePipeline(large.bytes, 16384, o.quick ? 2 : 6), profilePipeline(small.bytes, 64, o.quick ? 2 : 4)];
  }
  return report;
}

// ---------------------------------------------------------------------------------------------
// Report

const f1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : 'n/a');
const f2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : 'n/a');
const f3 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : 'n/a');
const mb = (b: number) => (b / 1e6).toFixed(1);

function throughputTable(rows: MethodResult[]): string[] {
  const out = ['| method | median ms | MB/s | × hand loop | (p25–p75) | check |', '|---|---:|---:|---:|---:|---|'];
  for (const r of rows) {
    out.push(
      `| ${r.name} | ${f1(r.medianMs)} | ${f1(r.mbPerS)} | ${f2(r.ratio)} | ${f2(r.ratioIqr[0])}–${f2(r.ratioIqr[1])} | ${r.mismatch === null ? 'ok' : '**' + r.mismatch + '**'} |`,
    );
  }
  return out;
}

function find(rows: MethodResult[], name: string): MethodResult | undefined {
  return rows.find((r) => r.name === name);
}

interface Target {
  what: string;
  target: string;
  measured: string;
  pass: boolean | undefined;
}

export function targets(r: BenchReport): Target[] {
  const t: Target[] = [];
  const pl = find(r.large.results, 'parseResponseStream()');
  const ps = find(r.small.results, 'parseResponseStream()');
  const ol = find(r.large.results, 'openai-node Stream.fromSSEResponse');
  const okPl = pl && pl.mismatch === null;
  t.push({
    what: 'parseResponseStream() vs hand loop, 16 KiB',
    target: '≤ 1.2×',
    measured: okPl ? `${f2(pl.ratio)}×` : 'n/a',
    pass: okPl ? pl.ratio <= 1.2 : undefined,
  });
  const okPs = ps && ps.mismatch === null;
  t.push({
    what: 'parseResponseStream() vs hand loop, 64 B',
    target: '≤ 1.45×',
    measured: okPs ? `${f2(ps.ratio)}×` : 'n/a',
    pass: okPs ? ps.ratio <= 1.45 : undefined,
  });
  if (okPl && ol && ol.mismatch === null) {
    const speedup = ol.ratio / pl.ratio;
    t.push({ what: 'faster than openai-node, 16 KiB', target: '≥ 4×', measured: `${f2(speedup)}×`, pass: speedup >= 4 });
  }
  if (r.manyItems) {
    const m = r.manyItems;
    const ok = m.many.pipeline.mismatch === null && m.one.pipeline.mismatch === null;
    t.push({
      what: `a turn of ${m.items} output items × ${m.deltas} deltas: cost per event vs the same events in one item`,
      target: '≤ 1.3×',
      measured: ok ? `${f2(m.ratio)}× (${f2(m.many.pipeline.ratio)}× vs ${f2(m.one.pipeline.ratio)}× the hand loop)` : 'n/a',
      pass: ok ? m.ratio <= 1.3 : undefined,
    });
  }
  if (r.latency) {
    t.push({
      what: 'first event after its bytes (warm)',
      target: '≤ 1 ms',
      measured: `${f3(r.latency.warmFirstMs)} ms (cold process: ${f3(r.latency.coldFirstMs)} ms)`,
      pass: r.latency.warmFirstMs <= 1,
    });
    const late = r.latency.large.late + r.latency.small.late;
    t.push({ what: 'events emitted in the tick of their bytes', target: '0 late', measured: `${late} late`, pass: late === 0 });
  }
  if (r.memory) {
    const f = r.memory.filler;
    const growth = last(f.pipeline.growth);
    t.push({
      what: `memory flat in stream length (${mb(f.bodyBytes)} MB of events that accumulate nothing)`,
      target: '< 1 MB growth',
      measured: `${mb(growth)} MB`,
      pass: growth < 1e6,
    });
    const perCharPipe = last(r.memory.pipeline.growth) / last(r.memory.pipeline.chars);
    const perCharHand = last(r.memory.hand.growth) / last(r.memory.hand.chars);
    t.push({
      what: 'memory apart from the text: heap per accumulated char, vs the hand loop (which keeps text once)',
      target: '≤ 2.5× (the reducer keeps text for blocks and for `partial`)',
      measured: `${f1(perCharPipe)} B/char vs ${f1(perCharHand)} B/char (${f2(perCharPipe / perCharHand)}×)`,
      pass: perCharPipe <= 2.5 * perCharHand,
    });
  }
  if (r.toolCalls) {
    const rows = r.toolCalls.rows;
    const lastRow = rows[rows.length - 1]!;
    const okRows = rows.filter((x) => x.nsPerByte !== undefined);
    const done = lastRow.nsPerByte !== undefined && okRows.length > 0;
    const label = lastRow.argsBytes >= 1 << 20 ? `${lastRow.argsBytes / (1 << 20)} MB` : `${lastRow.argsBytes / 1024} KiB`;
    const perByte = done ? lastRow.nsPerByte! : NaN;
    const growth = done ? perByte / okRows[0]!.nsPerByte! : NaN;
    const textPerByte = done ? (lastRow.textNsPerByte ?? NaN) : NaN;
    t.push({
      what: `tool call, ${label} of arguments in 10-byte deltas: ns/byte vs the same bytes as 10-byte text deltas`,
      target: `≤ 1.25× text (${f1(textPerByte)} ns/byte)`,
      measured: done
        ? `${f1(perByte)} ns/byte, ${f2(perByte / textPerByte)}× text (${f2(lastRow.pipeline!.ratio)}× hand loop)`
        : (lastRow.note ?? 'failed'),
      pass: done && Number.isFinite(textPerByte) ? perByte <= textPerByte * 1.25 : false,
    });
    t.push({
      what: `tool call: cost per byte from ${okRows[0] ? okRows[0].argsBytes / 1024 : '?'} KiB to ${label} (linear)`,
      target: '≤ 1.5× growth',
      measured: done ? `${f2(growth)}×` : (lastRow.note ?? 'failed'),
      pass: done ? growth <= 1.5 : false,
    });
  }
  t.push(...agentLoopTargets(r));
  return t;
}

/** The agent loop under every network model, with the bench's rounds. */
function runAgentLoop(o: BenchOptions): Promise<AgentLoopResult[]> {
  return benchAgentLoopLinks({ rounds: o.quick ? 2 : 5 });
}

/**
 * The WebSocket's targets in the agent loop: the bytes it re-sends (the same under every
 * network model, so one row), and the wall time under each model.
 */
function agentLoopTargets(r: Pick<BenchReport, 'agentLoop'>): Target[] {
  const all = r.agentLoop;
  if (all === undefined || typeof all === 'string' || all.length === 0) return [];
  const problemOf = (a: AgentLoopResult) => a.sse.problem ?? a.websocket.problem;
  const first = all[0]!;
  const broken = problemOf(first);
  return [
    {
      what: 'agent loop: WebSocket request bytes vs SSE',
      target: '≤ 10%',
      measured: `${(first.bytesRatio * 100).toFixed(1)}%${broken ? ` (${broken})` : ''}`,
      pass: broken === undefined && first.bytesRatio <= 0.1,
    },
    ...all.map((a) => ({
      what: `agent loop, ${a.link?.name ?? 'loopback'}: WebSocket wall time vs SSE`,
      target: '≤ 0.7×',
      measured: `${f2(a.timeRatio)}× (a client costing nothing: ${f2(wallFloor(a))}×)${problemOf(a) ? ` (${problemOf(a)})` : ''}`,
      pass: problemOf(a) === undefined && a.timeRatio <= 0.7,
    })),
  ];
}

/** The agent loop's section of the results: a table per network model, then what they model. */
function agentLoopSection(agentLoop: AgentLoopResult[] | string): string[] {
  const L = ['## Agent loop over SSE and over a WebSocket (in-process mock server)', ''];
  if (typeof agentLoop === 'string') return [...L, agentLoop, ''];
  for (const a of agentLoop) L.push(`### ${a.link?.name ?? 'loopback'}`, '', ...agentLoopTable(a), '');
  for (const note of AGENT_LOOP_NOTES) L.push(`- ${note}`);
  L.push('');
  return L;
}

/** Under the README's targets: what each agent-loop row models. */
function agentLoopReadmeNotes(agentLoop: BenchReport['agentLoop']): string[] {
  if (agentLoop === undefined || typeof agentLoop === 'string' || agentLoop.length === 0) return [];
  const o = agentLoop[0]!.options;
  const L = [
    '',
    `Agent loop: ${o.steps} tool steps, context from ${o.contextBytes / 1000} KB growing by ${o.growthBytes / 1000} KB a step, ${o.latencyMs} ms added before each answer, one row per network model:`,
    '',
  ];
  for (const a of agentLoop) if (a.link !== undefined) L.push(`- ${a.link.name}: ${a.link.models}.`);
  for (const note of AGENT_LOOP_NOTES) L.push(`- ${note}`);
  return L;
}

/** `--agent-loop-only`: the agent loop's targets and section. */
export function renderAgentLoopOnly(agentLoop: AgentLoopResult[], date: string): string {
  const L = ['# codex-rx agent loop benchmark', '', `- Date: ${date}`, `- Node: ${process.version}`, ''];
  L.push('| target | goal | measured | |', '|---|---|---|---|');
  for (const t of agentLoopTargets({ agentLoop }))
    L.push(`| ${t.what} | ${t.target} | ${t.measured} | ${t.pass === undefined ? '—' : t.pass ? 'PASS' : '**FAIL**'} |`);
  L.push('', ...agentLoopSection(agentLoop));
  return L.join('\n');
}

function last(xs: number[]): number {
  return xs[xs.length - 1] ?? NaN;
}

export function renderMarkdown(r: BenchReport): string {
  const L: string[] = [];
  L.push('# codex-rx benchmark results', '');
  L.push(`- Date: ${r.date}`);
  L.push(`- Machine: ${r.machine}`);
  L.push(`- Node: ${r.node}`);
  L.push(
    `- Run: ${r.options.quick ? 'quick (smoke)' : 'full'}; ${r.options.warmup} warm-up + ${r.options.rounds} timed rounds, methods alternating in one process, medians; ratios are medians of per-round ratios against the hand loop of the same round.`,
  );
  L.push('- Command: `npm run bench' + (r.options.quick ? ' -- --quick' : '') + '`');
  L.push('');
  L.push('## Targets', '', '| target | goal | measured | |', '|---|---|---|---|');
  for (const t of targets(r))
    L.push(`| ${t.what} | ${t.target} | ${t.measured} | ${t.pass === undefined ? '—' : t.pass ? 'PASS' : '**FAIL**'} |`);
  L.push('');
  for (const [title, s] of [
    ['Throughput, 16 KiB chunks', r.large],
    ['Throughput, 64 B chunks', r.small],
  ] as const) {
    L.push(`## ${title}`, '');
    L.push(
      `Transcript: ${mb(s.transcript.bytes)} MB, ${s.transcript.events} SSE events, ${s.transcript.chunks} chunks of ${s.transcript.chunkSize} B, ${s.transcript.textChars} text chars. Stage rows: the public decodeUtf8 and decodeUtf8 → sseMessages operators alone, and parseResponseStream() without its reducer (what the reducer costs is the difference to the parseResponseStream() row).`,
      '',
    );
    L.push(...throughputTable(s.results), '');
  }
  if (r.latency) {
    const l = r.latency;
    L.push('## Latency (chunk arrival → event emission)', '');
    L.push(
      `- First event: ${f3(l.warmFirstMs)} ms median over fresh subscriptions (cold process, first ever: ${f3(l.coldFirstMs)} ms); building the operator chain and subscribing: ${f3(l.subscribeMs)} ms.`,
    );
    L.push(
      "- Steady state: per chunk that produced events, time from `next(chunk)` to its last event (a 16 KiB chunk holds ~60 events, so this is the whole chunk's processing).",
      '',
    );
    L.push('| chunk | p50 ms | p99 ms | max ms | events late (not in the tick of their bytes) |', '|---:|---:|---:|---:|---:|');
    for (const s of [l.large, l.small]) L.push(`| ${s.chunkSize} B | ${f3(s.p50)} | ${f3(s.p99)} | ${f3(s.max)} | ${s.late} |`);
    L.push('');
  }
  if (r.memory) {
    const m = r.memory;
    L.push(`## Memory (heap after full GC, 16 KiB chunks)`, '');
    L.push(
      `Growth over the heap before subscribing, while ${mb(m.bodyBytes)} MB stream through. The hand loop keeps the accumulated text, reasoning and arguments; the pipeline's subscriber keeps nothing, so whatever grows is held by the pipeline (its reducer keeps the text for the content blocks and for \`partial\`).`,
      '',
    );
    L.push('| fed | hand loop MB | parseResponseStream() MB | text+reasoning chars |', '|---:|---:|---:|---:|');
    for (let i = 0; i < m.pipeline.fractions.length; i++) {
      L.push(
        `| ${(m.pipeline.fractions[i]! * 100).toFixed(0)}% | ${mb(m.hand.growth[i] ?? NaN)} | ${mb(m.pipeline.growth[i]!)} | ${m.pipeline.chars[i]} |`,
      );
    }
    L.push(
      '',
      `The same with ${mb(m.filler.bodyBytes)} MB of events nothing accumulates (web-search progress, keepalive, rate limits):`,
      '',
    );
    L.push('| fed | hand loop MB | parseResponseStream() MB |', '|---:|---:|---:|');
    for (let i = 0; i < m.filler.pipeline.fractions.length; i++) {
      L.push(
        `| ${(m.filler.pipeline.fractions[i]! * 100).toFixed(0)}% | ${mb(m.filler.hand.growth[i] ?? NaN)} | ${mb(m.filler.pipeline.growth[i]!)} |`,
      );
    }
    L.push('');
  }
  if (r.toolCalls) {
    const tc = r.toolCalls;
    L.push('## Function call with long arguments (10-byte deltas, 16 KiB chunks)', '');
    L.push(`For comparison, the mixed transcript above: ${f1(tc.textNsPerByte)} ns/byte, ${f2(tc.textRatio)}× the hand loop.`, '');
    L.push(
      '| arguments | transcript MB | deltas | hand loop ms | pipeline ms | × hand loop | pipeline ns/byte | same bytes as text, ns/byte | note |',
      '|---:|---:|---:|---:|---:|---:|---:|---:|---|',
    );
    for (const x of tc.rows) {
      L.push(
        `| ${x.argsBytes / 1024} KiB | ${mb(x.transcriptBytes)} | ${x.deltas} | ${f1(x.hand?.medianMs ?? NaN)} | ${f1(x.pipeline?.medianMs ?? NaN)} | ${f2(x.pipeline?.ratio ?? NaN)} | ${f1(x.nsPerByte ?? NaN)} | ${f1(x.textNsPerByte ?? NaN)} | ${x.note ?? ''} |`,
      );
    }
    L.push('');
  }
  if (r.manyItems) {
    const m = r.manyItems;
    L.push(`## A turn of ${m.items} output items × ${m.deltas} deltas (16 KiB chunks)`, '');
    L.push(
      `${m.events} events, spread over ${m.items} messages, against the same events given to one message. Ratios against the hand loop of the same rounds.`,
      '',
    );
    L.push('| transcript | hand loop ms | pipeline ms | × hand loop | check |', '|---|---:|---:|---:|---|');
    for (const [label, x] of [
      [`${m.items} items`, m.many],
      ['one item', m.one],
    ] as const) {
      L.push(
        `| ${label} | ${f1(x.hand.medianMs)} | ${f1(x.pipeline.medianMs)} | ${f2(x.pipeline.ratio)} | ${x.pipeline.mismatch ?? 'ok'} |`,
      );
    }
    L.push('', `Per event, many items cost ${f2(m.ratio)}× one item.`, '');
  }
  if (r.e2e !== undefined) {
    L.push('## End to end over loopback HTTP (mock server in a child process, 16 KiB writes)', '');
    if (typeof r.e2e === 'string') L.push(r.e2e, '');
    else {
      L.push(...throughputTable(r.e2e.single), '');
      const c = r.e2e.concurrent;
      if (c) {
        L.push(`${c.streams} concurrent streams of ${mb(c.bytesEach)} MB on one client (one undici Agent):`, '');
        L.push('| method | median ms (all streams) | aggregate MB/s | completed | failed | check |', '|---|---:|---:|---:|---:|---|');
        for (const x of [c.hand, c.client])
          L.push(`| ${x.name} | ${f1(x.medianMs)} | ${f1(x.mbPerS)} | ${x.completed} | ${x.failed} | ${x.mismatch ?? 'ok'} |`);
        L.push('');
      }
    }
  }
  if (r.agentLoop !== undefined) L.push(...agentLoopSection(r.agentLoop));
  if (r.profiles) {
    for (const p of r.profiles) {
      if (typeof p === 'string') {
        L.push('## CPU profile', '', p, '');
        continue;
      }
      L.push(`## CPU profile, ${p.chunkSize} B chunks (node --cpu-prof, self time, ${f1(p.totalMs)} ms sampled)`, '');
      L.push('| by file / package | self ms | share |', '|---|---:|---:|');
      for (const x of p.files.slice(0, 15)) L.push(`| ${x.what} | ${f1(x.selfMs)} | ${(x.share * 100).toFixed(1)}% |`);
      L.push(
        '',
        "Line numbers are those of ts-node's transpiled JavaScript (close to, not equal to, the .ts lines); function names are V8's.",
        '',
      );
      L.push('| by function | self ms | share |', '|---|---:|---:|');
      for (const x of p.functions.slice(0, 20))
        L.push(`| ${x.what.replace(/\|/g, '\\|')} | ${f1(x.selfMs)} | ${(x.share * 100).toFixed(1)}% |`);
      L.push('');
    }
  }
  return L.join('\n');
}

/** The README's results section: machine, date, the performance targets and the headline throughput rows. */
export function renderReadmeSummary(r: BenchReport): string {
  const L: string[] = [];
  L.push(
    `Measured by \`npm run bench\` on ${r.date.slice(0, 10)}: ${r.machine}, Node ${r.node}. Full tables and profiles: [bench/RESULTS.md](bench/RESULTS.md).`,
    '',
  );
  L.push('| target | goal | measured | |', '|---|---|---|---|');
  for (const t of targets(r))
    L.push(`| ${t.what} | ${t.target} | ${t.measured} | ${t.pass === undefined ? '—' : t.pass ? 'PASS' : '**FAIL**'} |`);
  L.push(...agentLoopReadmeNotes(r.agentLoop));
  L.push('', `Throughput, 16 KiB chunks (${mb(r.large.transcript.bytes)} MB transcript):`, '');
  L.push(...throughputTable(r.large.results.filter((x) => !x.name.startsWith('stage'))));
  return L.join('\n');
}

const README_BEGIN = '<!-- bench:begin -->';
const README_END = '<!-- bench:end -->';

/** Replaces the text between the bench markers of the README (left alone when they are missing). */
export function replaceReadmeSection(readme: string, summary: string): string {
  const begin = readme.indexOf(README_BEGIN);
  const end = readme.indexOf(README_END);
  if (begin === -1 || end < begin) return readme;
  return `${readme.slice(0, begin + README_BEGIN.length)}\n${summary}\n${readme.slice(end)}`;
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  if (o.agentLoopOnly) {
    const md = renderAgentLoopOnly(await runAgentLoop(o), new Date().toISOString());
    process.stdout.write(md + '\n');
    if (o.out !== undefined) writeFileSync(o.out, md + '\n');
    return;
  }
  const report = await runBench(o);
  const md = renderMarkdown(report);
  process.stdout.write(md + '\n');
  // Only a full run writes the results; a quick or partial run writes nothing unless asked to.
  const partial = o.quick || o.throughputOnly === true;
  const out = o.out ?? (partial ? undefined : join(__dirname, 'RESULTS.md'));
  if (out) {
    writeFileSync(out, md + '\n');
    process.stderr.write(`written to ${out}\n`);
  }
  // A full run also refreshes the README's table (a quick or redirected run never does).
  if (!partial && o.out === undefined) {
    const readmePath = join(__dirname, '..', 'README.md');
    writeFileSync(readmePath, replaceReadmeSection(readFileSync(readmePath, 'utf8'), renderReadmeSummary(report)));
    process.stderr.write(`README results updated\n`);
  }
}

if (require.main === module) {
  main().then(
    () => process.exit(0),
    (e) => {
      process.stderr.write(`bench failed: ${(e as Error)?.stack ?? e}\n`);
      process.exit(1);
    },
  );
}
