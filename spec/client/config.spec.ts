import { asyncScheduler } from 'rxjs';
import { Agent } from 'undici';
import { CLIENT_CONFIG_DEFAULTS, resolveClientConfig, type CodexClientConfig } from '../../src/client/config.js';
import { ConfigError } from '../../src/errors.js';
import { resolveRetryConfig } from '../../src/retry/config.js';
import { expectProblemAndFix } from '../helpers/configMessage.js';

function configError(config: unknown): ConfigError {
  try {
    resolveClientConfig(config as CodexClientConfig);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('resolveClientConfig: defaults', () => {
  it('fills in the defaults: the ChatGPT backend, gpt-5.5, originator pi, 5-minute timeouts, streaming on', () => {
    expect(resolveClientConfig()).toEqual({
      baseUrl: 'https://chatgpt.com/backend-api',
      auth: 'chatgpt',
      model: 'gpt-5.5',
      originator: 'pi',
      parallelToolCalls: false,
      idleTimeoutMs: 300_000,
      headersTimeoutMs: 300_000,
      authTokenUrl: 'https://auth.openai.com/oauth/token',
      stream: true,
      transport: 'auto',
      retry: resolveRetryConfig(),
    });
    expect(resolveClientConfig({})).toEqual(resolveClientConfig(undefined));
    expect(CLIENT_CONFIG_DEFAULTS.model).toBe('gpt-5.5');
  });

  it('takes transport sse, websocket or auto, and says which values exist when given another', () => {
    expect(resolveClientConfig({ transport: 'sse' }).transport).toBe('sse');
    expect(resolveClientConfig({ transport: 'websocket' }).transport).toBe('websocket');
    expect(resolveClientConfig({ transport: undefined }).transport).toBe('auto');
    expectProblemAndFix(configError({ transport: 'ws' }).message, 'transport must be one of sse, websocket, auto, got "ws"');
    expect(() => resolveClientConfig({ transport: 1 as never })).toThrow(ConfigError);
  });

  it('explicit undefined means the default; the result is frozen and holds no absent keys', () => {
    const resolved = resolveClientConfig({ model: undefined, temperature: undefined, reasoning: undefined });
    expect(resolved.model).toBe('gpt-5.5');
    expect(Object.keys(resolved)).not.toContain('temperature');
    expect(Object.isFrozen(resolved)).toBe(true);
  });

  it('accepts every option, resolves retry once with its defaults, and keeps dispatcher, scheduler and callbacks by reference', () => {
    const retry = { maxRetries: 1, jitter: false };
    const dispatcher = new Agent();
    const onDiagnostic = () => undefined;
    const resolved = resolveClientConfig({
      baseUrl: 'http://127.0.0.1:9/api/',
      model: 'gpt-4o',
      accessToken: 'tok',
      authFile: '/tmp/auth.json',
      originator: 'codex-rx',
      reasoning: { effort: 'low', summary: 'concise' },
      textVerbosity: 'low',
      parallelToolCalls: true,
      temperature: 1.5,
      topP: 0.5,
      retry,
      idleTimeoutMs: 1000,
      headersTimeoutMs: 2000,
      authTokenUrl: 'http://127.0.0.1:9/token',
      dispatcher,
      onDiagnostic,
      scheduler: asyncScheduler,
      maxOutputTokens: 4096,
      pricingModel: 'gpt-4o',
      stream: false,
    });
    expect(resolved.retry).toEqual(resolveRetryConfig(retry));
    expect(Object.isFrozen(resolved.retry)).toBe(true);
    expect(resolved.dispatcher).toBe(dispatcher);
    expect(resolved.onDiagnostic).toBe(onDiagnostic);
    expect(resolved.scheduler).toBe(asyncScheduler);
    expect(resolved.reasoning).toEqual({ effort: 'low', summary: 'concise' });
    expect(resolved).toMatchObject({ temperature: 1.5, topP: 0.5, maxOutputTokens: 4096, stream: false, parallelToolCalls: true });
    void dispatcher.close();
  });
});

describe("resolveClientConfig: the sampling and reasoning rules, in the Rust client's order and with its messages", () => {
  it.each([
    [2.5, 'OpenAI Codex temperature must be between 0.0 and 2.0, got 2.5'],
    [9, 'OpenAI Codex temperature must be between 0.0 and 2.0, got 9'],
    [-0.1, 'OpenAI Codex temperature must be between 0.0 and 2.0, got -0.1'],
    [NaN, 'OpenAI Codex temperature must be between 0.0 and 2.0, got NaN'],
    [Infinity, 'OpenAI Codex temperature must be between 0.0 and 2.0, got inf'],
  ])('rule 1: temperature %p', (temperature, message) => {
    expectProblemAndFix(configError({ temperature }).message, message);
  });

  it.each([
    [1.5, 'OpenAI Codex top_p must be between 0.0 and 1.0, got 1.5'],
    [-1, 'OpenAI Codex top_p must be between 0.0 and 1.0, got -1'],
  ])('rule 2: top_p %p', (topP, message) => {
    expectProblemAndFix(configError({ topP }).message, message);
  });

  it('rules 1–2: the bounds are inclusive', () => {
    expect(() => resolveClientConfig({ temperature: 0, topP: 0 })).not.toThrow();
    expect(() => resolveClientConfig({ temperature: 2, topP: 1 })).not.toThrow();
  });

  it('rule 3: a summary when the effort resolves to none (explicit or the gpt-5.5 default)', () => {
    const message = 'OpenAI Codex reasoning summaries are not available when reasoning.effort resolves to "none"';
    expectProblemAndFix(configError({ reasoning: { effort: 'none', summary: 'detailed' } }).message, message);
    expectProblemAndFix(configError({ reasoning: { summary: 'auto' } }).message, message);
    // none on gpt-5.4 resolves to high: summaries are fine.
    expect(() => resolveClientConfig({ model: 'gpt-5.4', reasoning: { effort: 'none', summary: 'auto' } })).not.toThrow();
  });

  it('rule 4: sampling parameters on a model/effort that rejects them, with the normalized model', () => {
    expectProblemAndFix(
      configError({ model: 'openai/gpt-5.3-codex', temperature: 0.5 }).message,
      'OpenAI Codex sampling parameters are not supported for model gpt-5.3-codex with the configured reasoning effort',
    );
    expectProblemAndFix(
      configError({ reasoning: { effort: 'high', summary: 'detailed' }, temperature: 0.5 }).message,
      'OpenAI Codex sampling parameters are not supported for model gpt-5.5 with the configured reasoning effort',
    );
    expect(configError({ model: 'gpt-5.4', reasoning: { effort: 'none' }, topP: 0.5 }).message).toMatch(/model gpt-5\.4 /);
  });

  it('rule 4: sampling is allowed on gpt-5.5 with effort none or no reasoning, and on non-reasoning models', () => {
    expect(() => resolveClientConfig({ reasoning: { effort: 'none' }, temperature: 0.5, topP: 0.9 })).not.toThrow();
    expect(() => resolveClientConfig({ temperature: 0.5 })).not.toThrow();
    expect(() => resolveClientConfig({ model: 'gpt-4o', reasoning: { effort: 'high' }, temperature: 0.5 })).not.toThrow();
  });

  it('the rules run in order: temperature, top_p, summary with effort none, sampling support', () => {
    // 1 before 2
    expect(configError({ temperature: 3, topP: 3 }).message).toMatch(/temperature/);
    // 2 before 3
    expect(configError({ topP: 3, reasoning: { effort: 'none', summary: 'auto' } }).message).toMatch(/top_p/);
    // 3 before 4
    expect(configError({ reasoning: { effort: 'none', summary: 'auto' }, model: 'gpt-5.5', temperature: 0.1 }).message).toMatch(
      /summaries/,
    );
    // 1 before 4
    expect(configError({ model: 'gpt-5.3-codex', temperature: 3 }).message).toMatch(/temperature must be/);
  });
});

describe('resolveClientConfig: keys and types', () => {
  it('rejects unknown keys, top level and in reasoning', () => {
    expectProblemAndFix(configError({ modle: 'gpt-5.5' }).message, 'Unexpected config option: modle');
    expectProblemAndFix(configError({ max_output_tokens: 1 }).message, 'Unexpected config option: max_output_tokens');
    expectProblemAndFix(configError({ reasoning: { effort: 'low', level: 1 } }).message, 'Unexpected config option: reasoning.level');
  });

  it('an unknown key: suggests the option it most likely meant and lists the known ones', () => {
    expect(configError({ modle: 'gpt-5.5' }).message).toContain(
      'Did you mean model? Remove it or correct its name; the known options are baseUrl, model,',
    );
    expect(configError({ max_output_tokens: 1 }).message).toContain('Did you mean maxOutputTokens?');
    expect(configError({ IdleTimeoutMS: 1 }).message).toContain('Did you mean idleTimeoutMs?');
    expect(configError({ reasoning: { efort: 'low' } }).message).toBe(
      'Unexpected config option: reasoning.efort. Did you mean reasoning.effort? Remove it or correct its name; the known options of reasoning are effort, summary.',
    );
    expect(configError({ zzzzzzzz: 1 }).message).not.toContain('Did you mean');
  });

  it('rejects a config that is not an object', () => {
    expectProblemAndFix(configError('gpt-5.5').message, 'CodexClientConfig must be an object, got "gpt-5.5"');
    expectProblemAndFix(configError([]).message, 'CodexClientConfig must be an object, got an array');
  });

  it.each<[Record<string, unknown>, string]>([
    [{ baseUrl: 'chatgpt.com/backend-api' }, 'baseUrl must be an absolute http(s) URL'],
    [{ baseUrl: 'ftp://example.com' }, 'baseUrl must be an absolute http(s) URL, got protocol "ftp:"'],
    [{ baseUrl: 42 }, 'baseUrl must be a string, got 42'],
    [{ authTokenUrl: '/oauth/token' }, 'authTokenUrl must be an absolute http(s) URL'],
    [{ model: '' }, 'model must be a non-empty model id'],
    [{ model: 'openai/  ' }, 'model must be a non-empty model id'],
    [{ model: 5 }, 'model must be a string, got 5'],
    [{ originator: 'pi\r\nx-evil: 1' }, 'Invalid OpenAI Codex originator header'],
    [{ originator: 'pï' }, 'Invalid OpenAI Codex originator header'],
    [{ reasoning: 'high' }, 'reasoning must be an object, got "high"'],
    [{ reasoning: { effort: 'max' } }, 'reasoning.effort must be one of none, minimal, low, medium, high, xhigh, got "max"'],
    [{ reasoning: { summary: 'short' } }, 'reasoning.summary must be one of auto, concise, detailed, got "short"'],
    [{ textVerbosity: 'loud' }, 'textVerbosity must be one of low, medium, high, got "loud"'],
    [{ parallelToolCalls: 'yes' }, 'parallelToolCalls must be a boolean, got "yes"'],
    [{ stream: 1 }, 'stream must be a boolean, got 1'],
    [{ temperature: '0.5' }, 'temperature must be a number, got "0.5"'],
    [{ idleTimeoutMs: 0 }, 'idleTimeoutMs must be a positive number of milliseconds, at most 2147483647, got 0'],
    [{ idleTimeoutMs: -5 }, 'idleTimeoutMs must be a positive number of milliseconds, at most 2147483647, got -5'],
    [{ headersTimeoutMs: NaN }, 'headersTimeoutMs must be a positive number of milliseconds, at most 2147483647, got NaN'],
    [{ headersTimeoutMs: Infinity }, 'headersTimeoutMs must be a positive number of milliseconds, at most 2147483647, got Infinity'],
    [{ headersTimeoutMs: 2_147_483_648 }, 'headersTimeoutMs must be a positive number of milliseconds, at most 2147483647, got 2147483648'],
    [{ idleTimeoutMs: '300' }, 'idleTimeoutMs must be a positive number of milliseconds, at most 2147483647, got "300"'],
    [{ dispatcher: {} }, 'dispatcher must be an undici Dispatcher (an object with a dispatch method), got an object'],
    [{ scheduler: { now: () => 0 } }, 'scheduler must be an rxjs SchedulerLike (with now and schedule), got an object'],
    [{ onDiagnostic: 'log' }, 'onDiagnostic must be a function, got "log"'],
    [{ maxOutputTokens: 1.5 }, 'maxOutputTokens must be a 32-bit integer, got 1.5'],
    [{ maxOutputTokens: 2 ** 31 }, 'maxOutputTokens must be a 32-bit integer, got 2147483648'],
    [{ pricingModel: null }, 'pricingModel must be a string, got null'],
    [{ authFile: ['a'] }, 'authFile must be a string, got an array'],
    [{ env: 'OPENAI_CODEX_ACCESS_TOKEN=x' }, 'env must be an object, got a string'],
    [{ env: [] }, 'env must be an object, got an array'],
  ])('%j → %s, and what to change', (config, message) => {
    expectProblemAndFix(configError(config).message, message);
  });

  it('delegates retry validation to resolveRetryConfig', () => {
    expectProblemAndFix(configError({ retry: { maxRetires: 3 } }).message, 'Unexpected retry option: maxRetires');
    expect(configError({ retry: { maxRetires: 3 } }).message).toContain('Did you mean maxRetries?');
    expect(configError({ retry: { maxRetries: -1 } }).message).toMatch(/^Retry option maxRetries must be/);
  });

  it('never echoes the access token', () => {
    const secret = 'sk-very-secret-token';
    for (const config of [
      { accessToken: secret, temperature: 5 },
      { accessToken: secret, bogus: 1 },
      { accessToken: { token: secret } },
      { accessToken: secret, model: 'gpt-5.3-codex', topP: 0.5 },
    ]) {
      const err = configError(config);
      expect(err.message).not.toContain('secret');
      expect(JSON.stringify(err)).not.toContain('secret');
    }
    expectProblemAndFix(configError({ accessToken: 12345 }).message, 'accessToken must be a string, got a number');
  });

  it('env stands in for process.env: an API key, organization and project are read from it', () => {
    const resolved = resolveClientConfig(
      { auth: 'api-key', env: { OPENAI_API_KEY: 'sk-given', OPENAI_PROJECT_ID: 'proj_given' } },
      { OPENAI_API_KEY: 'sk-process', OPENAI_ORG_ID: 'org-process' },
    );
    expect(resolved).toMatchObject({ auth: 'api-key', apiKey: 'sk-given', project: 'proj_given' });
    expect(resolved).not.toHaveProperty('organization');
  });

  it('does not read the environment (env overrides belong to the auth resolver)', () => {
    const saved = process.env.OPENAI_CODEX_MODEL;
    process.env.OPENAI_CODEX_MODEL = 'gpt-4o';
    try {
      expect(resolveClientConfig().model).toBe('gpt-5.5');
    } finally {
      if (saved === undefined) delete process.env.OPENAI_CODEX_MODEL;
      else process.env.OPENAI_CODEX_MODEL = saved;
    }
  });
});
