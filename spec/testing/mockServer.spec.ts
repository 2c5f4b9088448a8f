import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { request } from 'undici';
import { ConfigError } from '../../src/errors.js';
import { fakeAccessToken, startMockCodexServer, type MockCodexServer, type MockCodexServerOptions } from '../../src/testing/index.js';
import { at } from '../helpers/at.js';
import { expectConfigProblem, expectConfigRejection } from '../helpers/configMessage.js';

let server: MockCodexServer | undefined;

async function start(options?: MockCodexServerOptions): Promise<MockCodexServer> {
  server = await startMockCodexServer(options);
  return server;
}

afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Reads a body to its end or its error, keeping each read separately. */
async function readChunks(body: AsyncIterable<Uint8Array>): Promise<{ chunks: Buffer[]; error?: unknown }> {
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of body) chunks.push(Buffer.from(chunk));
    return { chunks };
  } catch (error) {
    return { chunks, error };
  }
}

function post(s: MockCodexServer, body: unknown = { model: 'gpt-5.5' }, signal?: AbortSignal) {
  return request(s.responsesUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal,
  });
}

describe('startMockCodexServer', () => {
  it('listens on 127.0.0.1 and exposes the base URL the client appends /codex/responses to', async () => {
    const s = await start();
    expect(s.url).toBe(`http://127.0.0.1:${s.port}`);
    expect(s.port).toBeGreaterThan(0);
    expect(s.baseUrl).toBe(`${s.url}/backend-api`);
    expect(s.responsesUrl).toBe(`${s.baseUrl}/codex/responses`);
  });

  it('plays scripted replies in order, one per request, then says the script ran out', async () => {
    const s = await start({ replies: [{ body: 'one' }, { body: 'two', status: 201 }, { status: 429, json: { error: 'slow down' } }] });
    const got: Array<[number, string]> = [];
    for (let i = 0; i < 3; i++) {
      const res = await post(s);
      got.push([res.statusCode, await res.body.text()]);
    }
    expect(got).toEqual([
      [200, 'one'],
      [201, 'two'],
      [429, '{"error":"slow down"}'],
    ]);
    expect(s.pendingReplies).toBe(0);

    const res = await post(s);
    expect(res.statusCode).toBe(500);
    // A client must not retry the mock's own failure, and the body must say what went wrong.
    expect(res.headers['x-should-retry']).toBe('false');
    expect(res.headers['content-type']).toBe('application/json');
    const body = (await res.body.json()) as { error: { message: string; type: string } };
    expect(body.error.type).toBe('mock_script_exhausted');
    expect(body.error.message).toContain('the script ran out');
    expect(body.error.message).toContain('request 3');
  });

  it('falls back to the handler once replies run out, passing it the recorded request', async () => {
    const s = await start({
      replies: [{ body: 'scripted' }],
      handler: async (req) => ({ body: `handled ${(req.json as { n: number }).n} #${req.index}` }),
    });
    const texts: string[] = [];
    for (const n of [1, 2, 3]) texts.push(await (await post(s, { n })).body.text());
    expect(texts).toEqual(['scripted', 'handled 2 #1', 'handled 3 #2']);
  });

  it('answers 500 with the reason when the handler throws or returns an invalid reply', async () => {
    let call = 0;
    const s = await start({
      handler: () => {
        call++;
        if (call === 1) throw new Error('boom');
        return { body: 'x', events: [] };
      },
    });
    const first = await post(s);
    expect(first.statusCode).toBe(500);
    expect(await first.body.text()).toContain('handler failed: boom');
    const second = await post(s);
    expect(second.statusCode).toBe(500);
    expect(await second.body.text()).toContain('one of body, events and json');
  });

  it('enqueue() appends replies and reset() forgets requests and unplayed replies', async () => {
    const s = await start({ replies: [{ body: 'a' }] });
    s.enqueue({ body: 'b' }, { body: 'c' });
    expect(s.pendingReplies).toBe(3);
    expect(await (await post(s)).body.text()).toBe('a');
    expect(s.requests).toHaveLength(1);
    s.reset();
    expect(s.requests).toHaveLength(0);
    expect(s.pendingReplies).toBe(0);
    s.enqueue({ body: 'd' });
    expect(await (await post(s)).body.text()).toBe('d');
    expect(s.requests.map((r) => r.index)).toEqual([0]);
  });

  describe('SSE framing', () => {
    const created = { type: 'response.created', response: { id: 'resp_1' } };
    const delta = { type: 'response.output_text.delta', delta: 'Hé\n"x"', output_index: 0, content_index: 0 };

    it('frames each event as "event: <type>\\ndata: <json>\\n\\n" with content-type text/event-stream', async () => {
      const s = await start({ replies: [{ events: [created, delta, { noType: true }] }] });
      const res = await post(s);
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('text/event-stream');
      expect(await res.body.text()).toBe(
        `event: response.created\ndata: ${JSON.stringify(created)}\n\n` +
          `event: response.output_text.delta\ndata: ${JSON.stringify(delta)}\n\n` +
          // Without a string `type` there is no event line.
          `data: {"noType":true}\n\n`,
      );
    });

    it('endWithoutBlankLine leaves off the blank line that would dispatch the last event', async () => {
      const s = await start({
        replies: [
          { events: [created, delta], endWithoutBlankLine: true },
          { body: 'data: 1\r\n\r\ndata: 2\r\n\r\n', endWithoutBlankLine: true },
          { body: 'data: 1\r\rdata: 2\r\r', endWithoutBlankLine: true },
        ],
      });
      const lf = await (await post(s)).body.text();
      expect(lf).toBe(
        `event: response.created\ndata: ${JSON.stringify(created)}\n\n` +
          `event: response.output_text.delta\ndata: ${JSON.stringify(delta)}\n`,
      );
      expect(await (await post(s)).body.text()).toBe('data: 1\r\n\r\ndata: 2\r\n');
      expect(await (await post(s)).body.text()).toBe('data: 1\r\rdata: 2\r');
    });

    it('sends raw bodies byte for byte, Uint8Array included, and lets headers override the defaults', async () => {
      const bytes = new Uint8Array([0xef, 0xbb, 0xbf, 0x64, 0xff, 0x0a]);
      const s = await start({
        replies: [
          { body: bytes },
          { status: 503, headers: { 'Retry-After': '1.5', 'retry-after-ms': 1500, 'X-Should-Retry': 'true' }, body: 'busy' },
          { status: 400, body: '{"error":{"message":"bad"}}' },
          { headers: { 'content-type': 'application/json' }, json: { ok: true } },
        ],
      });
      const raw = await post(s);
      expect(Buffer.from(await raw.body.arrayBuffer())).toEqual(Buffer.from(bytes));

      const busy = await post(s);
      expect(busy.statusCode).toBe(503);
      expect(busy.headers['retry-after']).toBe('1.5');
      expect(busy.headers['retry-after-ms']).toBe('1500');
      expect(busy.headers['x-should-retry']).toBe('true');
      expect(busy.headers['content-type']).toBe('text/plain; charset=utf-8');
      expect(await busy.body.text()).toBe('busy');

      const bad = await post(s);
      expect(bad.headers['content-type']).toBe('application/json');
      expect(await bad.body.json()).toEqual({ error: { message: 'bad' } });

      const json = await post(s);
      expect(json.headers['content-type']).toBe('application/json');
      expect(await json.body.json()).toEqual({ ok: true });
    });
  });

  describe('pacing', () => {
    it('chunkSize splits the body into writes that arrive as several reads', async () => {
      const body = 'data: 0123456789abcdefghijklmnopqrstuvwxyz\n\n'; // 44 bytes
      const s = await start({ replies: [{ body, chunkSize: 11, chunkDelayMs: 15 }] });
      const res = await post(s);
      const { chunks, error } = await readChunks(res.body);
      expect(error).toBeUndefined();
      expect(Buffer.concat(chunks).toString()).toBe(body);
      expect(chunks.length).toBeGreaterThan(1);
      // Reads never straddle a scripted chunk boundary.
      for (const c of chunks) expect(c.length % 11).toBe(0);
      expect(await s.responseOutcome(0)).toEqual({ kind: 'finished', bytesWritten: 44 });
    });

    it('chunkSize without delay still delivers the whole body intact', async () => {
      const body = 'é'.repeat(500);
      const s = await start({ replies: [{ body, chunkSize: 3 }] });
      expect(await (await post(s)).body.text()).toBe(body);
    });

    it('a large body in small chunks survives backpressure from a slow reader', async () => {
      const body = Buffer.alloc(2 << 20);
      for (let i = 0; i < body.length; i++) body[i] = i % 251;
      const s = await start({ replies: [{ body, chunkSize: 16 << 10 }] });
      const res = await post(s);
      await new Promise((r) => setTimeout(r, 50)); // let the socket buffers fill up
      expect(Buffer.from(await res.body.arrayBuffer()).equals(body)).toBe(true);
      expect(await s.responseOutcome(0)).toEqual({ kind: 'finished', bytesWritten: body.length });
    });

    it('chunkDelayMs paces the chunks', async () => {
      const s = await start({ replies: [{ body: 'abcd', chunkSize: 1, chunkDelayMs: 25 }] });
      const t0 = performance.now();
      const res = await post(s);
      await res.body.text();
      // Three gaps of 25 ms (a little slack for timer rounding).
      expect(performance.now() - t0).toBeGreaterThanOrEqual(70);
    });

    it('headersDelayMs holds back the status line and headers', async () => {
      const s = await start({ replies: [{ headersDelayMs: 80, body: 'late' }] });
      const t0 = performance.now();
      const pending = post(s);
      await s.waitForRequests(1);
      const res = await pending;
      expect(performance.now() - t0).toBeGreaterThanOrEqual(75);
      expect(await res.body.text()).toBe('late');
    });

    it('a client that gives up during headersDelayMs gets nothing and the server sees it leave', async () => {
      const s = await start({ replies: [{ headersDelayMs: 10_000, body: 'never' }] });
      const ac = new AbortController();
      const pending = post(s, {}, ac.signal);
      await s.waitForRequests(1);
      ac.abort();
      await expect(pending).rejects.toThrow();
      // The outcome arrives long before the 10 s delay: the timer was cancelled with the request.
      expect(await s.responseOutcome(0, { timeoutMs: 2000 })).toEqual({ kind: 'client-closed', bytesWritten: 0 });
      await s.waitForOpenConnections(0);
    });
  });

  describe('failures', () => {
    const body = 'event: a\ndata: {"type":"a","text":"0123456789012345678901234567890123456789"}\n\n';

    it('cutAfterBytes destroys the connection mid-body: the client gets those bytes, then an error', async () => {
      const s = await start({ replies: [{ body, cutAfterBytes: 30, chunkSize: 10 }] });
      const res = await post(s);
      expect(res.statusCode).toBe(200);
      const { chunks, error } = await readChunks(res.body);
      expect(error).toBeInstanceOf(Error);
      expect(Buffer.concat(chunks).toString()).toBe(body.slice(0, 30));
      expect(await s.responseOutcome(0)).toEqual({ kind: 'cut', bytesWritten: 30 });
      await s.waitForOpenConnections(0);
    });

    it('cutAfterBytes covering the whole body still never ends the response (global fetch)', async () => {
      const s = await start({ replies: [{ body, cutAfterBytes: 10_000 }] });
      const res = await fetch(s.responsesUrl, { method: 'POST', body: '{}' });
      expect(res.status).toBe(200);
      await expect(res.text()).rejects.toThrow();
      expect(await s.responseOutcome(0)).toEqual({ kind: 'cut', bytesWritten: Buffer.byteLength(body) });
    });

    it('cutAfterBytes: 0 sends the headers and no body before the cut', async () => {
      const s = await start({ replies: [{ body, cutAfterBytes: 0 }] });
      const res = await post(s);
      expect(res.statusCode).toBe(200);
      const { chunks, error } = await readChunks(res.body);
      expect(error).toBeInstanceOf(Error);
      expect(Buffer.concat(chunks).length).toBe(0);
    });

    it('dropConnection resets the connection before any response', async () => {
      const s = await start({ replies: [{ dropConnection: true }, { body: 'after' }] });
      await expect(post(s)).rejects.toThrow();
      expect(await s.responseOutcome(0)).toEqual({ kind: 'dropped', bytesWritten: 0 });
      // The server is still healthy for the next request.
      expect(await (await post(s)).body.text()).toBe('after');
      expect(s.requests).toHaveLength(2);
    });

    it('stall keeps the socket open after its bytes until the client aborts; then the server sees the close', async () => {
      const s = await start({ replies: [{ body, stall: { afterBytes: 12 } }] });
      const ac = new AbortController();
      const res = await post(s, {}, ac.signal);
      const reader = res.body[Symbol.asyncIterator]();
      const first = await reader.next();
      expect(Buffer.from(first.value as Uint8Array).toString()).toBe(body.slice(0, 12));
      const next = reader.next(); // pending: the server neither writes nor ends
      let outcome: unknown;
      void s.responseOutcome(0).then((o) => (outcome = o));
      await new Promise((r) => setTimeout(r, 50));
      expect(outcome).toBeUndefined();
      expect(s.openConnections()).toBe(1);

      const closed = s.onceConnectionClosed();
      ac.abort();
      await expect(next).rejects.toThrow();
      await closed;
      expect(s.openConnections()).toBe(0);
      expect(await s.responseOutcome(0)).toEqual({ kind: 'client-closed', bytesWritten: 12 });
    });

    it('stall: true sends the whole body and never ends it', async () => {
      const s = await start({ replies: [{ body, stall: true }] });
      const ac = new AbortController();
      const res = await post(s, {}, ac.signal);
      let received = '';
      const reading = (async () => {
        for await (const chunk of res.body) received += Buffer.from(chunk).toString();
      })();
      while (received.length < body.length) await new Promise((r) => setTimeout(r, 5));
      expect(received).toBe(body);
      ac.abort();
      await expect(reading).rejects.toThrow();
      expect(await s.responseOutcome(0)).toEqual({ kind: 'client-closed', bytesWritten: Buffer.byteLength(body) });
    });
  });

  describe('recording', () => {
    it('records method, url, path, lower-cased headers, body text and parsed JSON', async () => {
      const s = await start({ replies: [{ body: 'ok' }, { body: 'ok' }] });
      const token = fakeAccessToken('acc_rec');
      const payload = { model: 'gpt-5.5', input: [{ type: 'message', role: 'user', content: 'héllo' }] };
      await (
        await request(`${s.responsesUrl}?trace=1`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}`, 'OpenAI-Beta': 'responses=experimental' },
          body: JSON.stringify(payload),
        })
      ).body.text();
      await (await request(s.responsesUrl, { method: 'POST', body: 'not json' })).body.text();

      const requests = await s.waitForRequests(2);
      const [first, second] = [at(requests, 0), at(requests, 1)];
      expect(first).toMatchObject({
        index: 0,
        method: 'POST',
        url: '/backend-api/codex/responses?trace=1',
        path: '/backend-api/codex/responses',
        body: JSON.stringify(payload),
        json: payload,
      });
      expect(first.headers).toMatchObject({
        'content-type': 'application/json',
        authorization: `Bearer ${token}`,
        'openai-beta': 'responses=experimental',
        host: `127.0.0.1:${s.port}`,
      });
      for (const name of Object.keys(first.headers)) expect(name).toBe(name.toLowerCase());
      expect(second).toMatchObject({ index: 1, body: 'not json', json: undefined });
    });

    it('answers other paths with 404 and other methods with 405, recording them without using the script', async () => {
      const s = await start({ replies: [{ body: 'kept' }] });
      const wrong = await request(`${s.url}/codex/responses`, { method: 'POST', body: '{}' });
      expect(wrong.statusCode).toBe(404);
      expect(await wrong.body.text()).toContain('the client should POST to /backend-api/codex/responses');
      const get = await request(s.responsesUrl);
      expect(get.statusCode).toBe(405);
      await get.body.text();
      expect(s.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /codex/responses', 'GET /backend-api/codex/responses']);
      expect(s.pendingReplies).toBe(1);
      expect(await (await post(s)).body.text()).toBe('kept');
    });

    it('honours basePath', async () => {
      const s = await start({ basePath: '/api/', replies: [{ body: 'ok' }] });
      expect(s.baseUrl).toBe(`${s.url}/api`);
      expect(await (await request(`${s.url}/api/codex/responses`, { method: 'POST' })).body.text()).toBe('ok');
    });

    it('waitForRequests resolves once enough requests arrived and rejects clearly on timeout', async () => {
      const s = await start({ replies: [{ body: 'a' }, { body: 'b' }] });
      const both = s.waitForRequests(2);
      await (await post(s, { n: 1 })).body.text();
      await (await post(s, { n: 2 })).body.text();
      expect((await both).map((r) => r.json)).toEqual([{ n: 1 }, { n: 2 }]);
      await expect(s.waitForRequests(3, { timeoutMs: 20 })).rejects.toThrow(/waiting for 3 request\(s\); 2 arrived/);
    });

    it('serves 100 concurrent requests, each reply played exactly once', async () => {
      const n = 100;
      const s = await start({
        replies: Array.from({ length: 50 }, (_, i) => ({ body: `script ${i}` })),
        handler: (req) => ({ events: [{ type: 'echo', n: (req.json as { n: number }).n }], chunkSize: 16 }),
      });
      const texts = await Promise.all(
        Array.from({ length: n }, async (_, i) => {
          const res = await fetch(s.responsesUrl, { method: 'POST', body: JSON.stringify({ n: i }) });
          return res.text();
        }),
      );
      expect(s.requests).toHaveLength(n);
      expect(new Set(s.requests.map((r) => (r.json as { n: number }).n)).size).toBe(n);
      const scripted = texts.filter((t) => t.startsWith('script ')).sort();
      expect(scripted).toEqual(Array.from({ length: 50 }, (_, i) => `script ${i}`).sort());
      const echoed = texts.filter((t) => t.startsWith('event: echo'));
      expect(echoed).toHaveLength(50);
      // Each echoed reply answers its own request (the handler saw the right body).
      for (const t of echoed) expect(t).toMatch(/^event: echo\ndata: \{"type":"echo","n":\d+\}\n\n$/);
    });
  });

  describe('connections and close()', () => {
    it('counts open and total connections, and sees each close', async () => {
      // Raw sockets: the count must not depend on a client's pooling.
      const s = await start({ replies: [{ stall: true }, { stall: true }] });
      const open = (): Promise<Socket> =>
        new Promise((resolve) => {
          const socket = connect(s.port, '127.0.0.1', () => {
            socket.write(`POST /backend-api/codex/responses HTTP/1.1\r\nhost: x\r\ncontent-length: 2\r\n\r\n{}`);
          });
          socket.once('data', () => resolve(socket)); // the stalled reply's headers
        });
      const a = await open();
      const b = await open();
      expect(s.openConnections()).toBe(2);
      expect(s.totalConnections()).toBe(2);

      const closed = s.onceConnectionClosed();
      a.destroy();
      await closed;
      expect(s.openConnections()).toBe(1);
      b.destroy();
      await s.waitForOpenConnections(0);
      expect(s.totalConnections()).toBe(2);
      expect((await s.responseOutcome(0)).kind).toBe('client-closed');
    });

    it('close() destroys open sockets, fails the client mid-body, rejects pending waits and is idempotent', async () => {
      const s = await start({ replies: [{ body: 'data: partial', stall: true }] });
      const res = await post(s);
      const reading = readChunks(res.body);
      const pendingWait = s.waitForRequests(5);
      expect(s.openConnections()).toBe(1);

      const closing = s.close();
      expect(s.close()).toBe(closing);
      await closing;
      expect(s.openConnections()).toBe(0);
      const { chunks, error } = await reading;
      expect(Buffer.concat(chunks).toString()).toBe('data: partial');
      expect(error).toBeInstanceOf(Error);
      await expect(pendingWait).rejects.toThrow(/closed/);
      expect(await s.responseOutcome(0)).toEqual({ kind: 'server-closed', bytesWritten: 13 });
      await expect(s.waitForRequests(2)).rejects.toThrow(/already closed/);
      await expect(request(s.responsesUrl, { method: 'POST' })).rejects.toThrow();
    });

    it('disposes through Symbol.asyncDispose where the runtime has it, and that calls close()', async () => {
      const s = await start({ replies: [{ stall: true }] });
      const res = await post(s);
      expect(res.statusCode).toBe(200);
      const dispose = (s as unknown as Partial<Record<symbol, () => Promise<void>>>)[Symbol.asyncDispose];
      expect(typeof dispose).toBe('function');
      await dispose?.call(s);
      expect(s.openConnections()).toBe(0);
      await expect(res.body.text()).rejects.toThrow();
    });

    it('on a runtime without Symbol.asyncDispose, has no stray "undefined" method and close() still shuts it down', async () => {
      // Node 20 under some test runners lacks the symbol; a computed `[Symbol.asyncDispose]` member
      // would then be a method named "undefined". Load the module afresh without the symbol.
      const saved = Object.getOwnPropertyDescriptor(Symbol, 'asyncDispose');
      if (saved === undefined) throw new Error('this test expects jest to define Symbol.asyncDispose, so it can remove it');
      delete (Symbol as { asyncDispose?: symbol }).asyncDispose;
      let fresh: typeof import('../../src/testing/index.js') | undefined;
      try {
        jest.isolateModules(() => {
          fresh = require('../../src/testing/index.js') as typeof import('../../src/testing/index.js');
        });
      } finally {
        Object.defineProperty(Symbol, 'asyncDispose', saved);
      }
      if (fresh === undefined) throw new Error('the module did not load');
      const s = await fresh.startMockCodexServer({ replies: [{ stall: true }] });
      server = s;
      expect(Object.getOwnPropertyNames(Object.getPrototypeOf(s))).not.toContain('undefined');
      expect(Object.getOwnPropertySymbols(Object.getPrototypeOf(s))).toEqual([]);
      const res = await post(s);
      await s.close();
      expect(s.openConnections()).toBe(0);
      await expect(res.body.text()).rejects.toThrow();
    });
  });

  describe('validation', () => {
    it.each<[unknown, string]>([
      [{ bogus: 1 }, 'Unexpected MockReply option: bogus'],
      [{ body: 'a', events: [] }, 'MockReply takes one of body, events and json, got body and events'],
      [{ cutAfterBytes: 1, stall: true }, 'MockReply takes one of cutAfterBytes, stall and dropConnection, got cutAfterBytes and stall'],
      [{ frames: ['a'], json: {} }, 'MockReply.frames cannot be combined with json'],
      [{ status: 99 }, 'MockReply.status must be an integer from 200 to 599, got 99'],
      [{ chunkSize: 0 }, 'MockReply.chunkSize must be an integer ≥ 1, got 0'],
      [{ chunkDelayMs: -1 }, 'MockReply.chunkDelayMs must be a number of milliseconds from 0 to 2147483647, got -1'],
      [{ headersDelayMs: Number.NaN }, 'MockReply.headersDelayMs must be a number of milliseconds from 0 to 2147483647, got NaN'],
      [{ cutAfterBytes: 1.5 }, 'MockReply.cutAfterBytes must be an integer ≥ 0, got 1.5'],
      [{ stall: { afterBytes: -1 } }, 'MockReply.stall.afterBytes must be an integer ≥ 0, got -1'],
      [{ stall: 'yes' }, 'MockReply.stall must be a boolean or { afterBytes }'],
      [{ stall: { after: 1 } }, 'Unexpected MockReply.stall option: after'],
      [{ events: [null] }, 'MockReply.events[0] must be an object, got null'],
      [{ events: {} }, 'MockReply.events must be an array of objects'],
      [{ json: undefined, body: 5 }, 'MockReply.body must be a string or a Uint8Array'],
      [{ frames: [1] }, 'MockReply.frames must be an array of strings and Uint8Arrays'],
      [{ headers: [] }, 'MockReply.headers must be an object of header name to value'],
      [{ headers: { 'x-a': {} } }, "MockReply.headers['x-a'] must be a string, a number or an array of strings"],
      [{ endWithoutBlankLine: 1 }, 'MockReply.endWithoutBlankLine must be a boolean, got 1'],
      [{ dropConnection: 'yes' }, 'MockReply.dropConnection must be a boolean, got yes'],
      [{ closeWebSocket: 1 }, 'MockReply.closeWebSocket must be a boolean, got 1'],
      ['ok', 'a MockReply must be an object, got ok'],
    ])('rejects the reply %j with a ConfigError at start that says what to change', async (reply, problem) => {
      await expectConfigRejection(startMockCodexServer({ replies: [reply as never] }), `replies[0]: ${problem}`);
    });

    it.each<[unknown, string]>([
      [{ port: 1 }, 'Unexpected startMockCodexServer option: port'],
      [{ basePath: 'api' }, `basePath must be '' or a path starting with '/', got "api"`],
      [{ replies: {} }, 'replies must be an array of MockReply'],
      [{ handler: 'echo' }, 'handler must be a function'],
      [{ api: 'chat' }, `api must be 'codex' or 'platform', got "chat"`],
      [{ upgradeHeaders: 'x' }, 'upgradeHeaders must be an object of header name to string value'],
      [{ refuseUpgrade: { status: 200 } }, 'refuseUpgrade.status must be an error status (300 to 599), got 200'],
      [5, 'startMockCodexServer options must be an object, got 5'],
    ])('rejects the options %j with a ConfigError that says what to change', async (options, problem) => {
      await expectConfigRejection(startMockCodexServer(options as MockCodexServerOptions), problem);
    });

    it('the waits check their arguments the same way', async () => {
      const s = await start();
      expectConfigProblem(() => s.waitForRequests(-1), 'count must be an integer ≥ 0, got -1');
      expectConfigProblem(() => s.waitForOpenConnections(1.5), 'count must be an integer ≥ 0, got 1.5');
      expectConfigProblem(() => s.responseOutcome(-1), 'index must be an integer ≥ 0, got -1');
      expectConfigProblem(
        () => s.waitForRequests(1, { timeoutMs: -5 }),
        'timeoutMs must be a number of milliseconds from 0 to 2147483647, got -5',
      );
    });

    it('enqueue() validates too', async () => {
      const s = await start();
      expect(() => s.enqueue({ body: 'ok' }, { chunkSize: -2 })).toThrow(ConfigError);
      expect(s.pendingReplies).toBe(0);
    });
  });
});

describe('fakeAccessToken', () => {
  const decode = (part: string): unknown => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));

  it('an account id that is not a string is a ConfigError that says what to pass', () => {
    expectConfigProblem(() => fakeAccessToken(5 as never), 'fakeAccessToken: accountId must be a string, got number');
  });

  it('builds an unsigned JWT carrying chatgpt_account_id, base64url without padding', () => {
    const token = fakeAccessToken('acc_headers');
    const parts = token.split('.');
    expect(parts).toHaveLength(3);
    expect(decode(at(parts, 0))).toEqual({ alg: 'none' });
    expect(decode(at(parts, 1))).toEqual({ 'https://api.openai.com/auth': { chatgpt_account_id: 'acc_headers' } });
    expect(parts[2]).toBe('sig');
    expect(token).not.toMatch(/[=+/]/);
  });

  it('defaults the account id to acc_test and merges extra claims', () => {
    const payload = at(fakeAccessToken(undefined, { exp: 1_700_000_000 }).split('.'), 1);
    expect(decode(payload)).toEqual({ exp: 1_700_000_000, 'https://api.openai.com/auth': { chatgpt_account_id: 'acc_test' } });
  });
});
