/**
 * From parsed options and the environment to a `CodexClientConfig` and a few words about where
 * the turn goes. Pure apart from the `exists` file test, which callers may inject.
 */
import { existsSync } from 'node:fs';
import { resolveAuthFilePath, resolveCodexCliAuthPath } from '../auth/resolveCodexAuth.js';
import type { CodexClientConfig } from '../client/config.js';
import type { RunOptions } from './args.js';

/** Where credentials for `--live` were found, for the banner; never the token itself. */
export type CredentialSource = { kind: 'env' } | { kind: 'auth-file'; path: string } | { kind: 'codex-cli'; path: string };

const nonBlank = (value: string | undefined): value is string => value !== undefined && value.trim() !== '';

/**
 * Looks for credentials in the order the client resolves them, without reading or
 * refreshing anything: env `OPENAI_CODEX_ACCESS_TOKEN`, the codex-rx auth file, the Codex CLI's.
 *
 * @param env The environment.
 * @param exists A file test.
 * @return The first source present, or `undefined`.
 */
export function findCredentialSource(env: NodeJS.ProcessEnv, exists: (path: string) => boolean = existsSync): CredentialSource | undefined {
  if (nonBlank(env.OPENAI_CODEX_ACCESS_TOKEN)) return { kind: 'env' };
  const authFile = resolveAuthFilePath({ env });
  if (exists(authFile)) return { kind: 'auth-file', path: authFile };
  const codexCli = resolveCodexCliAuthPath({ env });
  if (exists(codexCli)) return { kind: 'codex-cli', path: codexCli };
  return undefined;
}

/** Describes a credential source for people. */
export function describeCredentialSource(source: CredentialSource): string {
  switch (source.kind) {
    case 'env':
      return 'OPENAI_CODEX_ACCESS_TOKEN';
    case 'auth-file':
    case 'codex-cli':
      return source.path;
  }
}

/** The line that says where the turn goes; printed on stderr before streaming. */
export function backendBanner(options: RunOptions, target: string, credentials: CredentialSource | undefined): string {
  if (options.backend === 'live') {
    return options.auth === 'api-key'
      ? `codex-rx: live OpenAI API at ${target}, with the API key from OPENAI_API_KEY`
      : `codex-rx: live Codex backend at ${target}`;
  }
  const hint =
    credentials === undefined
      ? 'no credentials found; to use the real backend set OPENAI_CODEX_ACCESS_TOKEN or sign in with `codex`, then add --live'
      : `credentials found in ${describeCredentialSource(credentials)}; add --live to use the real backend`;
  return `codex-rx: embedded mock Codex server at ${target}, playing a scripted turn (${hint})`;
}

/**
 * The client configuration of a run.
 *
 * 1. Mock: the mock's base URL and a fake token for a fixed demo account (never a real one).
 * 2. Live with `--auth api-key`: `auth: 'api-key'` with env `OPENAI_API_KEY`, `OPENAI_ORG_ID` and
 *    `OPENAI_PROJECT_ID`, and `--base-url` (else the client's platform default).
 * 2a. Live: `--base-url`, else env `OPENAI_CODEX_BASE_URL`; `--model`, else env
 *    `OPENAI_CODEX_MODEL` (the Rust client's app-level overrides).
 * 2b. Live, either way: `env` itself, where the client finds what it reads from the
 *    environment (token, auth files, `CODEX_HOME`, `HOME`), never in process.env behind it.
 * 3. `--effort` alone also asks for the `auto` summary, so reasoning shows (not with `none`,
 *    which allows no summary).
 *
 * @param options The parsed options.
 * @param env The environment.
 * @param mock The embedded server's base URL and token, in mock mode.
 * @return The config for `new CodexClient(…)`.
 */
export function buildClientConfig(
  options: RunOptions,
  env: NodeJS.ProcessEnv,
  mock?: { baseUrl: string; accessToken: string },
): CodexClientConfig {
  const config: CodexClientConfig = {};
  if (options.backend === 'mock') {
    if (mock === undefined) throw new TypeError('buildClientConfig: the mock backend needs the mock server');
    config.baseUrl = mock.baseUrl;
    config.accessToken = mock.accessToken;
  } else if (options.auth === 'api-key') {
    // The platform API: its own default base URL (OPENAI_CODEX_BASE_URL names the ChatGPT
    // backend's), and the key, organization and project from this run's environment.
    config.auth = 'api-key';
    if (options.baseUrl !== undefined) config.baseUrl = options.baseUrl;
    if (env.OPENAI_API_KEY !== undefined) config.apiKey = env.OPENAI_API_KEY;
    if (nonBlank(env.OPENAI_ORG_ID)) config.organization = env.OPENAI_ORG_ID.trim();
    if (nonBlank(env.OPENAI_PROJECT_ID)) config.project = env.OPENAI_PROJECT_ID.trim();
  } else {
    const baseUrl = options.baseUrl ?? (nonBlank(env.OPENAI_CODEX_BASE_URL) ? env.OPENAI_CODEX_BASE_URL.trim() : undefined);
    if (baseUrl !== undefined) config.baseUrl = baseUrl;
  }
  if (options.backend === 'live') config.env = env;
  const model =
    options.model ?? (options.backend === 'live' && nonBlank(env.OPENAI_CODEX_MODEL) ? env.OPENAI_CODEX_MODEL.trim() : undefined);
  if (model !== undefined) config.model = model;
  if (options.effort !== undefined || options.summary !== undefined) {
    const summary = options.summary ?? (options.effort !== undefined && options.effort !== 'none' ? 'auto' : undefined);
    config.reasoning = {
      ...(options.effort !== undefined ? { effort: options.effort } : {}),
      ...(summary !== undefined ? { summary } : {}),
    };
  }
  if (options.verbosity !== undefined) config.textVerbosity = options.verbosity;
  if (options.transport !== undefined) config.transport = options.transport;
  return config;
}
