/**
 * The agent loop over both transports: a tool loop whose context grows every step, against the
 * mock server with added latency per request. What the WebSocket saves is the re-sent history:
 * each of its requests carries only the new items and `previous_response_id`.
 *
 * Run alone: `node -r ts-node/register/transpile-only bench/agentLoop.ts [--rounds n]`.
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
}

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
  const results = {
    sse: {
      transport: 'sse' as const,
      requestBytes: 0,
      requests: 0,
      wallMs: [] as number[],
      medianMs: NaN,
      problem: undefined as string | undefined,
    },
    websocket: {
      transport: 'websocket' as const,
      requestBytes: 0,
      requests: 0,
      wallMs: [] as number[],
      medianMs: NaN,
      problem: undefined as string | undefined,
    },
  };
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

/** The markdown section of a result. */
export function agentLoopTable(r: AgentLoopResult): string[] {
  const o = r.options;
  const kb = (n: number) => (n / 1000).toFixed(1);
  const L = [
    `${o.steps} steps, context from ${kb(o.contextBytes)} KB growing by ${kb(o.growthBytes)} KB a step, ${o.latencyMs} ms added by the mock before each answer; median of ${o.rounds} runs each, interleaved. Request bytes are the payloads (HTTP bodies, \`response.create\` frames), headers not counted.`,
    '',
    '| transport | requests | request bytes | median wall ms | runs (ms) | |',
    '|---|---:|---:|---:|---|---|',
  ];
  for (const x of [r.sse, r.websocket]) {
    L.push(
      `| ${x.transport} | ${x.requests} | ${kb(x.requestBytes)} KB | ${x.medianMs.toFixed(0)} | ${x.wallMs.map((m) => m.toFixed(0)).join(', ')} | ${x.problem ?? 'ok'} |`,
    );
  }
  L.push('', `WebSocket / SSE: ${(r.bytesRatio * 100).toFixed(1)}% of the request bytes, ${r.timeRatio.toFixed(2)}× the wall time.`);
  return L;
}

if (require.main === module) {
  const i = process.argv.indexOf('--rounds');
  const rounds = i === -1 ? undefined : Number(process.argv[i + 1]);
  benchAgentLoop(rounds === undefined ? {} : { rounds }).then(
    (r) => {
      process.stdout.write(`${agentLoopTable(r).join('\n')}\n`);
      process.exit(0);
    },
    (e: unknown) => {
      process.stderr.write(`agent loop bench failed: ${(e as Error)?.stack ?? String(e)}\n`);
      process.exit(1);
    },
  );
}
