/**
 * Bodies too big or too endless for `npm test`, each bounded in time and watched for memory:
 *
 * - an HTTP 500 whose body never ends: the client reads its 1 MiB cap, cancels, and fails with
 *   the status (it used to read forever, the bytes keeping the idle timer alive);
 * - a 1.5 GB answer from the token endpoint, streamed by the server as it is read: the refresh
 *   stops at 1 MiB with an AuthError (it used to buffer it all);
 * - one 50 MB SSE line, in 64 KiB chunks and in a single chunk: a ProtocolError either way.
 *
 * Each row gives the wall time to the verdict, the bytes the server got to send, and the peak
 * RSS sampled during the run (and its rise over the RSS before it). A row that passes its time
 * budget says so instead of waiting.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { from, lastValueFrom, toArray, type Observable } from 'rxjs';
import { refreshCodexToken } from '../../src/auth/refresh.js';
import { CodexClient } from '../../src/client/CodexClient.js';
import { userMessage } from '../../src/messages.js';
import { parseResponseStream } from '../../src/parseResponseStream.js';
import { fakeAccessToken } from '../../src/testing/index.js';
import type { StressOptions } from './index.js';

const MiB = 1024 * 1024;
const BUDGET_MS = 60_000;

interface Row {
  name: string;
  verdict: string;
  ms: number;
  sentBytes?: number;
  peakRss: number;
  rssRise: number;
}

/** Runs `work` under a time budget, sampling the RSS every 5 ms. */
async function measure(name: string, work: () => Promise<{ verdict: string; sentBytes?: number }>): Promise<Row> {
  global.gc?.();
  const before = process.memoryUsage.rss();
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 5);
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const budget = new Promise<{ verdict: string }>((resolve) => {
    timer = setTimeout(() => resolve({ verdict: `no verdict within ${BUDGET_MS / 1000} s (hang)` }), BUDGET_MS);
  });
  try {
    const result = await Promise.race([work(), budget]);
    return { name, ...result, ms: performance.now() - started, peakRss: peak, rssRise: peak - before };
  } finally {
    clearTimeout(timer);
    clearInterval(sampler);
  }
}

/** The error's class and the start of its message, or what completed. */
function verdictOf(outcome: unknown): string {
  if (outcome instanceof Error) return `${outcome.name}: ${outcome.message.slice(0, 70)}`;
  return 'completed';
}

/** A loopback server that answers every request through `answer`, counting the bytes it sent. */
async function server(answer: (res: ServerResponse, sent: (n: number) => void) => void) {
  let sentBytes = 0;
  const http = createServer((req, res) => {
    req.resume();
    req.on('end', () => answer(res, (n) => (sentBytes += n)));
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
    sent: () => sentBytes,
    close: () =>
      new Promise<void>((r) => {
        http.closeAllConnections();
        http.close(() => r());
      }),
  };
}

/** Writes the same chunk as fast as the client reads, up to `total` bytes (Infinity: forever). */
function pump(res: ServerResponse, chunk: Buffer, total: number, sent: (n: number) => void): void {
  let written = 0;
  const more = (): void => {
    while (!res.destroyed && written < total) {
      written += chunk.length;
      sent(chunk.length);
      if (!res.write(chunk)) return void res.once('drain', more);
    }
    if (!res.destroyed) res.end();
  };
  more();
}

async function neverEnding500(): Promise<{ verdict: string; sentBytes: number }> {
  const s = await server((res, sent) => {
    res.writeHead(500, { 'content-type': 'text/plain' });
    pump(res, Buffer.alloc(64 * 1024, 'e'), Infinity, sent);
  });
  try {
    const client = new CodexClient({
      transport: 'sse',
      baseUrl: s.url,
      accessToken: fakeAccessToken('acc_stress'),
      retry: { maxRetries: 0 },
    });
    const outcome = await lastValueFrom(client.stream([userMessage('hi')]).pipe(toArray())).catch((e: unknown) => e);
    return { verdict: verdictOf(outcome), sentBytes: s.sent() };
  } finally {
    await s.close();
  }
}

async function hugeTokenAnswer(totalBytes: number): Promise<{ verdict: string; sentBytes: number }> {
  const s = await server((res, sent) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{"access_token":"');
    pump(res, Buffer.alloc(64 * 1024, 'a'), totalBytes, sent);
  });
  try {
    const outcome = await refreshCodexToken('rt_stress', { tokenUrl: `${s.url}/oauth/token` }).catch((e: unknown) => e);
    return { verdict: verdictOf(outcome), sentBytes: s.sent() };
  } finally {
    await s.close();
  }
}

/** One `data:` line of `lineBytes` bytes, as chunks of `chunkBytes` (the same buffer reused: nothing big is allocated). */
function oneLongLine(lineBytes: number, chunkBytes: number): Observable<Uint8Array> {
  const head = Buffer.from('data: {"type":"response.output_text.delta","delta":"');
  const body = Buffer.alloc(chunkBytes, 'x');
  function* chunks(): Generator<Uint8Array> {
    yield head;
    for (let sent = 0; sent < lineBytes; sent += chunkBytes) yield body;
    yield Buffer.from('"}\n\n');
  }
  return from(chunks());
}

async function longSseLine(lineBytes: number, chunkBytes: number): Promise<{ verdict: string }> {
  const source: Observable<Uint8Array> =
    chunkBytes >= lineBytes
      ? from([Buffer.alloc(lineBytes, 'x')].map((b) => Buffer.concat([Buffer.from('data: '), b, Buffer.from('\n\n')])))
      : oneLongLine(lineBytes, chunkBytes);
  const outcome = await lastValueFrom(source.pipe(parseResponseStream(), toArray())).catch((e: unknown) => e);
  return { verdict: verdictOf(outcome) };
}

const mb = (bytes: number): string => `${(bytes / MiB).toFixed(0)} MiB`;

export async function run({ log, quick }: StressOptions): Promise<void> {
  const tokenBytes = quick ? 64 * MiB : 1536 * MiB;
  const lineBytes = quick ? 40 * MiB : 50 * MiB;
  const rows: Row[] = [];
  const step = async (name: string, work: () => Promise<{ verdict: string; sentBytes?: number }>) => {
    log(`  ${name}`);
    rows.push(await measure(name, work));
  };
  await step('HTTP 500, body never ends', neverEnding500);
  await step(`token endpoint answer of ${mb(tokenBytes)}`, () => hugeTokenAnswer(tokenBytes));
  await step(`SSE line of ${mb(lineBytes)} in 64 KiB chunks`, () => longSseLine(lineBytes, 64 * 1024));
  await step(`SSE line of ${mb(lineBytes)} in one chunk`, () => longSseLine(lineBytes, lineBytes));

  console.log('\n## Bodies: endless and oversized\n');
  console.log('| case | verdict | time | server sent | peak RSS | RSS rise |');
  console.log('| --- | --- | ---: | ---: | ---: | ---: |');
  for (const r of rows) {
    const sent = r.sentBytes === undefined ? '–' : mb(r.sentBytes);
    console.log(
      `| ${r.name} | ${r.verdict.replace(/\|/g, '\\|')} | ${r.ms.toFixed(0)} ms | ${sent} | ${mb(r.peakRss)} | ${mb(r.rssRise)} |`,
    );
  }
}
