import { lastValueFrom, toArray } from 'rxjs';
import { resolveCodexAuth } from '../../src/auth/index.js';
import { CodexClient } from '../../src/client/CodexClient.js';
import { resolveClientConfig, type CodexClientConfig } from '../../src/client/config.js';
import { AuthError, CodexHttpError, ConfigError, UsageLimitError } from '../../src/errors.js';
import { z } from 'zod';
import { defineTool } from '../../src/agent/defineTool.js';
import { userMessage } from '../../src/messages.js';
import { scriptedConversation } from '../../src/testing/mock/conversation.js';
import {
  fakeAccessToken,
  startMockCodexServer,
  textTurn,
  toolCallTurn,
  type MockCodexServer,
  type MockReply,
} from '../../src/testing/index.js';
import type { Diagnostic } from '../../src/types.js';
import { exposedText } from '../auth/helpers.js';
import { expectProblemAndFix } from '../helpers/configMessage.js';
import { FAST_RETRY } from './helpers.js';

const KEY = 'sk-proj-test0123456789abcdefghijklmnopqrstuvwxyzABCD';
const ENV_NAMES = ['OPENAI_API_KEY', 'OPENAI_ORG_ID', 'OPENAI_PROJECT_ID', 'OPENAI_CODEX_ACCESS_TOKEN'] as const;

/** The ConfigError `fn` throws, with the class asserted. */
function configErrorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).code).toBe('ERR_CODEX_CONFIG');
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError, nothing was thrown');
}

async function failureOf(observable: Parameters<typeof lastValueFrom>[0]): Promise<unknown> {
  return lastValueFrom(observable).then(
    () => {
      throw new Error('expected the stream to fail');
    },
    (error: unknown) => error,
  );
}

describe('API-key mode: which API and credentials a config selects', () => {
  it('an apiKey selects the platform API and its base URL; nothing selects the ChatGPT backend', () => {
    expect(resolveClientConfig({ apiKey: KEY }, {})).toMatchObject({ auth: 'api-key', apiKey: KEY, baseUrl: 'https://api.openai.com/v1' });
    expect(resolveClientConfig({}, { OPENAI_API_KEY: KEY })).toMatchObject({ auth: 'chatgpt', baseUrl: 'https://chatgpt.com/backend-api' });
    expect(resolveClientConfig({}, { OPENAI_API_KEY: KEY }).apiKey).toBeUndefined();
    expect(resolveClientConfig({ apiKey: KEY, baseUrl: 'http://127.0.0.1:9/v1' }, {}).baseUrl).toBe('http://127.0.0.1:9/v1');
  });

  it("auth: 'api-key' reads OPENAI_API_KEY, and OPENAI_ORG_ID / OPENAI_PROJECT_ID unless given; values are trimmed", () => {
    const env = { OPENAI_API_KEY: ` ${KEY}\n`, OPENAI_ORG_ID: 'org-env', OPENAI_PROJECT_ID: ' proj_env ' };
    expect(resolveClientConfig({ auth: 'api-key' }, env)).toMatchObject({
      auth: 'api-key',
      apiKey: KEY,
      organization: 'org-env',
      project: 'proj_env',
    });
    expect(resolveClientConfig({ apiKey: 'sk-given', organization: 'org-given', project: 'proj_given' }, env)).toMatchObject({
      apiKey: 'sk-given',
      organization: 'org-given',
      project: 'proj_given',
    });
    const none = resolveClientConfig({ apiKey: KEY }, {});
    expect(none.organization).toBeUndefined();
    expect(none.project).toBeUndefined();
  });

  it('a blank apiKey still selects API-key mode and falls back to OPENAI_API_KEY', () => {
    expect(resolveClientConfig({ apiKey: '  ' }, { OPENAI_API_KEY: KEY })).toMatchObject({ auth: 'api-key', apiKey: KEY });
  });

  const conflicts: [string, CodexClientConfig, NodeJS.ProcessEnv, string][] = [
    [
      'an API key with a ChatGPT access token',
      { apiKey: KEY, accessToken: 'eyJ.chatgpt.token' },
      {},
      'apiKey and accessToken cannot be used together: accessToken is a ChatGPT sign-in',
    ],
    [
      "auth: 'api-key' with a ChatGPT access token",
      { auth: 'api-key', accessToken: 'eyJ.chatgpt.token' },
      { OPENAI_API_KEY: KEY },
      "auth 'api-key' and accessToken cannot be used together: accessToken is a ChatGPT sign-in",
    ],
    [
      'an API key with an auth file',
      { apiKey: KEY, authFile: '/tmp/auth.json' },
      {},
      'apiKey and authFile cannot be used together: authFile holds a ChatGPT sign-in',
    ],
    ["an API key with auth: 'chatgpt'", { apiKey: KEY, auth: 'chatgpt' }, {}, "apiKey cannot be used with auth 'chatgpt'"],
    [
      'an organization without an API key',
      { organization: 'org-1' },
      { OPENAI_API_KEY: KEY },
      'organization is sent only with an API key, and this client uses a ChatGPT sign-in',
    ],
    [
      "auth: 'api-key' with no key anywhere",
      { auth: 'api-key' },
      { OPENAI_API_KEY: '  ' },
      "auth 'api-key' needs an API key, and neither apiKey nor OPENAI_API_KEY is set",
    ],
    ['a blank apiKey with no OPENAI_API_KEY', { apiKey: '' }, {}, 'apiKey is blank, and OPENAI_API_KEY is not set either'],
    [
      'a key that cannot be sent in a header',
      { apiKey: `${KEY}\nx-injected: 1` },
      {},
      'apiKey contains a character that cannot be sent in a header (a line break, a control or non-ASCII character)',
    ],
    [
      'an OPENAI_API_KEY that cannot be sent in a header',
      { auth: 'api-key' },
      { OPENAI_API_KEY: `${KEY}\u0000` },
      'OPENAI_API_KEY contains a character that cannot be sent in a header (a line break, a control or non-ASCII character)',
    ],
    [
      'an organization that cannot be sent in a header',
      { apiKey: KEY, organization: 'org-1\r\n' },
      {},
      'organization contains a character that cannot be sent in a header',
    ],
  ];

  it.each(conflicts)('refuses %s with a ConfigError that says what to change and never shows the key', (_, config, env, problem) => {
    const error = configErrorOf(() => resolveClientConfig(config, env));
    expectProblemAndFix(error.message, problem);
    expect(exposedText(error)).not.toContain(KEY.slice(0, 16));
  });

  it('refuses a key of the wrong type by its kind, never its value', () => {
    // @ts-expect-error the key must be a string
    const error = configErrorOf(() => resolveClientConfig({ apiKey: { key: KEY } }, {}));
    expectProblemAndFix(error.message, 'apiKey must be a string, got an object');
    expect(exposedText(error)).not.toContain(KEY.slice(0, 16));
  });

  it('refuses an unknown auth mode, naming the known ones', () => {
    // @ts-expect-error not a mode
    const error = configErrorOf(() => resolveClientConfig({ auth: 'oauth' }, {}));
    expectProblemAndFix(error.message, 'auth must be one of chatgpt, api-key, got "oauth"');
  });

  it('a ChatGPT client without credentials says how to use an OPENAI_API_KEY that is set, without showing it', async () => {
    const env = { OPENAI_API_KEY: KEY, HOME: '/nonexistent-home-for-tests', CODEX_HOME: '/nonexistent-home-for-tests/.codex' };
    const error = await resolveCodexAuth({ env }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).message).toContain("Or, to use the OPENAI_API_KEY that is set, pass auth: 'api-key'");
    expect(exposedText(error)).not.toContain(KEY.slice(0, 16));
    const without = await resolveCodexAuth({ env: { HOME: env.HOME, CODEX_HOME: env.CODEX_HOME } }).catch((e: unknown) => e);
    expect((without as AuthError).message).not.toContain('OPENAI_API_KEY');
  });

  it('the constructor checks the same, reading process.env', () => {
    const saved = process.env.OPENAI_API_KEY;
    delete process.env.OPENAI_API_KEY;
    try {
      expect(() => new CodexClient({ auth: 'api-key' })).toThrow(ConfigError);
    } finally {
      if (saved !== undefined) process.env.OPENAI_API_KEY = saved;
    }
  });
});

describe('API-key mode against the mock platform API', () => {
  let server: MockCodexServer | undefined;
  const saved: Record<string, string | undefined> = {};

  beforeEach(() => {
    for (const name of ENV_NAMES) {
      saved[name] = process.env[name];
      delete process.env[name];
    }
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
    for (const name of ENV_NAMES) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  });

  async function platform(...replies: MockReply[]): Promise<MockCodexServer> {
    server = await startMockCodexServer({ api: 'platform', replies });
    return server;
  }

  it('posts to {baseUrl}/responses with the key as bearer, organization and project, no ChatGPT headers, and max_output_tokens', async () => {
    const mock = await platform({ events: textTurn({ text: ['hi'] }) });
    expect(mock.baseUrl).toBe(`${mock.url}/v1`);
    const client = new CodexClient({
      apiKey: KEY,
      baseUrl: mock.baseUrl,
      transport: 'sse',
      maxOutputTokens: 256,
      organization: 'org-1',
      project: 'proj_1',
      headers: { 'x-trace': 't1' },
    });
    const events = await lastValueFrom(client.stream([userMessage('Hi')]).pipe(toArray()));
    expect(events.at(-1)?.type).toBe('done');

    expect(mock.requests).toHaveLength(1);
    const request = mock.requests[0]!;
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/v1/responses');
    expect(request.headers).toMatchObject({
      authorization: `Bearer ${KEY}`,
      'openai-organization': 'org-1',
      'openai-project': 'proj_1',
      'content-type': 'application/json',
      accept: 'text/event-stream',
      'x-trace': 't1',
    });
    expect(request.headers['user-agent']).toMatch(/^codex-rx\//);
    for (const chatgptOnly of ['chatgpt-account-id', 'originator', 'openai-beta', 'session_id']) {
      expect(request.headers[chatgptOnly]).toBeUndefined();
    }
    expect(request.json).toMatchObject({ model: 'gpt-5.5', stream: true, store: false, max_output_tokens: 256 });
  });

  it("auth: 'api-key' sends OPENAI_API_KEY, with OPENAI_ORG_ID and OPENAI_PROJECT_ID, and no max_output_tokens unless set", async () => {
    process.env.OPENAI_API_KEY = KEY;
    process.env.OPENAI_ORG_ID = 'org-env';
    process.env.OPENAI_PROJECT_ID = 'proj_env';
    // A ChatGPT token in the env is not used (nor a conflict): the mode says which credentials.
    process.env.OPENAI_CODEX_ACCESS_TOKEN = 'eyJ.not.used';
    const mock = await platform({ events: textTurn({ text: ['hi'] }) });
    await lastValueFrom(new CodexClient({ auth: 'api-key', baseUrl: mock.baseUrl, transport: 'sse' }).stream([userMessage('Hi')]));
    const request = mock.requests[0]!;
    expect(request.headers).toMatchObject({
      authorization: `Bearer ${KEY}`,
      'openai-organization': 'org-env',
      'openai-project': 'proj_env',
    });
    expect(request.json).not.toHaveProperty('max_output_tokens');
  });

  it('never sends max_output_tokens to the ChatGPT backend', async () => {
    server = await startMockCodexServer({ replies: [{ events: textTurn({ text: ['hi'] }) }] });
    const client = new CodexClient({
      baseUrl: server.baseUrl,
      accessToken: fakeAccessToken('acc_1'),
      transport: 'sse',
      maxOutputTokens: 256,
    });
    await lastValueFrom(client.stream([userMessage('Hi')]));
    expect(server.requests[0]?.path).toBe('/backend-api/codex/responses');
    expect(server.requests[0]?.json).not.toHaveProperty('max_output_tokens');
  });

  it("turns the platform's error body into a CodexHttpError with the server's message and status", async () => {
    const body = {
      error: { message: "Unsupported parameter: 'temperature'.", type: 'invalid_request_error', code: 'unsupported_parameter' },
    };
    const mock = await platform({ status: 400, json: body });
    const error = await failureOf(
      new CodexClient({ apiKey: KEY, baseUrl: mock.baseUrl, transport: 'sse', retry: FAST_RETRY }).stream([userMessage('Hi')]),
    );
    expect(error).toBeInstanceOf(CodexHttpError);
    expect(error).toMatchObject({ status: 400, message: "Unsupported parameter: 'temperature'." });
    expect(JSON.parse((error as CodexHttpError).body)).toEqual(body);
  });

  it("a platform message longer than 1,000 characters is cut in the error's message and kept whole in its body", async () => {
    const long = `Invalid input: ${'x'.repeat(5_000)}`;
    const mock = await platform({ status: 400, json: { error: { message: long, type: 'invalid_request_error', code: null } } });
    const error = await failureOf(
      new CodexClient({ apiKey: KEY, baseUrl: mock.baseUrl, transport: 'sse', retry: FAST_RETRY }).stream([userMessage('Hi')]),
    );
    expect(error).toBeInstanceOf(CodexHttpError);
    const { message, body } = error as CodexHttpError;
    expect(message.length).toBeLessThanOrEqual(1_000);
    expect(message.startsWith('Invalid input: xxx')).toBe(true);
    expect(message).toMatch(/characters in all: see the error's body\)$/);
    expect(body).toContain(long);
  });

  it('a rate limit (429) keeps the server message, with no talk of a ChatGPT usage limit, and is retried', async () => {
    const limited: MockReply = {
      status: 429,
      json: {
        error: {
          message: 'Rate limit reached for gpt-5.5 on tokens per min. Please try again in 1ms.',
          type: 'tokens',
          code: 'rate_limit_exceeded',
        },
      },
    };
    const mock = await platform(limited, limited);
    const diagnostics: Diagnostic[] = [];
    const error = await failureOf(
      new CodexClient({
        apiKey: KEY,
        baseUrl: mock.baseUrl,
        transport: 'sse',
        retry: { ...FAST_RETRY, maxRetries: 1 },
        onDiagnostic: (d) => diagnostics.push(d),
      }).stream([userMessage('Hi')]),
    );
    expect(error).toBeInstanceOf(CodexHttpError);
    expect((error as CodexHttpError).message).toBe('Rate limit reached for gpt-5.5 on tokens per min. Please try again in 1ms.');
    expect(mock.requests).toHaveLength(2);
    const retried = diagnostics.find((d) => d.type === 'retry');
    expect(retried).toBeDefined();
    expect(exposedText((retried as { error: unknown }).error)).not.toContain('ChatGPT');
  });

  it('insufficient_quota (HTTP 429) is a UsageLimitError about the account billing, never a ChatGPT plan, sent once', async () => {
    const mock = await platform({
      status: 429,
      json: {
        error: {
          message: 'You exceeded your current quota, please check your plan and billing details.',
          type: 'insufficient_quota',
          code: 'insufficient_quota',
        },
      },
    });
    const error = await failureOf(
      new CodexClient({ apiKey: KEY, baseUrl: mock.baseUrl, transport: 'sse', retry: FAST_RETRY }).stream([userMessage('Hi')]),
    );
    expect(error).toBeInstanceOf(UsageLimitError);
    const { message, status } = error as UsageLimitError;
    expect(status).toBe(429);
    expect(message).not.toMatch(/ChatGPT/);
    expect(message).toContain('You exceeded your current quota, please check your plan and billing details.');
    expect(message).toMatch(/billing and usage limits of the key's organization and project on platform\.openai\.com/);
    expect(mock.requests).toHaveLength(1);
    expect((error as UsageLimitError).failure?.httpStatus).toBe(429);
  });

  it('insufficient_quota in the stream (response.failed) is worded for the API key too, keeping what had streamed', async () => {
    const mock = await platform({
      events: [
        { type: 'response.output_text.delta', item_id: 'msg_1', output_index: 0, content_index: 0, delta: 'Hel' },
        {
          type: 'response.failed',
          response: { id: 'resp_1', status: 'failed', error: { code: 'insufficient_quota', message: 'Quota exceeded.' } },
        },
      ],
    });
    const error = await failureOf(
      new CodexClient({ apiKey: KEY, baseUrl: mock.baseUrl, transport: 'sse', retry: FAST_RETRY }).stream([userMessage('Hi')]),
    );
    expect(error).toBeInstanceOf(UsageLimitError);
    expect((error as UsageLimitError).message).toMatch(
      /^The OpenAI API quota of this API key's account is used up \(its billing or a usage limit\)\. Quota exceeded\. /,
    );
    expect((error as UsageLimitError).partial?.text).toBe('Hel');
    expect(mock.requests).toHaveLength(1);
  });

  it('a refused key (401) is an AuthError with status 401 that says to check OPENAI_API_KEY: no refresh, sent once, the key nowhere', async () => {
    const mock = await platform({
      status: 401,
      json: {
        error: {
          message: `Incorrect API key provided: ${KEY}. You can find your API key at https://platform.openai.com/account/api-keys.`,
          type: 'invalid_request_error',
          code: 'invalid_api_key',
        },
      },
    });
    const client = new CodexClient({ apiKey: KEY, baseUrl: mock.baseUrl, transport: 'sse', retry: FAST_RETRY });
    const error = await failureOf(client.stream([userMessage('Hi')]));
    expect(error).toBeInstanceOf(AuthError);
    expect(error).toMatchObject({ status: 401, code: 'ERR_CODEX_AUTH' });
    expect((error as AuthError).message).toMatch(
      /^The OpenAI API refused the API key \(401 Unauthorized: Incorrect API key provided: \[redacted\]\. You can find your API key at https:\/\/platform\.openai\.com\/account\/api-keys\.\)\. Check OPENAI_API_KEY/,
    );
    expect((error as AuthError).message).not.toMatch(/refresh/i);
    expect(mock.requests).toHaveLength(1);
    expect(exposedText(error)).not.toContain(KEY.slice(0, 16));
    expect(exposedText(error)).not.toContain(KEY.slice(-16));
    const failure = (error as AuthError).failure;
    expect(failure?.httpStatus).toBe(401);
    expect(JSON.stringify(failure)).not.toContain(KEY.slice(-16));
  });

  it('per-call options re-resolve the config without losing the API key or its headers', async () => {
    process.env.OPENAI_API_KEY = KEY;
    const mock = await platform({ events: textTurn({ text: ['hi'] }) });
    const client = new CodexClient({ auth: 'api-key', baseUrl: mock.baseUrl, transport: 'sse', project: 'proj_1', maxOutputTokens: 32 });
    await lastValueFrom(client.stream([userMessage('Hi')], [], { model: 'gpt-5.4', headers: { 'x-call': '1' } }));
    const request = mock.requests[0]!;
    expect(request.path).toBe('/v1/responses');
    expect(request.headers).toMatchObject({ authorization: `Bearer ${KEY}`, 'openai-project': 'proj_1', 'x-call': '1' });
    expect(request.json).toMatchObject({ model: 'gpt-5.4', max_output_tokens: 32 });
  });

  it('a key the server echoes back never reaches an error, a failure capture, or a retry diagnostic', async () => {
    const echo: MockReply = { status: 500, body: `upstream said: authorization: Bearer ${KEY} (key ${KEY.slice(0, 30)}...)` };
    const mock = await platform(echo, echo);
    const diagnostics: Diagnostic[] = [];
    const client = new CodexClient({
      apiKey: KEY,
      baseUrl: mock.baseUrl,
      transport: 'sse',
      retry: { ...FAST_RETRY, maxRetries: 1 },
      onDiagnostic: (d) => diagnostics.push(d),
    });
    const error = await failureOf(client.stream([userMessage('Hi')]));
    expect(error).toBeInstanceOf(CodexHttpError);
    expect(mock.requests).toHaveLength(2);
    expect(diagnostics.some((d) => d.type === 'retry')).toBe(true);
    for (const exposed of [
      exposedText(error),
      JSON.stringify(client.takeLastFailure() ?? null),
      ...diagnostics.map((d) => exposedText(d)),
    ]) {
      expect(exposed).not.toContain(KEY.slice(0, 16));
      expect(exposed).not.toContain(KEY.slice(-16));
    }
  });
});

describe("the mock's platform API", () => {
  let server: MockCodexServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('answers only {baseUrl}/responses, so a client that posts to the ChatGPT route fails with the route it should use', async () => {
    server = await startMockCodexServer({ api: 'platform', replies: [{ events: textTurn({ text: ['hi'] }) }] });
    expect(server.responsesUrl).toBe(`${server.url}/v1/responses`);
    const chatgpt = new CodexClient({
      baseUrl: server.baseUrl,
      accessToken: fakeAccessToken('acc_1'),
      transport: 'sse',
      retry: FAST_RETRY,
    });
    const error = await failureOf(chatgpt.stream([userMessage('Hi')]));
    expect(error).toBeInstanceOf(CodexHttpError);
    expect(error).toMatchObject({ status: 404 });
    expect((error as CodexHttpError).message).toContain('the client should POST to /v1/responses');
  });

  it('takes a basePath of its own, and refuses an unknown api', async () => {
    server = await startMockCodexServer({ api: 'platform', basePath: '/proxy/openai/v1' });
    expect(server.responsesUrl).toBe(`${server.url}/proxy/openai/v1/responses`);
    // @ts-expect-error not an api the mock serves
    await expect(startMockCodexServer({ api: 'azure' })).rejects.toThrow("api must be 'codex' or 'platform', got \"azure\"");
  });
});

describe('API-key mode runs the same agent loop', () => {
  let server: MockCodexServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('a tool call and its result go back and forth with the key on every request', async () => {
    const clock = defineTool({ name: 'clock', description: 'The time', input: z.object({}), execute: () => '12:00' });
    server = await startMockCodexServer({
      api: 'platform',
      handler: scriptedConversation([
        { reply: { events: toolCallTurn({ responseId: 'resp_1', calls: [{ callId: 'call_1', name: 'clock', arguments: ['{}'] }] }) } },
        { reply: (request) => ({ events: textTurn({ responseId: 'resp_2', text: ['It is ', request.toolOutputs[0]?.output ?? '?'] }) }) },
      ]),
    });
    const client = new CodexClient({ apiKey: KEY, baseUrl: server.baseUrl, transport: 'sse', retry: FAST_RETRY });
    const events = await lastValueFrom(client.run([userMessage('Time?')], [clock]).pipe(toArray()));
    expect(events.at(-1)).toMatchObject({ type: 'finish', steps: 2, result: { text: 'It is 12:00' } });
    expect(server.requests.map((r) => [r.path, r.headers.authorization])).toEqual([
      ['/v1/responses', `Bearer ${KEY}`],
      ['/v1/responses', `Bearer ${KEY}`],
    ]);
  });
});

describe('API-key mode over the WebSocket transport', () => {
  let server: MockCodexServer | undefined;
  let client: CodexClient | undefined;
  afterEach(async () => {
    client?.close();
    await server?.close();
    server = undefined;
  });

  it('opens the handshake on the same endpoint (ws:) with the same auth headers, and sends max_output_tokens in the frame', async () => {
    server = await startMockCodexServer({ api: 'platform', replies: [{ events: textTurn({ text: ['hi'] }) }] });
    client = new CodexClient({
      apiKey: KEY,
      baseUrl: server.baseUrl,
      transport: 'websocket',
      organization: 'org-1',
      project: 'proj_1',
      maxOutputTokens: 64,
    });
    const events = await lastValueFrom(client.stream([userMessage('Hi')]).pipe(toArray()));
    expect(events.at(-1)?.type).toBe('done');

    expect(server.upgrades).toHaveLength(1);
    const upgrade = server.upgrades[0]!;
    expect(upgrade.status).toBe(101);
    expect(upgrade.path).toBe('/v1/responses');
    expect(upgrade.headers).toMatchObject({ authorization: `Bearer ${KEY}`, 'openai-organization': 'org-1', 'openai-project': 'proj_1' });
    expect(upgrade.headers['chatgpt-account-id']).toBeUndefined();
    const [frame] = server.requests;
    expect(frame?.transport).toBe('websocket');
    expect(frame?.json).toMatchObject({ max_output_tokens: 64 });
  });

  it('a handshake refused with 401 is the same AuthError, with the key nowhere in it', async () => {
    server = await startMockCodexServer({
      api: 'platform',
      refuseUpgrade: {
        status: 401,
        json: { error: { message: `Incorrect API key provided: ${KEY}`, type: 'invalid_request_error', code: 'invalid_api_key' } },
      },
    });
    client = new CodexClient({ apiKey: KEY, baseUrl: server.baseUrl, transport: 'websocket', retry: FAST_RETRY });
    const error = await failureOf(client.stream([userMessage('Hi')]));
    expect(error).toBeInstanceOf(AuthError);
    expect(error).toMatchObject({ status: 401 });
    expect((error as AuthError).message).toContain('OPENAI_API_KEY');
    expect(server.upgrades).toHaveLength(1);
    expect(exposedText(error)).not.toContain(KEY.slice(0, 16));
  });
});
