/**
 * End to end over loopback HTTP: `CodexClient.stream()` against the mock server (in a child
 * process), versus the hand loop and openai-node's parser reading the same response through
 * undici / fetch; and 200 concurrent streams on one client.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { Observable } from 'rxjs';
import { request, Agent } from 'undici';
import { Stream } from 'openai/streaming';
import type { CodexEvent, Message } from '../src/types.js';
import { HandParser, WireAccumulator, type Extracted } from './handLoop.js';
import { median, runInterleaved, type MethodResult, type Truth } from './harness.js';
import { EventSink } from './pipeline.js';

/** The client surface the bench uses. */
export interface ClientModules {
  CodexClient: new (config: Record<string, unknown>) => { stream(messages: Message[]): Observable<CodexEvent> };
  fakeAccessToken: (accountId?: string) => string;
}

/** Loads the client and the mock server's token helper; a string says what is missing. */
export function loadClient(): ClientModules | string {
  try {
    const client = require('../src/client/CodexClient.js') as Record<string, unknown>;

    const mock = require('../src/testing/index.js') as Record<string, unknown>;
    if (typeof client.CodexClient !== 'function') return 'CodexClient not exported by src/client/CodexClient';
    if (typeof mock.fakeAccessToken !== 'function') return 'fakeAccessToken not exported by src/testing/index';
    return {
      CodexClient: client.CodexClient as ClientModules['CodexClient'],
      fakeAccessToken: mock.fakeAccessToken as ClientModules['fakeAccessToken'],
    };
  } catch (e) {
    return `client unavailable: ${(e as Error).message.split('\n')[0]}`;
  }
}

/** A running server child. */
export interface ServerChild {
  baseUrl: string;
  responsesUrl: string;
  prepare(sizes: number[]): Promise<void>;
  close(): Promise<void>;
}

export function startServerChild(chunkSize: number): Promise<ServerChild> {
  const child: ChildProcess = fork(join(__dirname, 'serverChild.ts'), [String(chunkSize)], {
    execArgv: ['-r', 'ts-node/register/transpile-only'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`server child exited (${code})`)));
    child.once('message', (msg: { type: string; baseUrl: string; responsesUrl: string }) => {
      resolve({
        baseUrl: msg.baseUrl,
        responsesUrl: msg.responsesUrl,
        prepare: (sizes) =>
          new Promise<void>((res) => {
            child.once('message', () => res());
            child.send({ type: 'prepare', sizes });
          }),
        close: () =>
          new Promise<void>((res) => {
            child.removeAllListeners('exit');
            child.once('exit', () => res());
            child.send({ type: 'close' });
          }),
      });
    });
  });
}

function requestBody(size: number): string {
  return JSON.stringify({
    model: 'gpt-5.3-codex',
    stream: true,
    input: [{ role: 'user', content: [{ type: 'input_text', text: `size=${size}` }] }],
  });
}

/** The hand loop reading an undici `request()` body (the client's transport). */
export async function handOverHttp(url: string, size: number, dispatcher: Agent): Promise<Extracted> {
  const res = await request(url, { method: 'POST', body: requestBody(size), headers: { 'content-type': 'application/json' }, dispatcher });
  const p = new HandParser();
  for await (const chunk of res.body) {
    if (p.feed(chunk as Uint8Array)) {
      res.body.destroy();
      break;
    }
  }
  return p.acc.result();
}

/** openai-node's parser on a `fetch()` response (how openai-node itself reads). */
export async function openaiOverHttp(url: string, size: number): Promise<Extracted> {
  const controller = new AbortController();
  const res = await fetch(url, {
    method: 'POST',
    body: requestBody(size),
    headers: { 'content-type': 'application/json' },
    signal: controller.signal,
  });
  const acc = new WireAccumulator();
  for await (const ev of Stream.fromSSEResponse<{ type?: unknown; [k: string]: unknown }>(res, controller)) {
    if (acc.handle(ev)) break;
  }
  return acc.result();
}

/** `client.stream()` to completion, folded like the hand loop. */
export function clientStream(client: { stream(messages: Message[]): Observable<CodexEvent> }, size: number): Promise<Extracted> {
  return new Promise((resolve, reject) => {
    const sink = new EventSink();
    client.stream([{ role: 'user', content: [{ type: 'text', text: `size=${size}` }] }]).subscribe({
      next: sink.next,
      error: reject,
      complete: () => resolve(sink.result()),
    });
  });
}

/** Results of the end-to-end benchmarks. */
export interface E2eResult {
  single: MethodResult[];
  concurrent?: { streams: number; bytesEach: number; client: ConcurrentRow; hand: ConcurrentRow };
}

export interface ConcurrentRow {
  name: string;
  medianMs: number;
  mbPerS: number;
  completed: number;
  failed: number;
  mismatch: string | null;
}

/** Options of {@link benchE2e}. */
export interface E2eOptions {
  /** The `sizeBytes` asked of the generator (what the server serves). */
  size: number;
  /** The generated body's actual length. */
  bodyBytes: number;
  truth: Truth;
  concurrentSize: number;
  concurrentBodyBytes: number;
  concurrentTruth: Truth;
  streams: number;
  rounds: number;
  warmup: number;
}

export async function benchE2e(mods: ClientModules, server: ServerChild, o: E2eOptions): Promise<E2eResult> {
  // One client, one pool: what an application would hold.
  const dispatcher = new Agent({ connections: 256, pipelining: 1 });
  const client = new mods.CodexClient({
    baseUrl: server.baseUrl,
    accessToken: mods.fakeAccessToken('acc_bench'),
    model: 'gpt-5.3-codex',
    dispatcher,
    retry: { maxRetries: 0 },
    // Measured against hand loops over HTTP: the same transport.
    transport: 'sse',
  });
  const single = await runInterleaved(
    [
      { name: 'hand loop over undici.request', run: () => handOverHttp(server.responsesUrl, o.size, dispatcher) },
      { name: 'CodexClient.stream()', run: () => clientStream(client, o.size) },
      { name: 'openai-node over fetch', run: () => openaiOverHttp(server.responsesUrl, o.size) },
    ],
    [],
    o.truth,
    { rounds: o.rounds, warmup: o.warmup, bytes: o.bodyBytes },
  );

  const runMany = async (name: string, one: () => Promise<Extracted>): Promise<ConcurrentRow> => {
    const times: number[] = [];
    let completed = 0;
    let failed = 0;
    let mismatch: string | null = null;
    for (let r = 0; r < o.warmup + o.rounds; r++) {
      const t0 = performance.now();
      const results = await Promise.allSettled(Array.from({ length: o.streams }, one));
      const ms = performance.now() - t0;
      if (r >= o.warmup) times.push(ms);
      completed = results.filter((x) => x.status === 'fulfilled').length;
      failed = o.streams - completed;
      for (const x of results) {
        if (x.status === 'rejected') mismatch ??= `rejected: ${String((x.reason as Error)?.message ?? x.reason).slice(0, 160)}`;
        else if (x.value.text !== o.concurrentTruth.text || !x.value.done) mismatch ??= 'text differs';
      }
    }
    const med = median(times);
    return { name, medianMs: med, mbPerS: (o.streams * o.concurrentBodyBytes) / 1e6 / (med / 1000), completed, failed, mismatch };
  };
  const hand = await runMany('hand loop over undici.request', () => handOverHttp(server.responsesUrl, o.concurrentSize, dispatcher));
  const viaClient = await runMany('CodexClient.stream()', () => clientStream(client, o.concurrentSize));
  await dispatcher.close();
  return { single, concurrent: { streams: o.streams, bytesEach: o.concurrentBodyBytes, client: viaClient, hand } };
}
