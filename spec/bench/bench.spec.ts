/**
 * Smoke test of the benchmark (bench/): every parser it times must extract exactly what the
 * generator put in the transcript — the same text as the hand-written loop. Correctness only:
 * no assertion here is about time.
 */
import { handLoop } from '../../bench/handLoop.js';
import { compare } from '../../bench/harness.js';
import { runBench, defaultOptions, renderAgentLoopOnly, renderMarkdown, targets, parseArgs } from '../../bench/index.js';
import { AGENT_LOOP_LINKS, agentLoopTable, benchAgentLoop, benchAgentLoopLinks, wallParts } from '../../bench/agentLoop.js';
import { memoryOperator } from '../../bench/memory.js';
import { eventsourceParser, openaiNode, rxEventsourceParser } from '../../bench/peers.js';
import { measureLatency, runOperator } from '../../bench/pipeline.js';
import { chunk, generateFillerTranscript, generateToolCallTranscript, generateTranscript } from '../../bench/transcript.js';
import { parseResponseStream } from '../../src/parseResponseStream.js';

describe('bench transcripts', () => {
  const t = generateTranscript({ sizeBytes: 60_000 });

  it('are deterministic, framed as SSE, with sequence numbers, obfuscation and non-ASCII text', () => {
    const again = generateTranscript({ sizeBytes: 60_000 });
    expect(Buffer.from(again.bytes).equals(Buffer.from(t.bytes))).toBe(true);
    const body = Buffer.from(t.bytes).toString('utf8');
    expect(body.startsWith('event: response.created\ndata: {"type":"response.created","sequence_number":0,')).toBe(true);
    expect(body.endsWith('\n\n')).toBe(true);
    expect(body).toContain('"obfuscation":"');
    expect(body).toContain('event: response.reasoning_summary_text.delta\n');
    expect(body).toContain('event: response.function_call_arguments.delta\n');
    expect(t.text).toMatch(/[^\x00-\x7f]/);
    expect(t.toolArgs.length).toBeGreaterThan(0);
    for (const args of t.toolArgs) expect(() => JSON.parse(args)).not.toThrow();
  });

  it('the hand loop extracts what the generator wrote, at every chunk size', () => {
    for (const size of [1, 7, 64, 16384]) {
      expect(compare(handLoop(chunk(t.bytes, size)), t)).toBeNull();
    }
  });
});

describe('parsers the bench times produce the same text as the hand loop', () => {
  const t = generateTranscript({ sizeBytes: 120_000, seed: 5 });

  for (const size of [64, 16384]) {
    describe(`${size}-byte chunks`, () => {
      const chunks = chunk(t.bytes, size);
      const hand = handLoop(chunks);

      it('parseResponseStream()', () => {
        const got = runOperator(parseResponseStream(), chunks);
        expect(got.text).toBe(hand.text);
        expect(got.reasoning).toBe(hand.reasoning);
        expect(got.toolArgs).toEqual(hand.toolArgs);
        expect(got.done).toBe(true);
      });

      it('eventsource-parser, alone and inside Rx', () => {
        expect(eventsourceParser(chunks)).toEqual(hand);
        expect(rxEventsourceParser(chunks)).toEqual(hand);
      });

      it('openai-node Stream.fromSSEResponse', async () => {
        expect(await openaiNode(chunks)).toEqual(hand);
      });
    });
  }

  it('parseResponseStream() on a long function call in 10-byte deltas', () => {
    const tc = generateToolCallTranscript({ argsBytes: 8 * 1024 });
    const chunks = chunk(tc.bytes, 16384);
    const got = runOperator(parseResponseStream(), chunks);
    expect(got.toolArgs).toEqual(handLoop(chunks).toolArgs);
    expect(got.toolArgs).toEqual(tc.toolArgs);
  });

  it('the filler transcript (memory flatness) carries no text, and both parsers reach its terminal event', () => {
    const f = generateFillerTranscript({ sizeBytes: 30_000 });
    const chunks = chunk(f.bytes, 1000);
    const got = runOperator(parseResponseStream(), chunks);
    expect(got).toEqual({ ...handLoop(chunks), events: got.events });
    expect(got).toMatchObject({ text: '', reasoning: '', toolArgs: [], done: true });
  });

  it('the latency probe sees every text delta emitted in the tick of the bytes that complete it', () => {
    for (const size of [64, 4096]) {
      const r = measureLatency(parseResponseStream(), chunk(t.bytes, size), t.textMarks);
      expect(r.late).toBe(0);
      expect(r.steadyMs.length).toBeGreaterThan(0);
    }
  });

  it('the memory probe streams the whole transcript and counts every text and reasoning char', () => {
    const r = memoryOperator('parseResponseStream()', parseResponseStream(), chunk(t.bytes, 4096), 1);
    expect(r.fractions.length).toBe(r.growth.length);
    expect(r.chars[r.chars.length - 1]!).toBeGreaterThan(0);
    expect(r.chars[r.chars.length - 1]!).toBeLessThanOrEqual(t.text.length + t.reasoning.length);
  });
});

describe('runBench (quick, in process)', () => {
  it('runs every benchmark on a small transcript and every timed method extracts the truth', async () => {
    // Small and without full GCs (slow in jest's big heap); the memory probe is tested above.
    const o = {
      ...defaultOptions(true),
      sizeMB: 0.3,
      smallMB: 0.05,
      rounds: 1,
      warmup: 0,
      e2e: false,
      agentLoop: false,
      memory: false,
      gcBetweenRuns: false,
      toolSizes: [4096, 16384],
      manyItems: 50,
      latencyRuns: 3,
      log: () => undefined,
    };
    const report = await runBench(o);
    for (const r of [...report.large.results, ...report.small.results]) {
      expect({ name: r.name, mismatch: r.mismatch }).toEqual({ name: r.name, mismatch: null });
      expect(r.times.length).toBe(1);
    }
    const names = report.large.results.map((r) => r.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'hand loop',
        'parseResponseStream()',
        'openai-node Stream.fromSSEResponse',
        'eventsource-parser + JSON.parse',
      ]),
    );
    expect(report.latency?.large.late).toBe(0);
    expect(report.latency?.small.late).toBe(0);
    for (const row of report.toolCalls!.rows) {
      expect(row.note).toBeUndefined();
      expect(row.pipeline?.mismatch).toBeNull();
      expect(row.hand?.mismatch).toBeNull();
    }
    expect(report.manyItems?.many.pipeline.mismatch).toBeNull();
    expect(report.manyItems?.one.pipeline.mismatch).toBeNull();
    expect(report.manyItems?.events).toBe(2 + 50 * 23);
    const md = renderMarkdown(report);
    expect(md).toContain('| parseResponseStream() |');
    expect(md).toContain(`Node: ${process.version}`);
    expect(targets(report).map((x) => x.what)).toContain('parseResponseStream() vs hand loop, 16 KiB');
    expect(targets(report).map((x) => x.what)).toContain(
      'a turn of 50 output items × 20 deltas: cost per event vs the same events in one item',
    );
  });

  it('parses its command line, rejecting unknown options', () => {
    expect(parseArgs(['--quick', '--size', '3'])).toMatchObject({ quick: true, sizeMB: 3, smallMB: 0.5 });
    expect(parseArgs(['--size', '20'])).toMatchObject({ quick: false, sizeMB: 20, smallMB: 4, rounds: 9 });
    expect(parseArgs(['--agent-loop-only', '--quick'])).toMatchObject({ quick: true, agentLoopOnly: true });
    expect(parseArgs(['--throughput-only']).throughputOnly).toBe(true);
    expect(() => parseArgs(['--fast'])).toThrow(TypeError);
    expect(() => parseArgs(['--size', 'x'])).toThrow(TypeError);
  });
});

describe('the agent loop benchmark', () => {
  it('runs the tool loop to its end over both transports, and the WebSocket re-sends less', async () => {
    const r = await benchAgentLoop({ steps: 3, contextBytes: 4_000, growthBytes: 1_000, latencyMs: 0, rounds: 1 });

    for (const x of [r.sse, r.websocket])
      expect({ transport: x.transport, problem: x.problem, requests: x.requests }).toEqual({
        transport: x.transport,
        problem: undefined,
        requests: 3,
      });
    expect(r.sse.requestBytes).toBeGreaterThan(3 * 4_000);
    expect(r.bytesRatio).toBeLessThan(0.6);
    expect(agentLoopTable(r).join('\n')).toContain('| websocket | 3 |');
  });

  it('under an uplink model, each transport is charged for its own payload bytes through the same link', async () => {
    const uploadBytesPerSecond = 1_000_000;
    const r = await benchAgentLoop({ steps: 3, contextBytes: 30_000, growthBytes: 1_000, latencyMs: 0, rounds: 1, uploadBytesPerSecond });

    for (const x of [r.sse, r.websocket]) {
      expect(x.problem).toBeUndefined();
      expect(wallParts(r, x).uploadMs).toBeCloseTo((x.requestBytes * 1000) / uploadBytesPerSecond);
    }
    expect(r.sse.requestBytes).toBeGreaterThan(3 * 30_000);
    expect(agentLoopTable(r).join('\n')).toContain('uploads cost bytes / 1.0 MB/s');
  });

  it('--agent-loop-only reports a wall-time row per network model and says what each models', async () => {
    const rs = await benchAgentLoopLinks({ steps: 2, contextBytes: 2_000, growthBytes: 500, latencyMs: 0, rounds: 1 });
    const md = renderAgentLoopOnly(rs, '2026-01-01T00:00:00.000Z');

    expect(rs.map((r) => r.options.uploadBytesPerSecond)).toEqual(AGENT_LOOP_LINKS.map((l) => l.uploadBytesPerSecond));
    expect(md).toContain('| agent loop: WebSocket request bytes vs SSE | ≤ 10% |');
    for (const link of AGENT_LOOP_LINKS) {
      expect(md).toContain(`| agent loop, ${link.name}: WebSocket wall time vs SSE | ≤ 0.7× |`);
      expect(md).toContain(`### ${link.name}`);
      expect(md).toContain(`Models: ${link.models}.`);
    }
  });
});

describe('README results section', () => {
  const { replaceReadmeSection } = require('../../bench/index.js') as typeof import('../../bench/index.js');

  it('replaces only the text between the bench markers', () => {
    const readme = 'intro\n<!-- bench:begin -->\nold table\n<!-- bench:end -->\noutro\n';
    expect(replaceReadmeSection(readme, 'new table')).toBe('intro\n<!-- bench:begin -->\nnew table\n<!-- bench:end -->\noutro\n');
  });

  it('leaves a README without markers alone', () => {
    expect(replaceReadmeSection('no markers here', 'table')).toBe('no markers here');
  });

  it('the real README has the markers', () => {
    const text = require('node:fs').readFileSync(require('node:path').join(__dirname, '../../README.md'), 'utf8') as string;
    expect(replaceReadmeSection(text, 'X')).toContain('<!-- bench:begin -->\nX\n<!-- bench:end -->');
  });
});
