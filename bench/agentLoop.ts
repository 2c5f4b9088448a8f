/**
 * The agent loop over both transports: a tool loop whose context grows every step, against the
 * mock server with added latency per request. What the WebSocket saves is the re-sent history:
 * each of its requests carries only the new items and `previous_response_id`.
 *
 * Two network models, the same for both transports (see {@link AGENT_LOOP_LINKS}):
 * - loopback: the mock adds 40 ms before each answer and nothing else, so re-sending the
 *   history costs SSE only the CPU to build, send and parse it;
 * - a 20 Mbit/s uplink: each request's payload (HTTP body or `response.create` frame) also
 *   waits bytes / 2.5 MB/s before it is answered (the mock's `uploadBytesPerSecond`).
 *
 * Run alone: `npm run bench -- --agent-loop-only [--quick]`, or
 * `node -r ts-node/register/transpile-only bench/agentLoop.ts [--rounds n]`.
 */
import { performance } from 'node:perf_hooks';
import { lastValueFrom } from 'rxjs';
import { CodexClient } from '../src/client/CodexClient.js';
import type { ExecutableTool } from '../src/agent/types.js';
import { systemMessage, userMessage } from '../src/messages.js';
import { fakeAccessToken, startMockCodexServer, type MockCodexServer, type MockReply, type RecordedRequest } from '../src/testing/index.js';
import { textTurn, toolCallTurn } from '../src/testing/transcripts.js';
import { median } from './harness.js';

/** The loop's shape. */
export interface AgentLoopOptions {
  /** Turns of the loop; all but the last call the tool. */
  steps: number;
  /** Size of the first request's conversation (one user message). */
  contextBytes: number;
  /** What each tool result adds to the conversation. */
  growthBytes: number;
  /** Added by the mock before it answers each request. */
  latencyMs: number;
  /** Timed runs per transport, interleaved. */
  rounds: number;
  /**
   * The client's upload speed the mock stands in for, in bytes per second: each request's
   * payload costs bytes / speed before its answer. `undefined`: loopback, uploads cost nothing.
   */
  uploadBytesPerSecond?: number;
}

/** A network model of the benchmark: its name in the report, what it models, its upload speed. */
export interface AgentLoopLink {
  name: string;
  models: string;
  uploadBytesPerSecond?: number;
}

/**
 * The network models the benchmark runs, both applied to both transports alike. 20 Mbit/s is
 * the fast end of common uplinks (home and office lines often upload at 10–20 Mbit/s): the
 * faster the link, the less re-sending the history costs, so this favours SSE.
 */
export const AGENT_LOOP_LINKS: readonly AgentLoopLink[] = [
  {
    name: 'loopback',
    models:
      'the mock adds the latency before each answer and nothing else: uploading a request costs nothing, so re-sending the history costs SSE only the CPU to build, send and parse it',
  },
  {
    name: '20 Mbit/s uplink',
    models:
      'as loopback, and each request also waits until its payload would have come through a 20 Mbit/s (2.5 MB/s) uplink, the fast end of common uplinks: bytes / 2.5 MB/s, for HTTP bodies and `response.create` frames alike',
    uploadBytesPerSecond: 2_500_000,
  },
];

export const AGENT_LOOP_DEFAULTS: AgentLoopOptions = { steps: 20, contextBytes: 50_000, growthBytes: 5_000, latencyMs: 40, rounds: 5 };

/** One transport's runs. */
export interface AgentLoopTransportResult {
  transport: 'sse' | 'websocket';
  /** Request payload bytes of one run: the HTTP bodies, or the `response.create` frames. */
  requestBytes: number;
  requests: number;
  /** Wall time of each run, from subscription to `finish`. */
  wallMs: number[];
  medianMs: number;
  /** Set when a run did not end as expected. */
  problem?: string;
}

export interface AgentLoopResult {
  options: AgentLoopOptions;
  /** The network model, when the run was one of {@link AGENT_LOOP_LINKS}. */
  link?: AgentLoopLink;
  sse: AgentLoopTransportResult;
  websocket: AgentLoopTransportResult;
  /** WebSocket request bytes / SSE request bytes. */
  bytesRatio: number;
  /** WebSocket median wall time / SSE median wall time. */
  timeRatio: number;
}

/** The number of tool results in a request's conversation: the step it asks for, minus one. */
function toolResultsIn(record: RecordedRequest): number {
  const input = (record.json as { input?: { type?: string }[] } | undefined)?.input ?? [];
  return input.filter((item) => item.type === 'function_call_output').length;
}

async function runOnce(
  server: MockCodexServer,
  transport: 'sse' | 'websocket',
  o: AgentLoopOptions,
): Promise<{ ms: number; bytes: number; requests: number; problem?: string }> {
  server.reset();
  const client = new CodexClient({
    baseUrl: server.baseUrl,
    accessToken: fakeAccessToken('acc_bench'),
    transport,
    retry: { maxRetries: 0 },
  });
  const output = 'r'.repeat(o.growthBytes);
  const read: ExecutableTool = {
    name: 'read',
    description: 'Reads the next part of the file.',
    parameters: { type: 'object', properties: { part: { type: 'integer' } }, required: ['part'], additionalProperties: false },
    execute: () => output,
  };
  const messages = [systemMessage('You read files.'), userMessage('u'.repeat(o.contextBytes))];
  const start = performance.now();
  try {
    const events = await lastValueFrom(client.run(messages, [read], { maxSteps: o.steps }));
    const ms = performance.now() - start;
    const bytes = server.requests.reduce((sum, r) => sum + Buffer.byteLength(r.body), 0);
    const wrong =
      events.type !== 'finish' ||
      events.steps !== o.steps ||
      server.requests.some((r) => r.transport !== (transport === 'sse' ? 'http' : 'websocket'));
    return {
      ms,
      bytes,
      requests: server.requests.length,
      ...(wrong && { problem: `ended with ${JSON.stringify({ type: events.type })} after ${server.requests.length} requests` }),
    };
  } finally {
    client.close();
  }
}

/**
 * Runs the loop `rounds` times per transport (interleaved, after one warm-up each) against one
 * in-process mock server whose replies call the tool until the last step.
 */
export async function benchAgentLoop(options: Partial<AgentLoopOptions> = {}): Promise<AgentLoopResult> {
  const o: AgentLoopOptions = { ...AGENT_LOOP_DEFAULTS, ...options };
  let responses = 0;
  const server = await startMockCodexServer({
    ...(o.uploadBytesPerSecond !== undefined && { uploadBytesPerSecond: o.uploadBytesPerSecond }),
    handler: (record): MockReply => {
      const step = toolResultsIn(record) + 1;
      const responseId = `resp_${++responses}`;
      const events =
        step < o.steps
          ? toolCallTurn({ responseId, calls: [{ callId: `call_${step}`, name: 'read', arguments: [`{"part":${step}}`] }] })
          : textTurn({ responseId, text: ['Read it all.'] });
      return { events, headersDelayMs: o.latencyMs };
    },
  });
  const measured = <T extends 'sse' | 'websocket'>(transport: T) => ({
    transport,
    requestBytes: 0,
    requests: 0,
    wallMs: [] as number[],
    medianMs: NaN,
    problem: undefined as string | undefined,
  });
  const results = { sse: measured('sse'), websocket: measured('websocket') };
  try {
    for (let round = -1; round < o.rounds; round++) {
      for (const transport of ['sse', 'websocket'] as const) {
        const run = await runOnce(server, transport, o);
        const r = results[transport];
        if (run.problem !== undefined) r.problem = run.problem;
        if (round < 0) continue; // warm-up
        r.wallMs.push(run.ms);
        r.requestBytes = run.bytes;
        r.requests = run.requests;
      }
    }
  } finally {
    await server.close();
  }
  const finish = (r: (typeof results)['sse'] | (typeof results)['websocket']): AgentLoopTransportResult => {
    const { problem, ...rest } = r;
    return { ...rest, medianMs: median(r.wallMs), ...(problem !== undefined && { problem }) };
  };
  const sse = finish(results.sse);
  const websocket = finish(results.websocket);
  return {
    options: o,
    sse,
    websocket,
    bytesRatio: websocket.requestBytes / sse.requestBytes,
    timeRatio: websocket.medianMs / sse.medianMs,
  };
}

/** Runs the loop under each network model of {@link AGENT_LOOP_LINKS}, one after the other. */
export async function benchAgentLoopLinks(options: Partial<AgentLoopOptions> = {}): Promise<AgentLoopResult[]> {
  const results: AgentLoopResult[] = [];
  for (const link of AGENT_LOOP_LINKS) {
    const r = await benchAgentLoop({ ...options, uploadBytesPerSecond: link.uploadBytesPerSecond });
    results.push({ ...r, link });
  }
  return results;
}

/** What one transport's median run spent: the added latency, the modelled uploads, and the rest per step. */
export function wallParts(r: AgentLoopResult, x: AgentLoopTransportResult): { latencyMs: number; uploadMs: number; restPerStepMs: number } {
  const o = r.options;
  const latencyMs = x.requests * o.latencyMs;
  const uploadMs = o.uploadBytesPerSecond === undefined ? 0 : (x.requestBytes * 1000) / o.uploadBytesPerSecond;
  return { latencyMs, uploadMs, restPerStepMs: (x.medianMs - latencyMs - uploadMs) / x.requests };
}

/**
 * The wall-time ratio a WebSocket client costing nothing at all would reach: its added latency
 * and modelled uploads over SSE's median. No client can do better under the model.
 */
export function wallFloor(r: AgentLoopResult): number {
  const ws = wallParts(r, r.websocket);
  return (ws.latencyMs + ws.uploadMs) / r.sse.medianMs;
}

/** The markdown section of a result. */
export function agentLoopTable(r: AgentLoopResult): string[] {
  const o = r.options;
  const kb = (n: number) => (n / 1000).toFixed(1);
  const link =
    o.uploadBytesPerSecond === undefined
      ? 'uploads cost nothing (loopback)'
      : `uploads cost bytes / ${(o.uploadBytesPerSecond / 1e6).toFixed(1)} MB/s`;
  const L = [
    `${o.steps} steps, context from ${kb(o.contextBytes)} KB growing by ${kb(o.growthBytes)} KB a step, ${o.latencyMs} ms added by the mock before each answer, ${link}; median of ${o.rounds} runs each, interleaved. Request bytes are the payloads (HTTP bodies, \`response.create\` frames), headers not counted.`,
    ...(r.link !== undefined ? ['', `Models: ${r.link.models}.`] : []),
    '',
    '| transport | requests | request bytes | median wall ms | added latency ms | upload ms | rest per step ms | runs (ms) | |',
    '|---|---:|---:|---:|---:|---:|---:|---|---|',
  ];
  for (const x of [r.sse, r.websocket]) {
    const p = wallParts(r, x);
    L.push(
      `| ${x.transport} | ${x.requests} | ${kb(x.requestBytes)} KB | ${x.medianMs.toFixed(0)} | ${p.latencyMs.toFixed(0)} | ${p.uploadMs.toFixed(0)} | ${p.restPerStepMs.toFixed(1)} | ${x.wallMs.map((m) => m.toFixed(0)).join(', ')} | ${x.problem ?? 'ok'} |`,
    );
  }
  const floor = wallFloor(r);
  L.push(
    '',
    `WebSocket / SSE: ${(r.bytesRatio * 100).toFixed(1)}% of the request bytes, ${r.timeRatio.toFixed(2)}× the wall time. A WebSocket client that cost nothing at all would still be at ${floor.toFixed(2)}× here: its added latency and uploads over SSE's median.`,
  );
  return L;
}

/** The notes under the agent loop's tables: what the rows model and what they leave out. */
export const AGENT_LOOP_NOTES: readonly string[] = [
  'Both transports run against the same in-process mock server, one client per run, so the wall time includes the client and the mock alike. ' +
    'Added latency (the backend\'s time to the first byte) and the modelled uploads are the same rules for SSE and WebSocket; what is left of the wall time ("rest per step" in the tables) is building the request, serialising, sending over loopback, the mock reading and answering it, parsing the events, and the timers firing late (by a millisecond or more under load).',
  "Not modelled on either side: request headers, the TCP and TLS setup, and the WebSocket's upgrade (one more round trip, once per client); the answers are the same few events on both transports.",
];

if (require.main === module) {
  const i = process.argv.indexOf('--rounds');
  const rounds = i === -1 ? undefined : Number(process.argv[i + 1]);
  benchAgentLoopLinks(rounds === undefined ? {} : { rounds }).then(
    (rs) => {
      for (const r of rs) process.stdout.write(`### ${r.link?.name ?? ''}\n\n${agentLoopTable(r).join('\n')}\n\n`);
      process.exit(0);
    },
    (e: unknown) => {
      process.stderr.write(`agent loop bench failed: ${(e as Error)?.stack ?? String(e)}\n`);
      process.exit(1);
    },
  );
}
