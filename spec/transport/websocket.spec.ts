import { readdirSync, readFileSync } from 'node:fs';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { VirtualTimeScheduler, lastValueFrom, tap, toArray, type Subscription } from 'rxjs';
import type { ExecutableTool } from '../../src/agent/types.js';
import { CodexClient } from '../../src/client/CodexClient.js';
import type { CodexClientConfig } from '../../src/client/config.js';
import { CodexHttpError, ConnectionError, IdleTimeoutError, StreamTruncatedError, UsageLimitError } from '../../src/errors.js';
import { assistantMessage, systemMessage, userMessage } from '../../src/messages.js';
import { collectResponse } from '../../src/reduce/collectResponse.js';
import {
  fakeAccessToken,
  scriptedConversation,
  startMockCodexServer,
  type MockCodexServer,
  type MockCodexServerOptions,
} from '../../src/testing/index.js';
import { recordedFixtureToSse, sseTranscript, textTurn, toolCallTurn } from '../../src/testing/transcripts.js';
import { RECORDED_FIXTURES_DIR } from '../helpers/fixtures.js';
import { FAST_RETRY } from '../client/helpers.js';
import type { CodexEvent, Diagnostic, Message } from '../../src/types.js';

const TOKEN = fakeAccessToken('acc_ws');

let server: MockCodexServer | undefined;
const clients: CodexClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await server?.close();
  server = undefined;
});

async function serve(options: MockCodexServerOptions): Promise<MockCodexServer> {
  server = await startMockCodexServer(options);
  return server;
}

function client(extra: CodexClientConfig = {}): CodexClient {
  const c = new CodexClient({ baseUrl: server!.baseUrl, accessToken: TOKEN, retry: FAST_RETRY, transport: 'websocket', ...extra });
  clients.push(c);
  return c;
}

const turn = (c: CodexClient, messages: Message[]) => lastValueFrom(c.stream(messages).pipe(toArray()));
const textOf = (events: CodexEvent[]) => events.flatMap((e) => (e.type === 'text-delta' ? [e.delta] : [])).join('');
const frameOf = (index: number) => JSON.parse(server!.requests[index]!.body) as Record<string, unknown>;

describe('the WebSocket transport', () => {
  it('opens the WebSocket on the endpoint with the HTTP auth and identity headers and the WebSocket beta', async () => {
    await serve({ replies: [{ events: textTurn({ responseId: 'resp_1', text: ['Hi'] }) }] });
    const c = client({ originator: 'my-app' });

    const events = await turn(c, [userMessage('Hello')]);

    expect(textOf(events)).toBe('Hi');
    expect(server!.upgrades).toHaveLength(1);
    const upgrade = server!.upgrades[0]!;
    expect(upgrade.path).toBe('/backend-api/codex/responses');
    expect(upgrade.status).toBe(101);
    expect(upgrade.headers).toMatchObject({
      authorization: `Bearer ${TOKEN}`,
      'chatgpt-account-id': 'acc_ws',
      originator: 'my-app',
      session_id: c.sessionId,
      'openai-beta': 'responses_websockets=2026-02-06',
      upgrade: 'websocket',
    });
    expect(upgrade.headers['user-agent']).toMatch(/^codex-rx\//);
    expect(upgrade.headers).not.toHaveProperty('content-type');
    expect(server!.requests).toHaveLength(1);
    expect(server!.requests[0]!.transport).toBe('websocket');
    expect(frameOf(0)).toMatchObject({ type: 'response.create', model: 'gpt-5.5', stream: true, store: false });
    expect(frameOf(0)).not.toHaveProperty('previous_response_id');
  });

  it('keeps one connection for three turns and sends only the new items, chained to the previous response', async () => {
    await serve({
      replies: [
        { events: textTurn({ responseId: 'resp_1', text: ['One'] }) },
        { events: textTurn({ responseId: 'resp_2', text: ['Two'] }) },
        { events: textTurn({ responseId: 'resp_3', text: ['Three'] }) },
      ],
    });
    const c = client();
    const history: Message[] = [systemMessage('Be brief'), userMessage('First')];

    for (const expected of ['One', 'Two', 'Three']) {
      const result = await lastValueFrom(c.stream(history).pipe(collectResponse()));
      expect(result.text).toBe(expected);
      history.push({ role: 'assistant', content: result.blocks }, userMessage(`after ${expected}`));
    }

    expect(server!.upgrades).toHaveLength(1);
    expect(server!.requests.map((r) => r.connection)).toEqual([0, 0, 0]);
    expect(frameOf(0)).not.toHaveProperty('previous_response_id');
    expect(frameOf(1)).toMatchObject({ previous_response_id: 'resp_1', input: [{ role: 'user', content: [{ text: 'after One' }] }] });
    expect(frameOf(2)).toMatchObject({ previous_response_id: 'resp_2', input: [{ role: 'user', content: [{ text: 'after Two' }] }] });
    expect((frameOf(1).input as unknown[]).length).toBe(1);
    // The mock resolves the chain as the backend does: the whole conversation.
    expect((server!.requests[2]!.json as { input: unknown[] }).input).toHaveLength(5);
  });

  it('chains a tool loop: the replayed tool call compares equal although its item id is new on every request', async () => {
    await serve({
      replies: [
        { events: toolCallTurn({ responseId: 'resp_1', calls: [{ callId: 'call_1', name: 'read', arguments: ['{"path":"a"}'] }] }) },
        { events: textTurn({ responseId: 'resp_2', text: ['Done'] }) },
      ],
    });
    const c = client();
    const history: Message[] = [userMessage('Read a')];
    const first = await lastValueFrom(c.stream(history).pipe(collectResponse()));
    history.push(
      { role: 'assistant', content: first.blocks },
      { role: 'user', content: [{ type: 'tool_result', toolUseId: 'call_1', content: 'A' }] },
    );

    await lastValueFrom(c.stream(history).pipe(collectResponse()));

    expect(frameOf(1)).toMatchObject({ previous_response_id: 'resp_1', input: [{ type: 'function_call_output', call_id: 'call_1' }] });
  });

  it('chains a history rebuilt from copies: items are compared by value, not by identity', async () => {
    await serve({
      replies: [{ events: textTurn({ responseId: 'resp_1', text: ['A'] }) }, { events: textTurn({ responseId: 'resp_2', text: ['B'] }) }],
    });
    const c = client();
    const long = 'x'.repeat(20_000);
    await turn(c, [userMessage(long)]);
    const copied = structuredClone([userMessage(long), assistantMessage('A')]);

    await turn(c, [...copied, userMessage('Two')]);

    expect(frameOf(1)).toMatchObject({ previous_response_id: 'resp_1', input: [{ role: 'user', content: [{ text: 'Two' }] }] });
  });

  it('sends the full request when a non-input field changed, or the history was rewritten', async () => {
    await serve({
      replies: [
        { events: textTurn({ responseId: 'resp_1', text: ['A'] }) },
        { events: textTurn({ responseId: 'resp_2', text: ['B'] }) },
        { events: textTurn({ responseId: 'resp_3', text: ['C'] }) },
      ],
    });
    const c = client();
    await turn(c, [userMessage('One')]);
    // Other instructions: not the same request.
    await turn(c, [systemMessage('New rules'), userMessage('One'), assistantMessage('A'), userMessage('Two')]);
    // Same fields, but the previous answer was edited.
    await turn(c, [
      systemMessage('New rules'),
      userMessage('One'),
      assistantMessage('A'),
      userMessage('Two'),
      assistantMessage('edited'),
      userMessage('3'),
    ]);

    expect(frameOf(1)).not.toHaveProperty('previous_response_id');
    expect((frameOf(1).input as unknown[]).length).toBe(3);
    expect(frameOf(2)).not.toHaveProperty('previous_response_id');
    expect(server!.requests.map((r) => r.connection)).toEqual([0, 0, 0]);
  });
});

describe('the WebSocket transport: errors, closes and retries', () => {
  it('maps a wrapped error frame to the typed error the HTTP status and body give, Retry-After included', async () => {
    await serve({
      replies: [
        { status: 503, json: { error: { message: 'busy', type: 'server_error' } }, headers: { 'retry-after': '120' } },
        { status: 429, json: { error: { type: 'usage_limit_reached', message: 'Limit.', plan_type: 'PLUS', resets_in_seconds: 90 } } },
      ],
    });
    const c = client({ retry: { maxRetries: 0 } });

    const busy = await turn(c, [userMessage('Hi')]).catch((e: unknown) => e);
    const limit = await turn(c, [userMessage('Hi')]).catch((e: unknown) => e);

    expect(busy).toBeInstanceOf(CodexHttpError);
    expect(busy).toMatchObject({ status: 503, message: 'busy', retryAfterMs: 120_000 });
    expect(limit).toBeInstanceOf(UsageLimitError);
    expect(limit).toMatchObject({ status: 429, planType: 'plus', resetsInSeconds: 90 });
    expect(c.takeLastFailure()).toMatchObject({ httpStatus: 429 });
    // The first frame names the wrapped error's headers as the mock sent them.
    expect(server!.requests.every((r) => r.transport === 'websocket')).toBe(true);
  });

  it('retries a wrapped 500 on a new connection with the full request', async () => {
    await serve({
      replies: [{ status: 500, json: { error: { message: 'oops' } } }, { events: textTurn({ responseId: 'resp_1', text: ['ok'] }) }],
    });
    const c = client();

    expect(textOf(await turn(c, [userMessage('Hi')]))).toBe('ok');
    expect(server!.requests.map((r) => r.connection)).toEqual([0, 1]);
    expect(frameOf(1)).not.toHaveProperty('previous_response_id');
  });

  it('a close after the first delta is a StreamTruncatedError, not retried: no text twice', async () => {
    const events = textTurn({ responseId: 'resp_1', text: ['Hel', 'lo'] });
    const sse = sseTranscript(events);
    const firstDelta = sse.indexOf('Hel');
    const cut = sse.indexOf('\n\n', firstDelta) + 2;
    await serve({ replies: [{ events, cutAfterBytes: cut }, { events }] });
    const c = client();
    const seen: CodexEvent[] = [];

    const error = await new Promise((resolve) => c.stream([userMessage('Hi')]).subscribe({ next: (e) => seen.push(e), error: resolve }));

    expect(error).toBeInstanceOf(StreamTruncatedError);
    expect((error as StreamTruncatedError).partial).toMatchObject({ text: 'Hel', responseId: 'resp_1' });
    expect(textOf(seen)).toBe('Hel');
    expect(server!.requests).toHaveLength(1);
    expect(server!.pendingReplies).toBe(1);
  });

  it('a close before the first event is retried on a new connection', async () => {
    await serve({
      replies: [
        { dropConnection: true },
        { cutAfterBytes: 0, events: [{ type: 'response.created', response: { id: 'x' } }] },
        { events: textTurn({ text: ['ok'] }) },
      ],
    });
    const c = client();

    expect(textOf(await turn(c, [userMessage('Hi')]))).toBe('ok');
    expect(server!.requests.map((r) => r.connection)).toEqual([0, 1, 2]);
  });

  it('a binary frame is a StreamTruncatedError', async () => {
    await serve({ replies: [{ frames: [Buffer.from('{"type":"response.created"}')] }] });
    const c = client({ retry: { maxRetries: 0 } });

    const error = await turn(c, [userMessage('Hi')]).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(StreamTruncatedError);
    expect((error as Error).message).toMatch(/binary/);
  });

  it('unsubscribing mid-turn closes that connection, and the next turn opens a new one', async () => {
    const events = textTurn({ responseId: 'resp_1', text: ['a', 'b', 'c'] });
    const sse = sseTranscript(events);
    await serve({ replies: [{ events, stall: { afterBytes: sse.indexOf('\n\n', sse.indexOf('"delta":"a"')) + 2 } }, { events }] });
    const c = client();
    let subscription: Subscription | undefined;
    await new Promise<void>((resolve) => {
      subscription = c.stream([userMessage('Hi')]).subscribe((e) => {
        if (e.type === 'text-delta') resolve();
      });
    });
    await server!.waitForRequests(1);
    subscription!.unsubscribe();

    expect(await server!.responseOutcome(0)).toMatchObject({ kind: 'client-closed' });
    await server!.waitForOpenConnections(0);
    expect(textOf(await turn(c, [userMessage('Hi')]))).toBe('abc');
    expect(server!.requests.map((r) => r.connection)).toEqual([0, 1]);
  });

  it('a concurrent turn opens a second connection, closed after it; the client keeps the first', async () => {
    const slow = (id: string, text: string) => ({ events: textTurn({ responseId: id, text: [text, text] }), chunkDelayMs: 30 });
    await serve({ replies: [slow('resp_1', 'a'), slow('resp_2', 'b'), { events: textTurn({ responseId: 'resp_3', text: ['c'] }) }] });
    const c = client();

    const [a, b] = await Promise.all([turn(c, [userMessage('A')]), turn(c, [userMessage('B')])]);
    await server!.waitForOpenConnections(1);
    await turn(c, [userMessage('A'), assistantMessage('aa'), userMessage('C')]);

    expect([textOf(a), textOf(b)].sort()).toEqual(['aa', 'bb']);
    expect(server!.requests.map((r) => r.connection)).toEqual([0, 1, 0]);
    expect(frameOf(2)).toMatchObject({ previous_response_id: 'resp_1' });
  });

  it('resends the full request once, on the same turn, when the server lost the previous response', async () => {
    await serve({
      replies: [{ events: textTurn({ responseId: 'resp_1', text: ['A'] }) }, { events: textTurn({ responseId: 'resp_2', text: ['B'] }) }],
    });
    const c = client();
    await turn(c, [userMessage('One')]);
    server!.forgetResponses();

    const events = await turn(c, [userMessage('One'), assistantMessage('A'), userMessage('Two')]);

    expect(textOf(events)).toBe('B');
    expect(frameOf(1)).toMatchObject({ previous_response_id: 'resp_1' });
    expect(frameOf(2)).not.toHaveProperty('previous_response_id');
    expect((frameOf(2).input as unknown[]).length).toBe(3);
    expect(server!.requests.map((r) => r.connection)).toEqual([0, 0, 0]);
  });

  it('at the connection limit, and after a close between turns, reconnects and sends the full request', async () => {
    const limit = {
      status: 400,
      json: { error: { type: 'invalid_request_error', code: 'websocket_connection_limit_reached', message: 'Too old.' } },
      closeWebSocket: true,
    };
    await serve({
      replies: [
        { events: textTurn({ responseId: 'resp_1', text: ['A'] }) },
        limit,
        { events: textTurn({ responseId: 'resp_2', text: ['B'] }), closeWebSocket: true },
        { events: textTurn({ responseId: 'resp_3', text: ['C'] }) },
      ],
    });
    const c = client({ retry: { maxRetries: 0 } });
    const history: Message[] = [userMessage('One')];
    await turn(c, history);
    history.push(assistantMessage('A'), userMessage('Two'));

    expect(textOf(await turn(c, history))).toBe('B');
    await server!.waitForOpenConnections(0);
    history.push(assistantMessage('B'), userMessage('Three'));
    expect(textOf(await turn(c, history))).toBe('C');

    expect(server!.requests.map((r) => r.connection)).toEqual([0, 0, 1, 2]);
    expect(frameOf(1)).toHaveProperty('previous_response_id', 'resp_1');
    expect(frameOf(2)).not.toHaveProperty('previous_response_id');
    expect(frameOf(3)).not.toHaveProperty('previous_response_id');
  });
});

describe("the WebSocket transport: 'auto' falls back to HTTP", () => {
  it.each([426, 401])('a handshake refused with %i sends the turn over HTTP, for this client from then on, and says so', async (status) => {
    await serve({
      refuseUpgrade: { status, json: { error: { message: 'no' } } },
      replies: [{ events: textTurn({ text: ['one'] }) }, { events: textTurn({ text: ['two'] }) }],
    });
    const diagnostics: Diagnostic[] = [];
    const c = client({ transport: 'auto', onDiagnostic: (d) => diagnostics.push(d) });

    expect(textOf(await turn(c, [userMessage('Hi')]))).toBe('one');
    expect(textOf(await turn(c, [userMessage('Hi')]))).toBe('two');

    expect(server!.upgrades.map((u) => u.status)).toEqual([status]);
    expect(server!.requests.map((r) => `${r.transport} ${r.method}`)).toEqual(['http POST', 'http POST']);
    expect(diagnostics).toEqual([
      { type: 'transport-fallback', from: 'websocket', to: 'sse', reason: `the WebSocket handshake was refused with HTTP ${status}` },
    ]);
  });

  it('the HTTP path then handles an HTTP 401 as it always does', async () => {
    await serve({ refuseUpgrade: { status: 401 }, replies: [{ status: 401, json: { error: { message: 'Token expired' } } }] });
    const c = client({ transport: 'auto' });

    const error = await turn(c, [userMessage('Hi')]).catch((e: unknown) => e);

    expect(error).toMatchObject({ status: 401 });
    expect(server!.requests.map((r) => r.transport)).toEqual(['http']);
  });

  it("under 'websocket' a refused handshake is the HTTP error of its status and body", async () => {
    await serve({ refuseUpgrade: { status: 403, json: { error: { message: 'Forbidden here' } } } });
    const c = client({ retry: { maxRetries: 0 } });

    const error = await turn(c, [userMessage('Hi')]).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(CodexHttpError);
    expect(error).toMatchObject({ status: 403, message: 'Forbidden here' });
    expect(server!.requests).toHaveLength(0);
  });

  it("a connect error is a ConnectionError under 'websocket' and a fallback under 'auto'", async () => {
    const closed = await startMockCodexServer();
    const baseUrl = closed.baseUrl;
    await closed.close();
    const ws = new CodexClient({ baseUrl, accessToken: TOKEN, transport: 'websocket', retry: { maxRetries: 0 } });
    const diagnostics: Diagnostic[] = [];
    const auto = new CodexClient({ baseUrl, accessToken: TOKEN, retry: { maxRetries: 0 }, onDiagnostic: (d) => diagnostics.push(d) });

    expect(await turn(ws, [userMessage('Hi')]).catch((e: unknown) => e)).toBeInstanceOf(ConnectionError);
    expect(await turn(auto, [userMessage('Hi')]).catch((e: unknown) => e)).toBeInstanceOf(ConnectionError);
    expect(diagnostics[0]).toMatchObject({ type: 'transport-fallback', reason: expect.stringMatching(/ECONNREFUSED/) });
  });
});

describe('the WebSocket transport: prewarm and close', () => {
  it('prewarm() sends the conversation with generate: false and the first turn chains from it', async () => {
    await serve({ replies: [{ events: textTurn({ responseId: 'resp_1', text: ['Hi'] }) }] });
    const c = client();
    const system = systemMessage('Be brief');

    await expect(lastValueFrom(c.prewarm([system]))).resolves.toBeUndefined();
    const events = await turn(c, [system, userMessage('Hello')]);

    expect(textOf(events)).toBe('Hi');
    expect(frameOf(0)).toMatchObject({ type: 'response.create', generate: false, instructions: 'Be brief', input: [] });
    expect(frameOf(1)).toMatchObject({ previous_response_id: expect.stringMatching(/^resp_/), input: [{ role: 'user' }] });
    expect(server!.requests.map((r) => r.connection)).toEqual([0, 0]);
  });

  it("prewarm() over 'sse' sends nothing", async () => {
    await serve({});
    const c = client({ transport: 'sse' });

    await expect(lastValueFrom(c.prewarm())).resolves.toBeUndefined();
    expect(server!.requests).toHaveLength(0);
    expect(server!.totalConnections()).toBe(0);
  });

  it('close() closes the idle connection; a later turn opens a new one', async () => {
    await serve({ replies: [{ events: textTurn({ text: ['a'] }) }, { events: textTurn({ text: ['b'] }) }] });
    const c = client();
    await turn(c, [userMessage('Hi')]);
    expect(server!.openConnections()).toBe(1);

    c.close();
    await server!.waitForOpenConnections(0);
    await turn(c, [userMessage('Hi')]);

    expect(server!.requests.map((r) => r.connection)).toEqual([0, 1]);
  });
});

describe('the WebSocket transport: the same events as HTTP', () => {
  const files = readdirSync(RECORDED_FIXTURES_DIR)
    .filter((f) => f.endsWith('.jsonl'))
    .sort();

  /** The events, or the error (class, code, message, partial), of one turn. */
  async function outcome(c: CodexClient): Promise<unknown> {
    const events: CodexEvent[] = [];
    try {
      await lastValueFrom(
        c.stream([userMessage('Hi')]).pipe(
          tap((e) => events.push(e)),
          toArray(),
        ),
      );
      return { events };
    } catch (error) {
      const e = error as { name: string; code: string; message: string; partial?: unknown };
      return { events, error: { name: e.name, code: e.code, message: e.message, partial: e.partial } };
    }
  }

  it('plays every recorded transcript to the same events, and the same errors, over SSE and over a WebSocket', async () => {
    await serve({});
    const options = { retry: { maxRetries: 0 } };
    const sse = client({ ...options, transport: 'sse' });
    const ws = client(options);
    expect(files.length).toBeGreaterThan(20);
    for (const file of files) {
      const body = recordedFixtureToSse(readFileSync(join(RECORDED_FIXTURES_DIR, file), 'utf8'));
      server!.enqueue({ body }, { body });
      const overSse = await outcome(sse);
      const overWs = await outcome(ws);
      expect({ file, ...(overWs as object) }).toEqual({ file, ...(overSse as object) });
    }
    expect(new Set(server!.requests.map((r) => r.transport))).toEqual(new Set(['http', 'websocket']));
  });
});

describe('the agent loop over a WebSocket', () => {
  const script = () =>
    scriptedConversation([
      {
        reply: { events: toolCallTurn({ responseId: 'resp_1', calls: [{ callId: 'call_1', name: 'add', arguments: ['{"a":1,"b":2}'] }] }) },
      },
      {
        match: (request) =>
          (request.toolOutputs.length === 1 && request.lastUserText === 'Add 1 and 2, then 3') || 'expected the first sum',
        reply: { events: toolCallTurn({ responseId: 'resp_2', calls: [{ callId: 'call_2', name: 'add', arguments: ['{"a":3,"b":3}'] }] }) },
      },
      {
        match: (request) => request.toolOutputs.length === 2 || 'expected both sums',
        reply: (request) => ({ events: textTurn({ responseId: 'resp_3', text: [`It is ${request.toolOutputs[1]!.output}.`] }) }),
      },
    ]);
  const add: ExecutableTool = {
    name: 'add',
    description: 'Adds two numbers',
    parameters: { type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } } },
    execute: (input) => String((input as { a: number; b: number }).a + (input as { a: number; b: number }).b),
  };

  it('runs a scripted tool loop unchanged: one connection, each step chained to the last response', async () => {
    await serve({ handler: script() });
    const c = client();

    const events = await lastValueFrom(c.run([userMessage('Add 1 and 2, then 3')], [add]).pipe(toArray()));
    const finish = events.at(-1);

    expect(finish).toMatchObject({ type: 'finish', reason: 'done', steps: 3, result: { text: 'It is 6.' } });
    expect(server!.requests.map((r) => `${r.transport} ${r.connection}`)).toEqual(['websocket 0', 'websocket 0', 'websocket 0']);
    expect(frameOf(1)).toMatchObject({ previous_response_id: 'resp_1', input: [{ type: 'function_call_output', call_id: 'call_1' }] });
    expect(frameOf(2)).toMatchObject({ previous_response_id: 'resp_2', input: [{ type: 'function_call_output', call_id: 'call_2' }] });

    // The same loop over HTTP ends with the same history.
    await server!.close();
    await serve({ handler: script() });
    const overSse = await lastValueFrom(client({ transport: 'sse' }).run([userMessage('Add 1 and 2, then 3')], [add]));
    expect(overSse).toMatchObject({ type: 'finish', steps: 3 });
    expect((overSse as { messages: Message[] }).messages).toEqual((finish as { messages: Message[] }).messages);
  });
});

describe('the WebSocket transport: timeouts and idle connections', () => {
  it('idleTimeoutMs bounds the wait for each frame', async () => {
    const events = textTurn({ text: ['a'] });
    await serve({ replies: [{ events, stall: { afterBytes: 0 } }] });
    const c = client({ idleTimeoutMs: 100, retry: { maxRetries: 0 } });

    const error = await turn(c, [userMessage('Hi')]).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(IdleTimeoutError);
    expect(error).toMatchObject({ phase: 'body', timeoutMs: 100 });
    // The connection of a failed turn is closed, not kept.
    expect(await server!.responseOutcome(0)).toMatchObject({ kind: 'client-closed' });
  });

  it("headersTimeoutMs bounds the handshake: an IdleTimeoutError under 'websocket', a fallback under 'auto'", async () => {
    // A server that accepts connections and never answers.
    const sockets = new Set<Socket>();
    const silent = createNetServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const baseUrl = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/backend-api`;
    try {
      const ws = new CodexClient({ baseUrl, accessToken: TOKEN, transport: 'websocket', headersTimeoutMs: 100, retry: { maxRetries: 0 } });
      const diagnostics: Diagnostic[] = [];
      const auto = new CodexClient({
        baseUrl,
        accessToken: TOKEN,
        headersTimeoutMs: 100,
        retry: { maxRetries: 0 },
        onDiagnostic: (d) => diagnostics.push(d),
      });

      const error = await turn(ws, [userMessage('Hi')]).catch((e: unknown) => e);
      const fallbackError = await turn(auto, [userMessage('Hi')]).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(IdleTimeoutError);
      expect(error).toMatchObject({ phase: 'headers', timeoutMs: 100 });
      expect(diagnostics).toEqual([
        { type: 'transport-fallback', from: 'websocket', to: 'sse', reason: 'the WebSocket handshake timed out' },
      ]);
      // Then HTTP, which the silent server does not answer either.
      expect(fallbackError).toMatchObject({ phase: 'headers' });
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('closes an idle connection after 5 minutes on the scheduler', async () => {
    await serve({ replies: [{ events: textTurn({ text: ['a'] }) }] });
    const scheduler = new VirtualTimeScheduler();
    const c = client({ scheduler });
    await turn(c, [userMessage('Hi')]);
    expect(server!.openConnections()).toBe(1);

    scheduler.maxFrames = 299_999;
    scheduler.flush();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(server!.openConnections()).toBe(1);
    scheduler.maxFrames = Infinity;
    scheduler.flush();

    await server!.waitForOpenConnections(0);
  });
});

describe('the WebSocket transport: rate limits', () => {
  it("reports the handshake response's rate limits first, in the connection's first turn only", async () => {
    await serve({
      upgradeHeaders: { 'x-codex-primary-used-percent': '12.5', 'x-codex-primary-window-minutes': '300' },
      replies: [{ events: textTurn({ text: ['a'] }) }, { events: textTurn({ text: ['b'] }) }],
    });
    const c = client();

    const first = await turn(c, [userMessage('Hi')]);
    const second = await turn(c, [userMessage('Hi')]);

    expect(first[0]).toEqual({ type: 'rate-limits', rateLimits: { limitId: 'codex', primary: { usedPercent: 12.5, windowMinutes: 300 } } });
    expect(second.some((e) => e.type === 'rate-limits')).toBe(false);
    expect(server!.requests.map((r) => r.connection)).toEqual([0, 0]);
  });
});
