import { AuthError, ConfigError } from '../../src/errors.js';
import { resolveClientConfig } from '../../src/client/config.js';
import {
  buildEndpointUrl,
  buildHeaders,
  buildRequestBody,
  createSessionId,
  invalidHeaderCharIndex,
  normalizeSessionId,
  requestPayloadPretty,
  type RequestBodyConfig,
} from '../../src/request/buildRequest.js';
import { assistantMessage, systemMessage, userMessage } from '../../src/messages.js';
import type { Message, Tool } from '../../src/types.js';
import { expectConfigProblem, expectProblemAndFix } from '../helpers/configMessage.js';

const SESSION = '5b0c3a34-1f7e-4a53-9a8e-0c2f1d6b7e90';

/** The Rust client's test JWT: header {"alg":"none"}, the account claim, signature "sig". */
function mockToken(accountId: string): string {
  const b64 = (s: string) => Buffer.from(s).toString('base64url');
  return `${b64('{"alg":"none"}')}.${b64(`{"https://api.openai.com/auth":{"chatgpt_account_id":"${accountId}"}}`)}.sig`;
}

/** Replaces the random fc_ ids (after checking their form) so a whole body can be compared byte for byte. */
function stableIds(json: string): string {
  const ids = json.match(/fc_[0-9a-zA-Z]*/g) ?? [];
  for (const id of ids) expect(id).toMatch(/^fc_[0-9a-f]{32}$/);
  expect(new Set(ids).size).toBe(ids.length);
  let n = 0;
  return json.replace(/fc_[0-9a-f]{32}/g, () => `fc_<${++n}>`);
}

function caught(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a throw');
}

const base: RequestBodyConfig = { model: 'gpt-5.5' };

describe('buildEndpointUrl', () => {
  it('the default config gives https://chatgpt.com/backend-api/codex/responses, without auth', () => {
    expect(buildEndpointUrl(resolveClientConfig().baseUrl)).toBe('https://chatgpt.com/backend-api/codex/responses');
  });

  it('all trailing slashes are stripped', () => {
    expect(buildEndpointUrl('http://127.0.0.1:8080/api///')).toBe('http://127.0.0.1:8080/api/codex/responses');
    expect(buildEndpointUrl('http://127.0.0.1:8080/')).toBe('http://127.0.0.1:8080/codex/responses');
    expect(buildEndpointUrl('http://h/a/b')).toBe('http://h/a/b/codex/responses');
  });
});

describe('buildHeaders', () => {
  it('codex-specific fields (account id, OpenAI-Beta, originator pi, session_id)', () => {
    const token = mockToken('acc_headers');
    const headers = buildHeaders({ accessToken: token, accountId: 'acc_headers' }, resolveClientConfig().originator, SESSION);
    expect(headers['chatgpt-account-id']).toBe('acc_headers');
    expect(headers['openai-beta']).toBe('responses=experimental');
    expect(headers.originator).toBe('pi');
    expect(headers.session_id).toBe(SESSION);
  });

  it('exactly the seven headers, lower-case, in a fixed order', () => {
    const headers = buildHeaders({ accessToken: 'tok', accountId: 'acc' }, 'codex-rx', SESSION);
    expect(Object.entries(headers)).toEqual([
      ['content-type', 'application/json'],
      ['accept', 'text/event-stream'],
      ['authorization', 'Bearer tok'],
      ['chatgpt-account-id', 'acc'],
      ['originator', 'codex-rx'],
      ['openai-beta', 'responses=experimental'],
      ['session_id', SESSION],
    ]);
  });

  it.each(['\r', '\n', '\0', '\u007f', 'é', '\u2028'])(
    'a token with %j → AuthError naming the authorization header, never the token',
    (bad) => {
      const token = `secret-token-value${bad}tail`;
      const err = caught(() => buildHeaders({ accessToken: token, accountId: 'acc' }, 'pi', SESSION));
      expect(err).toBeInstanceOf(AuthError);
      expect(err.message).toMatch(/^Invalid OpenAI Codex authorization header/);
      expect(err.message).not.toContain('secret');
      expect(err.message).not.toContain('tail');
      expect(JSON.stringify(err)).not.toContain('secret');
    },
  );

  it('account id, originator and session id have their own messages and classes', () => {
    const auth = { accessToken: 'tok', accountId: 'acc' };
    const account = caught(() => buildHeaders({ accessToken: 'tok', accountId: 'acc\r\nX: y' }, 'pi', SESSION));
    expect(account).toBeInstanceOf(AuthError);
    expect(account.message).toMatch(/^Invalid OpenAI Codex chatgpt-account-id header: character 3 /);
    const originator = caught(() => buildHeaders(auth, 'pi\n', SESSION));
    expect(originator).toBeInstanceOf(ConfigError);
    expect(originator.message).toMatch(/^Invalid OpenAI Codex originator header/);
    expectProblemAndFix(originator.message, 'Invalid OpenAI Codex originator header: character 2 is not allowed in an HTTP header value');
    const session = caught(() => buildHeaders(auth, 'pi', 'sess\u0000'));
    expect(session).toBeInstanceOf(ConfigError);
    expectProblemAndFix(session.message, 'Invalid OpenAI Codex session_id: character 4 is not allowed in an HTTP header value');
    const notString = caught(() => buildHeaders({ accessToken: undefined as unknown as string, accountId: 'a' }, 'pi', SESSION));
    expect(notString).toBeInstanceOf(AuthError);
    expect(notString.message).toBe('Invalid OpenAI Codex authorization header: the value is not a string');
  });

  it('tab and space are valid header characters', () => {
    expect(invalidHeaderCharIndex('a b\tc~')).toBe(-1);
    expect(invalidHeaderCharIndex('ab\u0085')).toBe(2);
    expect(buildHeaders({ accessToken: 'a b', accountId: 'acc' }, 'pi', SESSION).authorization).toBe('Bearer a b');
  });

  it('a session id longer than 64 characters is truncated to 64 (header and body agree)', () => {
    const long = 'x'.repeat(70);
    const headers = buildHeaders({ accessToken: 't', accountId: 'a' }, 'pi', long);
    const body = buildRequestBody(base, [], undefined, long);
    expect(headers.session_id).toBe('x'.repeat(64));
    expect(body.prompt_cache_key).toBe('x'.repeat(64));
  });
});

describe('session ids', () => {
  it('createSessionId is a fresh hyphenated UUID v4 (36 chars, ≤ 64)', () => {
    const a = createSessionId();
    const b = createSessionId();
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(a).not.toBe(b);
  });

  it('normalizeSessionId keeps ≤ 64 as is and never splits a surrogate pair', () => {
    expect(normalizeSessionId(SESSION)).toBe(SESSION);
    const astral = `${'a'.repeat(63)}😀tail`;
    expect(normalizeSessionId(astral)).toBe('a'.repeat(63));
  });
});

describe('buildRequestBody', () => {
  it('a whole history with tools, byte for byte: reasoning replayed with its id, items in block order', () => {
    const messages: Message[] = [
      systemMessage('You are terse.'),
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What is in this image?' },
          { type: 'image', source: { type: 'url', url: 'https://example.com/cat.png' }, detail: 'low' },
        ],
      },
      { role: 'assistant', content: [{ type: 'text', text: 'A cat.' }], id: 'msg_0' },
      userMessage('List the files'),
      {
        role: 'assistant',
        content: [
          { type: 'thinking', thinking: 'Let me look', id: 'rs_abc', signature: 'sig', encryptedContent: 'gAAAAenc' },
          { type: 'text', text: 'I will list them.' },
          { type: 'tool_use', id: 'call_1', name: 'list_files', input: { path: '.', depth: 2, all: true } },
        ],
        id: 'msg_1',
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', toolUseId: 'call_1', content: { files: ['a.ts', 'b.ts'], count: 2 } },
          { type: 'text', text: 'Also this screenshot:' },
          { type: 'image', source: { type: 'base64', mediaType: 'image/png', data: 'iVBORw0KGgo=' } },
        ],
      },
    ];
    const tools: Tool[] = [
      {
        name: 'list_files',
        description: 'List files',
        parameters: { type: 'object', properties: { path: { type: 'string' }, depth: { type: 'integer' } }, required: ['path'] },
      },
    ];
    const config = resolveClientConfig({
      reasoning: { effort: 'high', summary: 'detailed' },
      textVerbosity: 'medium',
      maxOutputTokens: 999,
    });
    const body = buildRequestBody(config, messages, tools, 'session-123');
    expect(stableIds(JSON.stringify(body))).toBe(
      '{"model":"gpt-5.5","input":[' +
        '{"type":"message","role":"user","content":[{"type":"input_text","text":"What is in this image?"},' +
        '{"type":"input_image","image_url":"https://example.com/cat.png","detail":"low"}]},' +
        '{"type":"message","role":"assistant","content":[{"type":"output_text","text":"A cat."}],"status":"completed","id":"msg_0"},' +
        '{"type":"message","role":"user","content":[{"type":"input_text","text":"List the files"}]},' +
        '{"type":"reasoning","id":"rs_abc","content":[],"summary":[],"encrypted_content":"gAAAAenc"},' +
        '{"type":"function_call","id":"fc_<1>","call_id":"call_1","name":"list_files","arguments":"{\\"all\\":true,\\"depth\\":2,\\"path\\":\\".\\"}","status":"completed"},' +
        '{"type":"function_call_output","call_id":"call_1","output":"{\\"count\\":2,\\"files\\":[\\"a.ts\\",\\"b.ts\\"]}","status":"completed"},' +
        '{"type":"message","role":"user","content":[{"type":"input_text","text":"Also this screenshot:"},' +
        '{"type":"input_image","image_url":"data:image/png;base64,iVBORw0KGgo="}]}' +
        '],"instructions":"You are terse.",' +
        '"tools":[{"type":"function","name":"list_files","description":"List files","parameters":' +
        '{"additionalProperties":false,"properties":{"depth":{"type":"integer"},"path":{"type":"string"}},"required":["path"],"type":"object"}}],' +
        '"tool_choice":"auto","parallel_tool_calls":false,"stream":true,"text":{"verbosity":"medium"},' +
        '"reasoning":{"effort":"high","summary":"detailed"},"store":false,"include":["reasoning.encrypted_content"],' +
        '"prompt_cache_key":"session-123"}',
    );
  });

  it('instructions from the system message; system omitted from input; parallel_tool_calls and store false', () => {
    const config = resolveClientConfig({ accessToken: mockToken('acc_body') });
    const body = buildRequestBody(config, [systemMessage('Follow the system prompt'), userMessage('Hello')], [], SESSION);
    expect(body.instructions).toBe('Follow the system prompt');
    expect(body.input).toHaveLength(1);
    expect(body.input[0]).toMatchObject({ role: 'user' });
    expect(body.parallel_tool_calls).toBe(false);
    expect(body.store).toBe(false);
  });

  it('the minimal body has exactly these keys, in this order', () => {
    const body = buildRequestBody(base, [], undefined, SESSION);
    expect(JSON.stringify(body)).toBe(
      `{"model":"gpt-5.5","input":[],"parallel_tool_calls":false,"stream":true,"store":false,` +
        `"include":["reasoning.encrypted_content"],"prompt_cache_key":"${SESSION}"}`,
    );
  });

  it('input is an empty array when only system messages are given', () => {
    const body = buildRequestBody(base, [systemMessage('s')], undefined, SESSION);
    expect(body.input).toEqual([]);
    expect(body.instructions).toBe('s');
  });

  it('the model is normalized', () => {
    expect(buildRequestBody({ model: 'openai/ gpt-5.4 ' }, [], undefined, SESSION).model).toBe('gpt-5.4');
  });

  it('reasoning only when configured; effort resolved for the model; summary only when set', () => {
    expect(buildRequestBody(base, [], undefined, SESSION)).not.toHaveProperty('reasoning');
    expect(buildRequestBody({ model: 'gpt-5.3-codex', reasoning: {} }, [], undefined, SESSION).reasoning).toEqual({ effort: 'xhigh' });
    expect(buildRequestBody({ model: 'gpt-5.5', reasoning: {} }, [], undefined, SESSION).reasoning).toEqual({ effort: 'none' });
    expect(buildRequestBody({ model: 'gpt-5.5', reasoning: { effort: 'minimal' } }, [], undefined, SESSION).reasoning).toEqual({
      effort: 'low',
    });
    const withSummary = buildRequestBody({ model: 'gpt-5.1', reasoning: { effort: 'xhigh', summary: 'auto' } }, [], undefined, SESSION);
    expect(JSON.stringify(withSummary.reasoning)).toBe('{"effort":"high","summary":"auto"}');
  });

  it('temperature/top_p sent only when the model and effort accept sampling, else dropped silently', () => {
    const sampling = { temperature: 0.7, topP: 0.9 };
    const none = buildRequestBody({ model: 'gpt-5.5', ...sampling }, [], undefined, SESSION);
    expect(JSON.stringify(none)).toContain('"parallel_tool_calls":false,"temperature":0.7,"top_p":0.9,"stream":true');
    const explicitNone = buildRequestBody({ model: 'gpt-5.5', reasoning: { effort: 'none' }, ...sampling }, [], undefined, SESSION);
    expect(explicitNone.temperature).toBe(0.7);
    const high = buildRequestBody({ model: 'gpt-5.5', reasoning: { effort: 'high' }, ...sampling }, [], undefined, SESSION);
    expect(high).not.toHaveProperty('temperature');
    expect(high).not.toHaveProperty('top_p');
    expect(buildRequestBody({ model: 'gpt-5.3-codex', ...sampling }, [], undefined, SESSION)).not.toHaveProperty('temperature');
    expect(buildRequestBody({ model: 'gpt-4o', topP: 0.5 }, [], undefined, SESSION).top_p).toBe(0.5);
  });

  it('max_output_tokens and the other optional fields are never sent', () => {
    const config = resolveClientConfig({ maxOutputTokens: 4096, pricingModel: 'gpt-5' });
    const keys = Object.keys(buildRequestBody(config, [userMessage('x')], undefined, SESSION));
    for (const absent of [
      'max_output_tokens',
      'max_tool_calls',
      'stream_options',
      'service_tier',
      'conversation',
      'previous_response_id',
      'background',
      'truncation',
      'top_logprobs',
      'metadata',
      'safety_identifier',
      'pricing_model',
    ]) {
      expect(keys).not.toContain(absent);
    }
  });

  it('tools and tool_choice "auto" only when there are tools', () => {
    const tool: Tool = { name: 't', description: 'd', parameters: { type: 'object' } };
    expect(buildRequestBody(base, [], [], SESSION)).not.toHaveProperty('tools');
    expect(buildRequestBody(base, [], [], SESSION)).not.toHaveProperty('tool_choice');
    const body = buildRequestBody(base, [], [tool], SESSION);
    expect(body.tool_choice).toBe('auto');
    expect(body.tools).toEqual([
      { type: 'function', name: 't', description: 'd', parameters: { additionalProperties: false, type: 'object' } },
    ]);
  });

  it('parallel_tool_calls and stream are always present, from the config', () => {
    const body = buildRequestBody({ model: 'gpt-5.5', parallelToolCalls: true, stream: false }, [], undefined, SESSION);
    expect(body.parallel_tool_calls).toBe(true);
    expect(body.stream).toBe(false);
  });

  it('text {verbosity} only with textVerbosity', () => {
    expect(buildRequestBody(base, [], undefined, SESSION)).not.toHaveProperty('text');
    expect(buildRequestBody({ model: 'gpt-5.5', textVerbosity: 'high' }, [], undefined, SESSION).text).toEqual({ verbosity: 'high' });
  });

  it('store false, include encrypted reasoning, prompt_cache_key = session id', () => {
    const body = buildRequestBody(base, [], undefined, SESSION);
    expect(body.store).toBe(false);
    expect(body.include).toEqual(['reasoning.encrypted_content']);
    expect(body.prompt_cache_key).toBe(SESSION);
  });

  it('the failure capture copy is 2-space pretty JSON in body order', () => {
    const body = buildRequestBody({ model: 'gpt-5.5', reasoning: { effort: 'low' } }, [assistantMessage('hi')], undefined, 's');
    expect(requestPayloadPretty(body)).toBe(
      [
        '{',
        '  "model": "gpt-5.5",',
        '  "input": [',
        '    {',
        '      "type": "message",',
        '      "role": "assistant",',
        '      "content": [',
        '        {',
        '          "type": "output_text",',
        '          "text": "hi"',
        '        }',
        '      ],',
        '      "status": "completed"',
        '    }',
        '  ],',
        '  "parallel_tool_calls": false,',
        '  "stream": true,',
        '  "reasoning": {',
        '    "effort": "low"',
        '  },',
        '  "store": false,',
        '  "include": [',
        '    "reasoning.encrypted_content"',
        '  ],',
        '  "prompt_cache_key": "s"',
        '}',
      ].join('\n'),
    );
  });

  it('never puts the access token in the body', () => {
    const config = resolveClientConfig({ accessToken: 'secret-access-token' });
    expect(requestPayloadPretty(buildRequestBody(config, [userMessage('x')], undefined, SESSION))).not.toContain('secret');
  });

  it('a non-string session id is a ConfigError', () => {
    expectConfigProblem(
      () => buildRequestBody(base, [], undefined, 42 as unknown as string),
      'Invalid OpenAI Codex session_id: not a string but 42',
    );
  });
});
