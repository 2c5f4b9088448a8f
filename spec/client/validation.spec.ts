import { lastValueFrom, toArray } from 'rxjs';
import { CodexClient } from '../../src/client/CodexClient.js';
import { checkOptions, type OptionRules } from '../../src/client/validate.js';
import { CodexHttpError, ConfigError } from '../../src/errors.js';
import { userMessage } from '../../src/messages.js';
import { buildEndpointUrl } from '../../src/request/buildRequest.js';
import type { RetryConfig } from '../../src/retry/config.js';
import { fakeAccessToken } from '../../src/testing/index.js';
import { textTurn } from '../../src/testing/transcripts.js';
import type { Message, Tool } from '../../src/types.js';
import { expectProblemAndFix } from '../helpers/configMessage.js';
import { FAST_RETRY, mockServerPerTest } from './helpers.js';

const mock = mockServerPerTest();

function client(extra: ConstructorParameters<typeof CodexClient>[0] = {}): CodexClient {
  return new CodexClient({
    transport: 'sse',
    baseUrl: mock.server.baseUrl,
    accessToken: fakeAccessToken('acc_v'),
    retry: FAST_RETRY,
    ...extra,
  });
}

async function errorOf(run: Promise<unknown>): Promise<unknown> {
  try {
    await run;
  } catch (error) {
    return error;
  }
  throw new Error('expected the stream to fail');
}

describe('stream() arguments', () => {
  it.each<[string, unknown, unknown, string]>([
    ['null messages', null, undefined, 'stream(): messages must be an array of messages, got null'],
    [
      'a single message instead of an array',
      userMessage('Hi'),
      undefined,
      'stream(): messages must be an array of messages, got an object',
    ],
    ['null tools', [userMessage('Hi')], null, 'stream(): tools must be an array of tools, got null'],
    [
      'one tool instead of an array',
      [userMessage('Hi')],
      { name: 't', description: 'd', parameters: {} },
      'stream(): tools must be an array of tools, got an object',
    ],
    ['a string of tools', [userMessage('Hi')], 'read_file', 'stream(): tools must be an array of tools, got "read_file"'],
  ])('%s is a ConfigError that says what to pass, and nothing is sent', async (_name, messages, tools, problem) => {
    await mock.serve();
    const error = await errorOf(lastValueFrom(client().stream(messages as Message[], tools as Tool[])));
    expect(error).toBeInstanceOf(ConfigError);
    expectProblemAndFix((error as ConfigError).message, problem);
    expect(mock.server.requests).toHaveLength(0);
  });

  it('leaving tools out, or an empty array, sends no tools', async () => {
    await mock.serve({ events: textTurn({ text: ['a'] }) }, { events: textTurn({ text: ['b'] }) });
    await lastValueFrom(client().stream([userMessage('Hi')]));
    await lastValueFrom(client().stream([userMessage('Hi')], []));
    for (const request of mock.server.requests) expect(request.json).not.toHaveProperty('tools');
  });
});

describe('baseUrl', () => {
  it('one that already ends in /codex is not given a second /codex', () => {
    expect(buildEndpointUrl('https://chatgpt.com/backend-api/codex')).toBe('https://chatgpt.com/backend-api/codex/responses');
    expect(buildEndpointUrl('https://chatgpt.com/backend-api/codex//')).toBe('https://chatgpt.com/backend-api/codex/responses');
    expect(buildEndpointUrl('https://chatgpt.com/backend-api')).toBe('https://chatgpt.com/backend-api/codex/responses');
    // Only a whole last segment counts.
    expect(buildEndpointUrl('https://example.com/mycodex')).toBe('https://example.com/mycodex/codex/responses');
  });

  it('ending in /codex reaches the endpoint of a real server', async () => {
    await mock.serve({ events: textTurn({ text: ['ok'] }) });
    const events = await lastValueFrom(
      client({ baseUrl: `${mock.server.baseUrl}/codex/` })
        .stream([userMessage('Hi')])
        .pipe(toArray()),
    );
    expect(events.at(-1)).toMatchObject({ type: 'done', status: 'completed' });
    expect(mock.server.requests.map((r) => r.path)).toEqual(['/backend-api/codex/responses']);
  });
});

describe('retry options', () => {
  it('are resolved once, when the client is built: changing the object afterwards changes nothing', async () => {
    await mock.serve({ status: 503, json: { error: { message: 'busy' } } }, { events: textTurn({ text: ['ok'] }) });
    const retry: RetryConfig = { ...FAST_RETRY, maxRetries: 1 };
    const c = client({ retry });
    retry.maxRetries = 0;
    const events = await lastValueFrom(c.stream([userMessage('Hi')]).pipe(toArray()));
    expect(events.at(-1)).toMatchObject({ type: 'done' });
    expect(mock.server.requests).toHaveLength(2);
  });

  it('are checked when the client is built, with what to change', async () => {
    await mock.serve();
    expect(() => client({ retry: { maxRetries: -1 } })).toThrow(
      /^Retry option maxRetries must be a non-negative integer or Infinity, got -1\. Set /,
    );
    expect(() => new CodexClient({ retry: 'none' as never })).toThrow(/^retry must be an object, got "none"\. Pass /);
  });

  it('a server error is still reported after the retries the options allow', async () => {
    await mock.serve({ status: 503, json: { error: { message: 'busy' } } });
    const error = await errorOf(lastValueFrom(client({ retry: { maxRetries: 0 } }).stream([userMessage('Hi')])));
    expect(error).toBeInstanceOf(CodexHttpError);
  });
});

describe('option tables', () => {
  interface Example {
    size?: number;
    name?: string;
  }
  const rules: OptionRules<Example> = {
    size: { check: (v) => (typeof v === 'number' ? undefined : 'must be a number'), fix: 'Set size to a number.' },
    name: { check: () => undefined, fix: '' },
  };

  it('need a rule for every option of the type (a type test: ts-jest fails the file on a type error)', () => {
    // @ts-expect-error the rule for `name` is missing
    const missing: OptionRules<Example> = { size: rules.size };
    // @ts-expect-error `colour` is not an option of Example
    const extra: OptionRules<Example> = { ...rules, colour: rules.size };
    expect([missing, extra]).toHaveLength(2);
  });

  it('report a bad value with its path and the fix, and an unknown key with the known ones', () => {
    expect(() => checkOptions({ size: 'big' }, rules, 'example', { path: 'box.' })).toThrow(
      new ConfigError('box.size must be a number. Set size to a number.'),
    );
    expect(() => checkOptions({ size: 'big' }, rules, 'example', { lead: 'Example option ' })).toThrow(
      new ConfigError('Example option size must be a number. Set size to a number.'),
    );
    expect(() => checkOptions({ sise: 1 }, rules, 'example')).toThrow(
      new ConfigError(
        'Unexpected example option: sise. Did you mean size? Remove it or correct its name; the known options are size, name.',
      ),
    );
    expect(checkOptions(undefined, rules, 'example')).toEqual({});
    expect(checkOptions({ size: undefined }, rules, 'example')).toEqual({ size: undefined });
  });
});
