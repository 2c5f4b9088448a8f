import { firstValueFrom, lastValueFrom, take, tap, toArray, type Subscription } from 'rxjs';
import { CodexClient } from '../../src/client/CodexClient.js';
import {
  AuthError,
  CodexHttpError,
  CodexStreamError,
  ConfigError,
  ConnectionError,
  IdleTimeoutError,
  StreamTruncatedError,
  UsageLimitError,
} from '../../src/errors.js';
import { systemMessage, userMessage } from '../../src/messages.js';
import { fakeAccessToken, startMockCodexServer } from '../../src/testing/index.js';
import { sseTranscript, textTurn, toolCallTurn } from '../../src/testing/transcripts.js';
import type { CodexEvent, Diagnostic, Message } from '../../src/types.js';
import { FAST_RETRY, mockServerPerTest } from './helpers.js';
import { at } from '../helpers/at.js';

const TOKEN = fakeAccessToken('acc_client');
const mock = mockServerPerTest();
const serve = mock.serve;

function client(extra: ConstructorParameters<typeof CodexClient>[0] = {}): CodexClient {
  return new CodexClient({ transport: 'sse', baseUrl: mock.server.baseUrl, accessToken: TOKEN, retry: FAST_RETRY, ...extra });
}

const hello = (responseId = 'resp_1') => textTurn({ responseId, text: ['Hel', 'lo'], usage: { inputTokens: 5, outputTokens: 2 } });
const collect = (c: CodexClient, messages: Message[] = [userMessage('Hi')]) => lastValueFrom(c.stream(messages).pipe(toArray()));
const textOf = (events: CodexEvent[]) => events.flatMap((e) => (e.type === 'text-delta' ? [e.delta] : [])).join('');

describe('CodexClient request', () => {
  it('sends the seven headers and the exact body for a system + user + tool history, to a base URL with its trailing slashes removed', async () => {
    await serve({ events: hello() });
    const c = client({ baseUrl: `${mock.server.baseUrl}//`, reasoning: { effort: 'low', summary: 'auto' } });
    const messages: Message[] = [
      systemMessage('Be brief'),
      userMessage('Read the file'),
      { role: 'assistant', content: [{ type: 'tool_use', id: 'call_1', name: 'read_file', input: { path: 'a.txt' } }] },
      { role: 'user', content: [{ type: 'tool_result', toolUseId: 'call_1', content: 'hello' }] },
    ];
    const tools = [
      { name: 'read_file', description: 'Read a file', parameters: { type: 'object', properties: { path: { type: 'string' } } } },
    ];
    await lastValueFrom(c.stream(messages, tools));

    const req = at(mock.server.requests, 0);
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/backend-api/codex/responses');
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.headers.accept).toBe('text/event-stream');
    expect(req.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(req.headers['chatgpt-account-id']).toBe('acc_client');
    expect(req.headers.originator).toBe('pi');
    expect(req.headers['openai-beta']).toBe('responses=experimental');
    expect(req.headers.session_id).toBe(c.sessionId);
    expect(req.headers['user-agent']).toBe(`codex-rx/${require('../../package.json').version}`);

    const body = req.json as Record<string, unknown>;
    const fcId = ((body.input as Array<Record<string, unknown>>)[1] as { id: string }).id;
    expect(fcId).toMatch(/^fc_[0-9a-f]{32}$/);
    expect(req.body).toBe(
      JSON.stringify({
        model: 'gpt-5.5',
        input: [
          { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Read the file' }] },
          { type: 'function_call', id: fcId, call_id: 'call_1', name: 'read_file', arguments: '{"path":"a.txt"}', status: 'completed' },
          { type: 'function_call_output', call_id: 'call_1', output: 'hello', status: 'completed' },
        ],
        instructions: 'Be brief',
        tools: [
          {
            type: 'function',
            name: 'read_file',
            description: 'Read a file',
            // Keys sorted, as serde_json's map serialised them (docs/behaviour.md#request-building).
            parameters: { additionalProperties: false, properties: { path: { type: 'string' } }, type: 'object' },
          },
        ],
        tool_choice: 'auto',
        parallel_tool_calls: false,
        stream: true,
        reasoning: { effort: 'low', summary: 'auto' },
        store: false,
        include: ['reasoning.encrypted_content'],
        prompt_cache_key: c.sessionId,
      }),
    );
  });

  it('one session id per client, reused across calls and used as prompt_cache_key', async () => {
    await serve({ events: hello() }, { events: hello() });
    const c = client();
    await collect(c);
    await collect(c);
    const [a, b] = [at(mock.server.requests, 0), at(mock.server.requests, 1)];
    expect(a.headers.session_id).toBe(b.headers.session_id);
    expect((a.json as { prompt_cache_key: string }).prompt_cache_key).toBe(a.headers.session_id);
    expect(c.sessionId.length).toBeLessThanOrEqual(64);
  });

  it('is cold: nothing is sent until subscription, and each subscription is one request', async () => {
    await serve({ events: hello() }, { events: hello() });
    const c = client();
    const stream$ = c.stream([userMessage('Hi')]);
    await new Promise((r) => setTimeout(r, 20));
    expect(mock.server.requests).toHaveLength(0);
    await lastValueFrom(stream$);
    await lastValueFrom(stream$);
    expect(mock.server.requests).toHaveLength(2);
  });
});

describe('CodexClient streaming', () => {
  it('emits text deltas, usage, blocks and done, and records the response id', async () => {
    await serve({ events: hello('resp_abc'), chunkSize: 7 });
    const c = client();
    const events = await collect(c);
    expect(textOf(events)).toBe('Hello');
    expect(events.at(-1)).toEqual({ type: 'done', responseId: 'resp_abc', status: 'completed' });
    expect(events.find((e) => e.type === 'usage')).toEqual({ type: 'usage', usage: { inputTokens: 5, outputTokens: 2 } });
    expect(c.latestResponseId()).toBe('resp_abc');
    expect(c.takeLastFailure()).toBeUndefined();
  });

  it('streams a tool call and the final tool-calls event', async () => {
    await serve({ events: toolCallTurn({ calls: [{ callId: 'call_9', name: 'ls', arguments: ['{"dir', '":"."}'] }] }) });
    const events = await collect(client());
    expect(events.find((e) => e.type === 'tool-calls')).toEqual({
      type: 'tool-calls',
      toolCalls: [{ id: 'call_9', name: 'ls', input: { dir: '.' }, rawInputJson: '{"dir":"."}' }],
    });
  });

  it('completes at the terminal event without waiting for the body to end', async () => {
    // The server sends the whole turn and then stalls: the stream must still complete.
    await serve({ events: hello(), stall: true });
    const events = await collect(client());
    expect(events.at(-1)?.type).toBe('done');
    await expect(mock.server.responseOutcome(0)).resolves.toMatchObject({ kind: 'client-closed' });
  });
});

describe('CodexClient retry', () => {
  it.each([408, 429, 500, 502, 503, 504])('retries HTTP %i and then succeeds', async (status) => {
    await serve({ status, body: 'busy' }, { events: hello() });
    const events = await collect(client());
    expect(textOf(events)).toBe('Hello');
    expect(mock.server.requests).toHaveLength(2);
  });

  it('gives up after maxRetries with the last error and records the failure', async () => {
    await serve(...Array.from({ length: 4 }, () => ({ status: 503, json: { error: { message: 'overloaded' } } })));
    const c = client({ retry: { ...FAST_RETRY, maxRetries: 3 } });
    const error = await collect(c).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CodexHttpError);
    expect((error as CodexHttpError).message).toBe('overloaded');
    expect((error as CodexHttpError).status).toBe(503);
    expect(mock.server.requests).toHaveLength(4);
    const failure = c.takeLastFailure();
    expect(failure).toMatchObject({
      provider: 'openai-codex',
      model: 'gpt-5.5',
      httpStatus: 503,
      responsePayload: '{"error":{"message":"overloaded"}}',
    });
    expect(JSON.parse(failure!.requestPayload)).toEqual(at(mock.server.requests, 0).json);
    expect(failure!.requestPayload).toContain('\n  "model"');
    expect((error as CodexHttpError).failure).toEqual(failure);
    expect(c.takeLastFailure()).toBeUndefined();
  });

  it("a 400 is not retried and carries the server's error.message", async () => {
    await serve({ status: 400, json: { error: { message: 'Unsupported parameter: temperature', code: 'bad_param' } } });
    const error = await collect(client()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CodexHttpError);
    expect((error as CodexHttpError).message).toBe('Unsupported parameter: temperature');
    expect((error as CodexHttpError).status).toBe(400);
    expect(mock.server.requests).toHaveLength(1);
  });

  it.each([
    ['retry-after-ms', { 'retry-after-ms': '30' }, 30],
    ['Retry-After seconds with decimals', { 'retry-after': '0.04' }, 40],
    ['Retry-After HTTP-date in the past', { 'retry-after': new Date(Date.now() - 5_000).toUTCString() }, 0],
  ])('honours %s without jitter', async (_name, headers, expected) => {
    await serve({ status: 429, headers, body: 'slow down' }, { events: hello() });
    const diagnostics: Diagnostic[] = [];
    const c = client({ retry: { initialBackoffMs: 5_000, jitter: true }, onDiagnostic: (d) => diagnostics.push(d) });
    await collect(c);
    expect(diagnostics).toEqual([expect.objectContaining({ type: 'retry', attempt: 1, delayMs: expected })]);
  });

  it('a server delay above maxRetryAfterMs is not retried and is surfaced as retryAfterMs', async () => {
    await serve({ status: 429, headers: { 'retry-after': '120' }, body: 'slow down' });
    const error = await collect(client({ retry: { ...FAST_RETRY, maxRetryAfterMs: 60_000 } })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CodexHttpError);
    expect((error as CodexHttpError).retryAfterMs).toBe(120_000);
    expect((error as CodexHttpError).message).toBe('slow down');
    expect(mock.server.requests).toHaveLength(1);
  });

  it('x-should-retry: false stops a retryable status, true retries a 400', async () => {
    await serve({ status: 503, headers: { 'x-should-retry': 'false' }, body: 'no' });
    await expect(collect(client())).rejects.toBeInstanceOf(CodexHttpError);
    expect(mock.server.requests).toHaveLength(1);
    await mock.server.close();
    await serve({ status: 400, headers: { 'x-should-retry': 'true' }, body: 'again' }, { events: hello() });
    expect(textOf(await collect(client()))).toBe('Hello');
    expect(mock.server.requests).toHaveLength(2);
  });

  it('an HTTP 429 usage limit is not retried', async () => {
    await serve({
      status: 429,
      json: { error: { type: 'usage_limit_reached', message: 'Quota exhausted', plan_type: 'PLUS', resets_in_seconds: 90 } },
    });
    const error = await collect(client()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageLimitError);
    expect(error).toMatchObject({ status: 429, planType: 'plus', resetsInSeconds: 90 });
    expect((error as Error).message).toBe('You have hit your ChatGPT usage limit (plus). Quota exhausted Try again in ~2 min.');
    expect(mock.server.requests).toHaveLength(1);
  });

  it('an in-stream usage limit is not retried', async () => {
    const events = [
      { type: 'response.created', response: { id: 'resp_1' } },
      { type: 'error', error: { type: 'usage_not_included', message: 'Not in your plan' } },
    ];
    await serve({ events }, { events: hello() });
    await expect(collect(client())).rejects.toBeInstanceOf(UsageLimitError);
    expect(mock.server.requests).toHaveLength(1);
  });

  it('an in-stream error before any event is retried', async () => {
    await serve({ events: [{ type: 'error', message: 'server hiccup' }] }, { events: hello() });
    expect(textOf(await collect(client()))).toBe('Hello');
    expect(mock.server.requests).toHaveLength(2);
  });

  it('a stream error on the last attempt is a CodexStreamError with a captured failure', async () => {
    await serve({ events: [{ type: 'response.failed', response: { id: 'r', error: { message: 'model crashed' } } }] });
    const c = client({ retry: { maxRetries: 0 } });
    const error = await collect(c).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CodexStreamError);
    expect((error as Error).message).toBe('model crashed');
    const failure = c.takeLastFailure();
    expect(failure).toMatchObject({ responsePayload: 'model crashed' });
    expect(failure?.httpStatus).toBeUndefined();
  });

  it('a connection cut after a delta is not retried, so no delta is shown twice', async () => {
    const transcript = sseTranscript(hello());
    const cutAt = transcript.indexOf('"delta":"lo"');
    await serve({ body: transcript, cutAfterBytes: cutAt }, { events: hello() });
    const seen: CodexEvent[] = [];
    const error = await lastValueFrom(
      client()
        .stream([userMessage('Hi')])
        .pipe(tap((e) => seen.push(e))),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StreamTruncatedError);
    expect((error as StreamTruncatedError).partial).toMatchObject({ text: 'Hel' });
    expect(textOf(seen)).toBe('Hel');
    // The spare reply was never asked for: nothing was re-sent, so nothing was shown twice.
    expect(mock.server.requests).toHaveLength(1);
    expect(mock.server.pendingReplies).toBe(1);
  });

  it('a connection cut before any event is retried', async () => {
    const transcript = sseTranscript(hello());
    await serve({ body: transcript, cutAfterBytes: 30 }, { events: hello() });
    const events = await collect(client());
    expect(textOf(events)).toBe('Hello');
    expect(mock.server.requests).toHaveLength(2);
  });

  it('a refused connection is a ConnectionError after the retries', async () => {
    await serve();
    const baseUrl = mock.server.baseUrl;
    await mock.server.close();
    const c = new CodexClient({ transport: 'sse', baseUrl, accessToken: TOKEN, retry: { ...FAST_RETRY, maxRetries: 1 } });
    const error = await collect(c).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as ConnectionError).cause).toMatchObject({ code: 'ECONNREFUSED' });
    expect((error as Error).message).toContain('ECONNREFUSED');
    expect(c.takeLastFailure()?.responsePayload).toContain('ECONNREFUSED');
  });
});

describe('CodexClient timeouts and cancellation', () => {
  it('a stalled body is an IdleTimeoutError', async () => {
    const transcript = sseTranscript(hello());
    await serve({ body: transcript, stall: { afterBytes: 10 } });
    const error = await collect(client({ idleTimeoutMs: 100, retry: { maxRetries: 0 } })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IdleTimeoutError);
    expect(error).toMatchObject({ phase: 'body', timeoutMs: 100 });
    await expect(mock.server.responseOutcome(0)).resolves.toMatchObject({ kind: 'client-closed' });
  });

  it('late headers are an IdleTimeoutError (phase headers), and retried like every timeout', async () => {
    await serve({ headersDelayMs: 500, events: hello() }, { events: hello() });
    const events = await collect(client({ headersTimeoutMs: 100 }));
    expect(textOf(events)).toBe('Hello');
    expect(mock.server.requests).toHaveLength(2);
    await mock.server.close();
    await serve({ headersDelayMs: 500, events: hello() });
    const error = await collect(client({ headersTimeoutMs: 100, retry: { maxRetries: 0 } })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IdleTimeoutError);
    expect(error).toMatchObject({ phase: 'headers', timeoutMs: 100 });
  });

  it('unsubscribing mid-body closes the server socket', async () => {
    await serve({ events: hello(), stall: { afterBytes: 400 } });
    const c = client();
    let subscription: Subscription | undefined;
    const firstDelta = new Promise<CodexEvent>((resolve) => {
      subscription = c.stream([userMessage('Hi')]).subscribe((e) => {
        if (e.type === 'text-delta') resolve(e);
      });
    });
    await mock.server.waitForRequests(1);
    await new Promise((r) => setTimeout(r, 50));
    expect(mock.server.openConnections()).toBe(1);
    const closed = mock.server.onceConnectionClosed();
    subscription!.unsubscribe();
    await closed;
    expect(mock.server.openConnections()).toBe(0);
    await expect(mock.server.responseOutcome(0)).resolves.toMatchObject({ kind: 'client-closed' });
    void firstDelta;
  });

  it('unsubscribing while waiting for headers aborts the request', async () => {
    await serve({ headersDelayMs: 2_000, events: hello() });
    const subscription = client()
      .stream([userMessage('Hi')])
      .subscribe({ error: () => undefined });
    await mock.server.waitForRequests(1);
    expect(mock.server.openConnections()).toBe(1);
    subscription.unsubscribe();
    await mock.server.waitForOpenConnections(0, { timeoutMs: 1_000 });
    await expect(mock.server.responseOutcome(0)).resolves.toMatchObject({ kind: 'client-closed' });
  });

  it('unsubscribing during a backoff wait sends nothing more', async () => {
    await serve({ status: 503, body: 'busy' }, { events: hello() });
    const c = client({ retry: { initialBackoffMs: 300, jitter: false } });
    const subscription = c.stream([userMessage('Hi')]).subscribe({ error: () => undefined });
    await mock.server.waitForRequests(1);
    await new Promise((r) => setTimeout(r, 50));
    subscription.unsubscribe();
    await new Promise((r) => setTimeout(r, 400));
    expect(mock.server.requests).toHaveLength(1);
  });

  it('take(1) cancels the rest of the stream', async () => {
    await serve({ events: hello(), chunkSize: 40, chunkDelayMs: 5 });
    const first = await firstValueFrom(
      client()
        .stream([userMessage('Hi')])
        .pipe(take(1)),
    );
    expect(first.type).toBe('text-delta');
    await expect(mock.server.responseOutcome(0)).resolves.toMatchObject({ kind: 'client-closed' });
  });
});

describe('CodexClient concurrency', () => {
  it('runs 100 concurrent streams on one client', async () => {
    mock.server = await startMockCodexServer({ handler: () => ({ events: hello(), chunkSize: 64 }) });
    const c = client();
    const results = await Promise.all(Array.from({ length: 100 }, (_, i) => collect(c, [userMessage(`n${i}`)])));
    expect(results.map(textOf)).toEqual(Array.from({ length: 100 }, () => 'Hello'));
    expect(mock.server.requests).toHaveLength(100);
  });
});

describe('CodexClient auth and config', () => {
  it('an auth error is neither retried nor recorded, and sends no request', async () => {
    await serve({ events: hello() });
    const c = new CodexClient({ transport: 'sse', baseUrl: mock.server.baseUrl, accessToken: 'not-a-jwt' });
    const error = await collect(c).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect(mock.server.requests).toHaveLength(0);
    expect(c.takeLastFailure()).toBeUndefined();
  });

  it('invalid config throws ConfigError from the constructor', () => {
    expect(() => new CodexClient({ temperature: 3 })).toThrow(ConfigError);
    expect(() => new CodexClient({ retry: { maxRetries: -1 } })).toThrow(ConfigError);
    // @ts-expect-error unknown keys are rejected by the type and at run time
    expect(() => new CodexClient({ modle: 'gpt-5.5' })).toThrow(ConfigError);
  });

  it('the access token never appears in errors or failure captures', async () => {
    await serve({ status: 401, json: { error: { message: `bad token ${TOKEN}` } } }, { status: 400, body: TOKEN });
    const c = client({ retry: { maxRetries: 0 } });
    for (let i = 0; i < 2; i++) {
      const error = await collect(c).catch((e: unknown) => e);
      const failure = c.takeLastFailure()!;
      expect(JSON.stringify(failure)).not.toContain(TOKEN);
      expect(JSON.stringify(error)).not.toContain(TOKEN);
      expect((error as Error).message).not.toContain(TOKEN);
    }
  });
});
