/**
 * How the client fails and what it keeps afterwards: the token never leaks through stream errors
 * or diagnostics, error bodies are read under the idle timeout and a size cap, what the failure
 * capture holds, the per-call response id and capture, and auth refresh driven through the client.
 * (The happy paths and the retry policy are in CodexClient.spec.ts.)
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { lastValueFrom, toArray } from 'rxjs';
import { CodexClient } from '../../src/client/CodexClient.js';
import { AuthError, CodexHttpError, CodexStreamError, UsageLimitError } from '../../src/errors.js';
import { userMessage } from '../../src/messages.js';
import { fakeAccessToken } from '../../src/testing/index.js';
import { textTurn } from '../../src/testing/transcripts.js';
import type { Diagnostic } from '../../src/types.js';
import { accountJwt, startTokenServer, tmpDir, writeJson } from '../auth/helpers.js';
import { FAST_RETRY, mockServerPerTest } from './helpers.js';

const TOKEN = fakeAccessToken('acc_audit');
const mock = mockServerPerTest();
const serve = mock.serve;

const hello = (responseId = 'resp_1') => textTurn({ responseId, text: ['Hel', 'lo'] });
const run = (c: CodexClient) => lastValueFrom(c.stream([userMessage('Hi')]).pipe(toArray()));

function expectNoToken(value: unknown): void {
  const seen = new Set<unknown>();
  const texts: string[] = [];
  for (let e: unknown = value; e && !seen.has(e); e = (e as { cause?: unknown }).cause) {
    seen.add(e);
    texts.push(String((e as Error).message), String((e as Error).stack), JSON.stringify(e));
  }
  for (const text of texts) expect(text).not.toContain(TOKEN);
}

describe('the token never leaks from the stream', () => {
  it.each([
    ['a nested error event', { type: 'error', error: { message: `bad token Bearer ${TOKEN}` } }, CodexStreamError],
    ['a flat error event', { type: 'error', message: `echo ${TOKEN}` }, CodexStreamError],
    ['response.failed', { type: 'response.failed', response: { error: { message: `failed ${TOKEN}` } } }, CodexStreamError],
    ['an in-stream usage limit', { type: 'error', error: { code: 'usage_limit_reached', message: `limit ${TOKEN}` } }, UsageLimitError],
  ])('in %s: not in the error, the retry diagnostic or the capture', async (_name, event, errorClass) => {
    await serve({ events: [event] }, { events: [event] });
    const diagnostics: Diagnostic[] = [];
    const c = new CodexClient({
      transport: 'sse',
      baseUrl: mock.server.baseUrl,
      accessToken: TOKEN,
      retry: { ...FAST_RETRY, maxRetries: 1 },
      onDiagnostic: (d) => diagnostics.push(d),
    });
    const error = await run(c).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(errorClass);
    expect((error as Error).message).toContain('[redacted]');
    expectNoToken(error);
    for (const d of diagnostics) expectNoToken((d as { error?: unknown }).error);
    expect(JSON.stringify(c.takeLastFailure())).not.toContain(TOKEN);
  });

  it('in an unparsable payload reported to onDiagnostic', async () => {
    await serve({ body: `data: {oops ${TOKEN}\n\n`, events: undefined }, { events: hello() });
    mock.server.reset();
    mock.server.enqueue({
      body: `data: {oops ${TOKEN}\n\n` + 'data: ' + JSON.stringify({ type: 'response.completed', response: { id: 'r' } }) + '\n\n',
    });
    const diagnostics: Diagnostic[] = [];
    const c = new CodexClient({
      transport: 'sse',
      baseUrl: mock.server.baseUrl,
      accessToken: TOKEN,
      onDiagnostic: (d) => diagnostics.push(d),
    });
    await run(c);
    expect(diagnostics).toEqual([expect.objectContaining({ type: 'unparsable-json', data: '{oops [redacted]' })]);
    expect(JSON.stringify(diagnostics)).not.toContain(TOKEN);
  });
});

describe('error responses', () => {
  it('a non-2xx body that stalls times out and counts as unreadable (empty), not a hang', async () => {
    await serve({ status: 500, body: 'partial error body', stall: { afterBytes: 5 } });
    const c = new CodexClient({
      transport: 'sse',
      baseUrl: mock.server.baseUrl,
      accessToken: TOKEN,
      idleTimeoutMs: 150,
      retry: { maxRetries: 0 },
    });
    const started = Date.now();
    const error = await run(c).catch((e: unknown) => e);
    // A body that cannot be read is empty, and the status decides: 500 says so.
    expect(error).toBeInstanceOf(CodexHttpError);
    expect(error).toMatchObject({ status: 500, body: '', message: '500 Internal Server Error' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    await expect(mock.server.responseOutcome(0)).resolves.toMatchObject({ kind: 'client-closed' });
  });

  it('an error body is read up to 1 MiB, in many chunks, and cut there', async () => {
    await serve({ status: 400, body: 'x'.repeat(3 << 20), chunkSize: 4096 });
    const c = new CodexClient({ transport: 'sse', baseUrl: mock.server.baseUrl, accessToken: TOKEN });
    const error = await run(c).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CodexHttpError);
    expect((error as CodexHttpError).body).toBe('x'.repeat(1 << 20));
  });

  it('the capture of an HTTP usage limit holds the response body and status', async () => {
    const body = { error: { code: 'usage_limit_reached', message: 'Quota exhausted', plan_type: 'plus' } };
    await serve({ status: 429, json: body });
    const c = new CodexClient({ transport: 'sse', baseUrl: mock.server.baseUrl, accessToken: TOKEN });
    const error = await run(c).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageLimitError);
    expect(c.takeLastFailure()).toMatchObject({ httpStatus: 429, responsePayload: JSON.stringify(body) });
  });

  it('a usage limit without error.message falls back to the body', async () => {
    await serve({ status: 429, json: { error: { code: 'usage_limit_reached' } } });
    const error = await run(new CodexClient({ transport: 'sse', baseUrl: mock.server.baseUrl, accessToken: TOKEN })).catch(
      (e: unknown) => e,
    );
    expect((error as Error).message).toBe('You have hit your ChatGPT usage limit. {"error":{"code":"usage_limit_reached"}}');
  });

  it('the capture of a connection error does not repeat its cause', async () => {
    await serve();
    const baseUrl = mock.server.baseUrl;
    await mock.server.close();
    const c = new CodexClient({ transport: 'sse', baseUrl, accessToken: TOKEN, retry: { maxRetries: 0 } });
    await run(c).catch(() => undefined);
    const payload = c.takeLastFailure()!.responsePayload;
    expect(payload.match(/ECONNREFUSED/g)).toHaveLength(1);
  });
});

describe('per-call state', () => {
  it('a new call clears the previous response id and failure at its start', async () => {
    await serve({ events: hello('resp_first') }, { status: 400, body: 'nope' });
    const c = new CodexClient({ transport: 'sse', baseUrl: mock.server.baseUrl, accessToken: TOKEN });
    await run(c);
    expect(c.latestResponseId()).toBe('resp_first');
    await run(c).catch(() => undefined);
    expect(c.latestResponseId()).toBeUndefined();
    expect(c.takeLastFailure()).toMatchObject({ httpStatus: 400 });
  });

  it('a success after a failure leaves no capture', async () => {
    await serve({ status: 400, body: 'nope' }, { events: hello() });
    const c = new CodexClient({ transport: 'sse', baseUrl: mock.server.baseUrl, accessToken: TOKEN });
    await run(c).catch(() => undefined);
    await run(c);
    expect(c.takeLastFailure()).toBeUndefined();
  });

  it('providerResponseId is none for a failure before any terminal event', async () => {
    await serve({ status: 400, body: 'nope' });
    const c = new CodexClient({ transport: 'sse', baseUrl: mock.server.baseUrl, accessToken: TOKEN });
    await run(c).catch(() => undefined);
    const failure = c.takeLastFailure()!;
    expect(failure.providerResponseId).toBeUndefined();
    expect(failure).toMatchObject({ provider: 'openai-codex', model: 'gpt-5.5' });
  });
});

describe('auth through the client', () => {
  const saved = process.env.OPENAI_CODEX_ACCESS_TOKEN;
  beforeEach(() => {
    delete process.env.OPENAI_CODEX_ACCESS_TOKEN;
  });
  afterEach(() => {
    if (saved !== undefined) process.env.OPENAI_CODEX_ACCESS_TOKEN = saved;
  });

  it('refreshes an expiring auth file through the token endpoint and sends the new token', async () => {
    const fresh = accountJwt('acc_fresh');
    const tokens = await startTokenServer(() => ({ body: { access_token: fresh, refresh_token: 'rt_2', expires_in: 3600 } }));
    try {
      await serve({ events: hello() });
      const dir = await tmpDir();
      const authFile = join(dir, 'auth.json');
      await writeJson(authFile, {
        'openai-codex': { type: 'oauth', access: accountJwt('acc_old'), refresh: 'rt_1', expires: Date.now() - 1, account_id: 'acc_old' },
      });
      const c = new CodexClient({ transport: 'sse', baseUrl: mock.server.baseUrl, authFile, authTokenUrl: tokens.url });
      await run(c);
      expect(tokens.requests).toHaveLength(1);
      expect(tokens.requests[0]!.body).toContain('refresh_token=rt_1');
      expect(mock.server.requests[0]!.headers.authorization).toBe(`Bearer ${fresh}`);
      expect(mock.server.requests[0]!.headers['chatgpt-account-id']).toBe('acc_fresh');
      const stored = JSON.parse(await readFile(authFile, 'utf8'));
      expect(stored['openai-codex']).toMatchObject({ access: fresh, refresh: 'rt_2' });
      expect((await stat(authFile)).mode & 0o777).toBe(0o600);
    } finally {
      await tokens.close();
    }
  });

  it('a failing refresh is an AuthError, not retried, without tokens, and sends no request', async () => {
    const tokens = await startTokenServer(() => ({ status: 400, body: { error: 'invalid_grant', refresh_token: 'rt_secret' } }));
    try {
      await serve({ events: hello() });
      const dir = await tmpDir();
      const authFile = join(dir, 'auth.json');
      const access = accountJwt('acc_old');
      await writeJson(authFile, { 'openai-codex': { type: 'oauth', access, refresh: 'rt_secret', expires: 0, account_id: 'a' } });
      const c = new CodexClient({ transport: 'sse', baseUrl: mock.server.baseUrl, authFile, authTokenUrl: tokens.url });
      const error = await run(c).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AuthError);
      expect(JSON.stringify(error) + (error as Error).message).not.toMatch(/rt_secret|eyJ/);
      expect(tokens.requests).toHaveLength(1);
      expect(mock.server.requests).toHaveLength(0);
      expect(c.takeLastFailure()).toBeUndefined();
    } finally {
      await tokens.close();
    }
  });

  it('unsubscribing while the refresh is in flight sends no request', async () => {
    const tokens = await startTokenServer(() => ({ body: { access_token: accountJwt('acc_x'), expires_in: 60 }, delayMs: 200 }));
    try {
      await serve({ events: hello() });
      const dir = await tmpDir();
      const authFile = join(dir, 'auth.json');
      await writeJson(authFile, { 'openai-codex': { type: 'oauth', access: accountJwt('a'), refresh: 'rt', expires: 0, account_id: 'a' } });
      const c = new CodexClient({ transport: 'sse', baseUrl: mock.server.baseUrl, authFile, authTokenUrl: tokens.url });
      const events: unknown[] = [];
      const subscription = c.stream([userMessage('Hi')]).subscribe({ next: (e) => events.push(e), error: (e) => events.push(e) });
      await new Promise((r) => setTimeout(r, 50));
      subscription.unsubscribe();
      await new Promise((r) => setTimeout(r, 400));
      expect(mock.server.requests).toHaveLength(0);
      expect(events).toEqual([]);
    } finally {
      await tokens.close();
    }
  });
});
