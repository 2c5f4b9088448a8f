/**
 * What a server does to an echoed token (cuts it, JSON-escapes it, percent-encodes it) does not
 * get it past the client: not into the error's message, stack or body, nor the failure capture.
 */
import { lastValueFrom, toArray } from 'rxjs';
import { CodexClient } from '../../src/client/CodexClient.js';
import { AuthError, CodexHttpError, CodexStreamError } from '../../src/errors.js';
import { userMessage } from '../../src/messages.js';
import { fakeAccessToken } from '../../src/testing/index.js';
import { mockServerPerTest } from '../client/helpers.js';

const TOKEN = fakeAccessToken('acc_redact');
const mock = mockServerPerTest();

const escaped = (s: string) => [...s].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');

/** Every 16-character slice of the token: none may survive anywhere. */
function expectNoTokenRun(texts: string[]): void {
  // Checked as written and with the escapes undone: an escaped token is still the token.
  const joined = texts.join('\n');
  const all = `${joined}\n${joined.replace(/\\+u([0-9a-fA-F]{4})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))).replace(/%([0-9a-fA-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)))}`;
  for (let i = 0; i + 16 <= TOKEN.length; i += 8) expect(all).not.toContain(TOKEN.slice(i, i + 16));
}

async function failureOf(reply: Parameters<typeof mock.serve>[0]) {
  await mock.serve(reply);
  const client = new CodexClient({ baseUrl: mock.server.baseUrl, accessToken: TOKEN, retry: { maxRetries: 0 } });
  const error = (await lastValueFrom(client.stream([userMessage('Hi')]).pipe(toArray())).catch((e: unknown) => e)) as Error;
  return { error, failure: client.takeLastFailure() };
}

describe('echoed tokens in error responses', () => {
  it.each([
    ['a 60-character prefix', `{"error":{"message":"invalid token ${TOKEN.slice(0, 60)}..."}}`],
    ['a JSON-escaped token', `{"error":{"message":"invalid token ${escaped(TOKEN)}"}}`],
    [
      'a percent-encoded slice',
      `{"error":{"message":"bad /x?t=${encodeURIComponent(TOKEN.slice(10, 80)).replace(/[A-Za-z]/g, (c) => '%' + c.charCodeAt(0).toString(16))}"}}`,
    ],
  ])('a 403 body with %s', async (_name, body) => {
    const { error, failure } = await failureOf({ status: 403, body, headers: { 'content-type': 'application/json' } });
    expect(error).toBeInstanceOf(CodexHttpError);
    expect(error.message).toContain('[redacted]');
    expectNoTokenRun([error.message, String(error.stack), (error as CodexHttpError).body, JSON.stringify(error), JSON.stringify(failure)]);
  });

  it('a 401 that echoes a truncated token ends as an AuthError with no token run in it or the failure capture', async () => {
    const body = `{"error":{"message":"invalid token ${TOKEN.slice(0, 60)}..."}}`;
    const { error, failure } = await failureOf({ status: 401, body, headers: { 'content-type': 'application/json' } });
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).status).toBe(401);
    expectNoTokenRun([error.message, String(error.stack), JSON.stringify(error), JSON.stringify(failure)]);
  });

  it('an in-stream error event quoting a truncated token', async () => {
    const { error, failure } = await failureOf({ events: [{ type: 'error', error: { message: `token ${TOKEN.slice(0, 60)}` } }] });
    expect(error).toBeInstanceOf(CodexStreamError);
    expect(error.message).toContain('[redacted]');
    expectNoTokenRun([error.message, String(error.stack), JSON.stringify(error), JSON.stringify(failure)]);
  });
});
