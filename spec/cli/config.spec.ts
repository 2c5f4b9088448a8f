import { join, resolve } from 'node:path';
import { parseCliArgs, type RunOptions } from '../../src/cli/args.js';
import { backendBanner, buildClientConfig, findCredentialSource } from '../../src/cli/config.js';

function options(argv: string[]): RunOptions {
  const command = parseCliArgs(argv);
  if (command.kind !== 'run') throw new Error('not a run');
  return command.options;
}

const mock = { baseUrl: 'http://127.0.0.1:1234/backend-api', accessToken: 'fake.token.sig' };

describe('findCredentialSource', () => {
  const home = resolve('/home/someone');
  const env = { HOME: home };

  it("finds them in the client's order: env, the codex-rx auth file, the Codex CLI file", () => {
    const all = new Set([join(home, '.codex-rx', 'auth.json'), join(home, '.codex', 'auth.json')]);
    expect(findCredentialSource({ ...env, OPENAI_CODEX_ACCESS_TOKEN: 'tok' }, (p) => all.has(p))).toEqual({ kind: 'env' });
    expect(findCredentialSource(env, (p) => all.has(p))).toEqual({ kind: 'auth-file', path: join(home, '.codex-rx', 'auth.json') });
    expect(findCredentialSource(env, (p) => p === join(home, '.codex', 'auth.json'))).toEqual({
      kind: 'codex-cli',
      path: join(home, '.codex', 'auth.json'),
    });
  });

  it('honours OPENAI_CODEX_AUTH_FILE and CODEX_HOME, and ignores a blank token', () => {
    const custom = resolve('/etc/codex-rx.json');
    expect(findCredentialSource({ ...env, OPENAI_CODEX_ACCESS_TOKEN: '  ', OPENAI_CODEX_AUTH_FILE: custom }, (p) => p === custom)).toEqual({
      kind: 'auth-file',
      path: custom,
    });
    const codexHome = resolve('/opt/codex');
    expect(findCredentialSource({ ...env, CODEX_HOME: codexHome }, (p) => p === join(codexHome, 'auth.json'))).toEqual({
      kind: 'codex-cli',
      path: join(codexHome, 'auth.json'),
    });
  });

  it('finds nothing when nothing is there', () => {
    expect(findCredentialSource(env, () => false)).toBeUndefined();
  });
});

describe('backendBanner', () => {
  it('says clearly that the mock runs, and what --live would need', () => {
    const none = backendBanner(options([]), mock.baseUrl, undefined);
    expect(none).toContain('embedded mock Codex server at http://127.0.0.1:1234/backend-api');
    expect(none).toContain('no credentials found');
    expect(none).toContain('OPENAI_CODEX_ACCESS_TOKEN');
    const found = backendBanner(options([]), mock.baseUrl, { kind: 'codex-cli', path: '/h/.codex/auth.json' });
    expect(found).toContain('credentials found in /h/.codex/auth.json; add --live');
    expect(backendBanner(options(['--live', 'x']), 'https://chatgpt.com/backend-api', undefined)).toBe(
      'codex-rx: live Codex backend at https://chatgpt.com/backend-api',
    );
  });
});

describe('buildClientConfig', () => {
  it('mock: the mock URL and fake token, nothing else by default', () => {
    expect(buildClientConfig(options([]), {}, mock)).toEqual({ baseUrl: mock.baseUrl, accessToken: mock.accessToken });
    expect(() => buildClientConfig(options([]), {})).toThrow(TypeError);
  });

  it('mock ignores the live environment overrides', () => {
    expect(buildClientConfig(options([]), { OPENAI_CODEX_MODEL: 'gpt-x', OPENAI_CODEX_BASE_URL: 'https://x' }, mock)).toEqual({
      baseUrl: mock.baseUrl,
      accessToken: mock.accessToken,
    });
  });

  it('live: flags win over OPENAI_CODEX_BASE_URL / OPENAI_CODEX_MODEL; the client is given the env to find credentials in', () => {
    const env = {
      OPENAI_CODEX_MODEL: 'gpt-5.4',
      OPENAI_CODEX_BASE_URL: ' https://proxy.example/backend-api ',
      OPENAI_CODEX_ACCESS_TOKEN: 'tok',
    };
    const live = buildClientConfig(options(['--live', 'x']), env);
    expect(live).toEqual({ baseUrl: 'https://proxy.example/backend-api', model: 'gpt-5.4', env });
    expect(live.env).toBe(env);
    expect(buildClientConfig(options(['--live', '--base-url', 'http://127.0.0.1:1/b', '-m', 'gpt-5.5', 'x']), env)).toEqual({
      baseUrl: 'http://127.0.0.1:1/b',
      model: 'gpt-5.5',
      env,
    });
    expect(buildClientConfig(options(['--live', 'x']), {})).toEqual({ env: {} });
  });

  it('live with --auth api-key: the key, organization and project from the env, never the ChatGPT env or the ChatGPT base URL', () => {
    const env = {
      OPENAI_API_KEY: 'sk-env-key',
      OPENAI_ORG_ID: ' org-1 ',
      OPENAI_PROJECT_ID: 'proj_1',
      OPENAI_CODEX_ACCESS_TOKEN: 'tok',
      OPENAI_CODEX_AUTH_FILE: '/tmp/auth.json',
      OPENAI_CODEX_BASE_URL: 'https://proxy.example/backend-api',
    };
    expect(buildClientConfig(options(['--live', '--auth', 'api-key', 'x']), env)).toEqual({
      auth: 'api-key',
      apiKey: 'sk-env-key',
      organization: 'org-1',
      project: 'proj_1',
      env,
    });
    expect(buildClientConfig(options(['--live', '--auth', 'api-key', '--base-url', 'http://127.0.0.1:1/v1', 'x']), {})).toEqual({
      auth: 'api-key',
      baseUrl: 'http://127.0.0.1:1/v1',
      env: {},
    });
    // Without the flag a key in the env is not used (the client reads it only with auth 'api-key').
    expect(buildClientConfig(options(['--live', 'x']), { OPENAI_API_KEY: 'sk-env-key' })).toEqual({
      env: { OPENAI_API_KEY: 'sk-env-key' },
    });
    expect(backendBanner(options(['--live', '--auth', 'api-key', 'x']), 'https://api.openai.com/v1', undefined)).toBe(
      'codex-rx: live OpenAI API at https://api.openai.com/v1, with the API key from OPENAI_API_KEY',
    );
  });

  it('--effort alone also asks for the auto summary, except with none', () => {
    expect(buildClientConfig(options(['-e', 'low']), {}, mock).reasoning).toEqual({ effort: 'low', summary: 'auto' });
    expect(buildClientConfig(options(['-e', 'none']), {}, mock).reasoning).toEqual({ effort: 'none' });
    expect(buildClientConfig(options(['-e', 'high', '--summary', 'concise']), {}, mock).reasoning).toEqual({
      effort: 'high',
      summary: 'concise',
    });
    expect(buildClientConfig(options(['--summary', 'detailed']), {}, mock).reasoning).toEqual({ summary: 'detailed' });
  });

  it('passes the transport through', () => {
    expect(buildClientConfig(options(['--transport', 'sse']), {}, mock)).toEqual({ ...mock, transport: 'sse' });
    expect(buildClientConfig(options([]), {}, mock)).not.toHaveProperty('transport');
  });

  it('passes model and verbosity through', () => {
    expect(buildClientConfig(options(['-m', 'gpt-5.3-codex', '--verbosity', 'high']), {}, mock)).toEqual({
      ...mock,
      model: 'gpt-5.3-codex',
      textVerbosity: 'high',
    });
  });
});
