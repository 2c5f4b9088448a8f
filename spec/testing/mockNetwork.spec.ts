import { performance } from 'node:perf_hooks';
import { request } from 'undici';
import { WebSocket } from 'ws';
import { ConfigError } from '../../src/errors.js';
import { startMockCodexServer, textTurn, type MockCodexServer, type MockCodexServerOptions } from '../../src/testing/index.js';

let server: MockCodexServer | undefined;
const sockets: WebSocket[] = [];

async function start(options: MockCodexServerOptions): Promise<MockCodexServer> {
  server = await startMockCodexServer(options);
  return server;
}

afterEach(async () => {
  for (const ws of sockets.splice(0)) {
    // A socket still connecting errors as it is terminated: nothing to report.
    ws.on('error', () => undefined);
    ws.terminate();
  }
  await server?.close();
  server = undefined;
});

/** A POST whose JSON body is `bytes` long; resolves with the answer's text and when it came. */
async function post(s: MockCodexServer, bytes: number): Promise<{ text: string; at: number }> {
  const body = JSON.stringify({ pad: 'p'.repeat(bytes - '{"pad":""}'.length) });
  expect(Buffer.byteLength(body)).toBe(bytes);
  const res = await request(s.responsesUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  const text = await res.body.text();
  return { text, at: performance.now() };
}

/** Opens a WebSocket on the endpoint. */
async function open(s: MockCodexServer, headers: Record<string, string> = {}): Promise<WebSocket> {
  const ws = new WebSocket(s.responsesUrl.replace(/^http/, 'ws'), { headers });
  sockets.push(ws);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return ws;
}

/** Sends a `response.create` frame `bytes` long; resolves when the reply's terminal frame came. */
function create(ws: WebSocket, bytes: number): Promise<number> {
  const frame = JSON.stringify({ type: 'response.create', input: [], pad: 'p'.repeat(bytes - 46) });
  expect(Buffer.byteLength(frame)).toBe(bytes);
  return new Promise((resolve) => {
    const onMessage = (data: Buffer) => {
      if ((JSON.parse(data.toString('utf8')) as { type: string }).type !== 'response.completed') return;
      ws.off('message', onMessage);
      resolve(performance.now());
    };
    ws.on('message', onMessage);
    ws.send(frame);
  });
}

const answer = () => ({ events: textTurn({ responseId: 'resp_1', text: ['ok'] }) });

describe('uploadBytesPerSecond: a simulated uplink', () => {
  it('holds an HTTP request until its body would have come through: bytes / speed', async () => {
    const s = await start({ uploadBytesPerSecond: 500_000, replies: [answer()] });
    const t0 = performance.now();

    const { text, at } = await post(s, 50_000);

    expect(text).toContain('"delta":"ok"');
    // 50 kB at 500 kB/s: 100 ms (a little slack for timer rounding).
    expect(at - t0).toBeGreaterThanOrEqual(95);
    expect(s.requests).toHaveLength(1);
  });

  it('holds a response.create frame the same way, by its own size only', async () => {
    const s = await start({ uploadBytesPerSecond: 500_000, replies: [answer(), answer()] });
    const ws = await open(s);

    let t0 = performance.now();
    const big = (await create(ws, 50_000)) - t0;
    t0 = performance.now();
    const small = (await create(ws, 500)) - t0;

    expect(big).toBeGreaterThanOrEqual(95);
    expect(small).toBeLessThan(big / 2);
    expect(s.requests.map((r) => [r.transport, Buffer.byteLength(r.body)])).toEqual([
      ['websocket', 50_000],
      ['websocket', 500],
    ]);
  });

  it('is one link: payloads sent together queue on it', async () => {
    const s = await start({ uploadBytesPerSecond: 500_000, replies: [answer(), answer()] });
    const t0 = performance.now();

    const both = await Promise.all([post(s, 25_000), post(s, 25_000)]);

    // Each alone takes 50 ms; the later one waits for the first.
    expect(Math.max(...both.map((b) => b.at - t0))).toBeGreaterThanOrEqual(95);
    expect(s.requests).toHaveLength(2);
  });

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY, '1000'])('rejects %p with a ConfigError that says what to pass', async (value) => {
    const attempt = startMockCodexServer({ uploadBytesPerSecond: value as number });
    await expect(attempt).rejects.toBeInstanceOf(ConfigError);
    await expect(attempt).rejects.toThrow(
      /^uploadBytesPerSecond must be a positive number of bytes per second, got .+\. Pass e\.g\. 2_500_000/,
    );
  });
});

describe('refuseUpgrade as a function', () => {
  it('decides per upgrade from what was asked: a reply refuses it, undefined accepts it', async () => {
    const s = await start({
      replies: [answer()],
      refuseUpgrade: (upgrade) =>
        upgrade.headers.authorization === 'Bearer old' ? { status: 401, json: { error: { message: 'no' } } } : undefined,
    });

    await expect(open(s, { authorization: 'Bearer old' })).rejects.toThrow(/401/);
    const ws = await open(s, { authorization: 'Bearer new' });
    await create(ws, 100);

    expect(s.upgrades.map((u) => [u.index, u.status, u.headers.authorization])).toEqual([
      [0, 401, 'Bearer old'],
      [1, 101, 'Bearer new'],
    ]);
    expect(s.requests).toHaveLength(1);
  });

  it('refuses with a 500 that says why when the function throws or answers a reply that refuses nothing', async () => {
    const statuses: number[] = [];
    const s = await start({
      refuseUpgrade: (upgrade) => {
        if (upgrade.index === 0) throw new Error('boom');
        return { status: 200 };
      },
    });
    for (let i = 0; i < 2; i++) {
      const ws = new WebSocket(s.responsesUrl.replace(/^http/, 'ws'));
      sockets.push(ws);
      const body = await new Promise<string>((resolve) => {
        ws.once('unexpected-response', (_req, res) => {
          statuses.push(res.statusCode ?? 0);
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
          res.on('end', () => resolve(text));
        });
      });
      expect(body).toMatch(i === 0 ? /refuseUpgrade failed: boom/ : /refuseUpgrade\(\)\.status must be an error status/);
    }
    expect(statuses).toEqual([500, 500]);
  });
});
