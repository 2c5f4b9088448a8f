import type { SchedulerLike } from 'rxjs';
import type { Dispatcher } from 'undici';
import { ConfigError } from '../errors.js';
import {
  normalizeModel,
  modelSupportsSamplingParameters,
  REASONING_EFFORTS,
  REASONING_SUMMARIES,
  resolveReasoningEffortForCodexModel,
  TEXT_VERBOSITIES,
  type ReasoningEffort,
  type ReasoningSummary,
  type TextVerbosity,
} from '../request/models.js';
import { invalidHeaderCharIndex } from '../request/buildRequest.js';
import { resolveRetryConfig, type ResolvedRetryConfig, type RetryConfig } from '../retry/config.js';
import type { Diagnostic } from '../types.js';
import { resolveAccountSettings } from './apiKey.js';
import { checkExtraHeaders, checkSessionId } from './extraHeaders.js';
import {
  article,
  checkOptions,
  describe,
  isBoolean,
  isDispatcher,
  isFunction,
  isHttpUrl,
  isNumber,
  isOneOf,
  isScheduler,
  isSecretString,
  isString,
  isTimerMs,
  setOrOmit,
  type OptionRules,
} from './validate.js';

export type { ReasoningEffort, ReasoningSummary, TextVerbosity } from '../request/models.js';

/** Reasoning options (the Rust client's `ReasoningConfig`). */
export interface ReasoningConfig {
  /**
   * How hard the model thinks. Omitted means the model's default effort (`none` on gpt-5.5,
   * `xhigh` on gpt-5.3-codex, …), then clamped to what the model accepts (docs/behaviour.md#models-and-reasoning-effort).
   * @default the model's default effort
   */
  effort?: ReasoningEffort;
  /**
   * Reasoning summary verbosity. Omitted sends no `summary`. Not allowed when the effort
   * resolves to `none`.
   * @default undefined (no summary requested)
   */
  summary?: ReasoningSummary;
}

/**
 * Options of a `CodexClient`: the camelCase of the Rust client's `OpenAICodexConfig`, plus what it
 * lacked (timeouts, token endpoint, dispatcher, diagnostics, scheduler). Unknown keys are
 * rejected; an explicit `undefined` means the default.
 */
export interface CodexClientConfig {
  /**
   * The backend base URL; `/codex/responses` is appended after stripping trailing slashes
   * (`/responses` with an API key). Must be an absolute `http:` or `https:` URL.
   * @default 'https://chatgpt.com/backend-api', or 'https://api.openai.com/v1' with an API key
   */
  baseUrl?: string;
  /**
   * The model. A leading `openai/` is stripped before sending.
   * @default 'gpt-5.5'
   */
  model?: string;
  /**
   * A ChatGPT OAuth access token (a JWT carrying the account id). Blank means "not set".
   * @default undefined (then env `OPENAI_CODEX_ACCESS_TOKEN`, then the auth files)
   */
  accessToken?: string;
  /**
   * Which credentials, and so which API: `'chatgpt'`, a ChatGPT sign-in on the Codex backend; or
   * `'api-key'`, an OpenAI API key on the platform Responses API (`apiKey`, else env
   * `OPENAI_API_KEY`).
   * @default 'api-key' when `apiKey` is given, else 'chatgpt'
   */
  auth?: AuthMode;
  /**
   * An OpenAI API key (`sk-…`). Giving one selects the platform Responses API:
   * `{baseUrl}/responses`, the key as the bearer token, no ChatGPT account header. Blank means
   * "not set" (then env `OPENAI_API_KEY`). Cannot be combined with `accessToken` or `authFile`.
   * @default undefined (with `auth: 'api-key'`, env `OPENAI_API_KEY`)
   */
  apiKey?: string;
  /**
   * With an API key: the `OpenAI-Organization` header, for a key that belongs to several organizations.
   * @default env `OPENAI_ORG_ID`, else not sent
   */
  organization?: string;
  /**
   * With an API key: the `OpenAI-Project` header, for the project the usage is billed to.
   * @default env `OPENAI_PROJECT_ID`, else not sent
   */
  project?: string;
  /**
   * The codex-rx auth file (`{"openai-codex": {…}}`), refreshed and written back when expired.
   * @default env `OPENAI_CODEX_AUTH_FILE`, else `~/.codex-rx/auth.json`
   */
  authFile?: string;
  /**
   * The `originator` header.
   * @default 'pi'
   */
  originator?: string;
  /**
   * Reasoning options. Without them no `reasoning` field is sent; `{}` sends the model's
   * default effort.
   * @default undefined
   */
  reasoning?: ReasoningConfig;
  /**
   * Sent as `text.verbosity` when set.
   * @default undefined
   */
  textVerbosity?: TextVerbosity;
  /**
   * Sent as `parallel_tool_calls` (always present in the body).
   * @default false
   */
  parallelToolCalls?: boolean;
  /**
   * Sampling temperature in [0, 2]. Only models/efforts that accept sampling may set it
   * (gpt-5.5 only with effort `none`); the constructor rejects other combinations.
   * @default undefined
   */
  temperature?: number;
  /**
   * Nucleus sampling in [0, 1]; same model rule as `temperature`.
   * @default undefined
   */
  topP?: number;
  /**
   * Retry policy.
   * @default the RetryConfig defaults (3 retries, 1 s initial backoff, ×2, 60 s cap, jitter)
   */
  retry?: RetryConfig;
  /**
   * No body bytes for this long is an `IdleTimeoutError`. A positive number of milliseconds,
   * at most 2147483647 (the largest timer delay).
   * @default 300000
   */
  idleTimeoutMs?: number;
  /**
   * No response headers for this long is an `IdleTimeoutError`. Same range as `idleTimeoutMs`.
   * @default 300000
   */
  headersTimeoutMs?: number;
  /**
   * The OAuth token endpoint used to refresh an expired token of the codex-rx auth file.
   * Must be an absolute `http:` or `https:` URL.
   * @default 'https://auth.openai.com/oauth/token'
   */
  authTokenUrl?: string;
  /**
   * The undici Dispatcher requests go through (pooling, proxies, mocks).
   * @default undefined (a shared Agent: 30 s connect timeout, 120 s keep-alive)
   */
  dispatcher?: Dispatcher;
  /**
   * Told about things that are not errors (skipped unparsable payloads, retries).
   * @default undefined
   */
  onDiagnostic?: (diagnostic: Diagnostic) => void;
  /**
   * The scheduler of every timer (backoff waits, timeouts), so `TestScheduler` can drive them.
   * @default undefined (rxjs' asyncScheduler)
   */
  scheduler?: SchedulerLike;
  /**
   * How turns reach the backend: `'sse'` posts each request over HTTP and reads server-sent
   * events; `'websocket'` keeps one WebSocket per client and sends only what is new in a
   * conversation; `'auto'` tries the WebSocket and falls back to HTTP for good when its
   * handshake fails (reported through `onDiagnostic` as `transport-fallback`).
   * @default 'auto'
   */
  transport?: TransportMode;
  /**
   * With an API key, sent as `max_output_tokens`. On the ChatGPT backend it is accepted for
   * compatibility with the Rust client's config and **never sent** (that backend rejects it).
   * An integer when set.
   * @default undefined
   */
  maxOutputTokens?: number;
  /**
   * A model id used for pricing/accounting only; never sent.
   * @default undefined
   */
  pricingModel?: string;
  /**
   * Sent as `stream` (always present). The response is parsed as SSE either way, as in the Rust client.
   * @default true
   */
  stream?: boolean;
  /**
   * The session id, sent as the `session_id` header and as `prompt_cache_key`. Keep one per
   * conversation and reuse it after a restart (store it with the conversation), so the backend's
   * prompt cache keeps serving it. At most 64 characters.
   * @default a new UUID per client
   */
  sessionId?: string;
  /**
   * Extra headers sent with every request (a call's `headers` add to them). They cannot replace
   * a header the client sets itself (credentials, account, session, content negotiation):
   * such a name is a `ConfigError`. `user-agent` may be replaced.
   * @default undefined
   */
  headers?: Record<string, string>;
  /**
   * The environment the client reads its variables from: `OPENAI_CODEX_ACCESS_TOKEN`,
   * `OPENAI_CODEX_AUTH_FILE`, `CODEX_HOME` and `HOME`, and with an API key `OPENAI_API_KEY`,
   * `OPENAI_ORG_ID` and `OPENAI_PROJECT_ID`. Pass one to run with another environment than
   * the process's (a CLI given its env, a test).
   * @default process.env
   */
  env?: NodeJS.ProcessEnv;
}

/** How turns reach the backend: HTTP with server-sent events, a WebSocket, or the WebSocket with HTTP as fallback. */
export type TransportMode = 'sse' | 'websocket' | 'auto';

/** Every {@link TransportMode}. */
export const TRANSPORT_MODES: readonly TransportMode[] = ['sse', 'websocket', 'auto'];

/** Which credentials, and so which API, a client uses: a ChatGPT sign-in or an OpenAI API key. */
export type AuthMode = 'chatgpt' | 'api-key';

/** Every {@link AuthMode}. */
export const AUTH_MODES: readonly AuthMode[] = ['chatgpt', 'api-key'];

/** A validated `CodexClientConfig` with its defaults filled in. */
export interface ResolvedClientConfig {
  readonly baseUrl: string;
  readonly auth: AuthMode;
  /** The API key (`apiKey`, else env `OPENAI_API_KEY`): present exactly when `auth` is `'api-key'`. */
  readonly apiKey?: string;
  /** `organization`, else env `OPENAI_ORG_ID`; API-key mode only. */
  readonly organization?: string;
  /** `project`, else env `OPENAI_PROJECT_ID`; API-key mode only. */
  readonly project?: string;
  readonly model: string;
  readonly accessToken?: string;
  readonly authFile?: string;
  readonly originator: string;
  readonly reasoning?: Readonly<ReasoningConfig>;
  readonly textVerbosity?: TextVerbosity;
  readonly parallelToolCalls: boolean;
  readonly temperature?: number;
  readonly topP?: number;
  /** The retry policy with its defaults, resolved once here. */
  readonly retry: ResolvedRetryConfig;
  readonly idleTimeoutMs: number;
  readonly headersTimeoutMs: number;
  readonly authTokenUrl: string;
  readonly dispatcher?: Dispatcher;
  readonly onDiagnostic?: (diagnostic: Diagnostic) => void;
  readonly scheduler?: SchedulerLike;
  readonly transport: TransportMode;
  readonly maxOutputTokens?: number;
  readonly pricingModel?: string;
  readonly stream: boolean;
  readonly sessionId?: string;
  /** Extra headers, names lower-cased. */
  readonly headers?: Readonly<Record<string, string>>;
  readonly env?: NodeJS.ProcessEnv;
}

/** The defaults of every defaulted option. */
export const CLIENT_CONFIG_DEFAULTS = Object.freeze({
  baseUrl: 'https://chatgpt.com/backend-api',
  model: 'gpt-5.5',
  originator: 'pi',
  parallelToolCalls: false,
  idleTimeoutMs: 300_000,
  headersTimeoutMs: 300_000,
  authTokenUrl: 'https://auth.openai.com/oauth/token',
  stream: true,
  transport: 'auto',
  /** The platform Responses API: the base URL with an API key. */
  apiKeyBaseUrl: 'https://api.openai.com/v1',
} as const);

const D = CLIENT_CONFIG_DEFAULTS;

/** A string that can be sent as a header value. */
const isHeaderValue = (value: unknown): string | undefined =>
  isString(value) ?? (invalidHeaderCharIndex(value as string) === -1 ? undefined : 'contains a character that cannot be sent in a header');

const REASONING_RULES: OptionRules<ReasoningConfig> = {
  effort: { check: isOneOf(REASONING_EFFORTS), fix: "Pick one of those, or leave it out for the model's default effort." },
  summary: { check: isOneOf(REASONING_SUMMARIES), fix: 'Pick one of those, or leave it out to request no summary.' },
};

/** One rule per option of `CodexClientConfig`: a new field without a rule does not compile. */
const CLIENT_RULES: OptionRules<CodexClientConfig> = {
  baseUrl: { check: isHttpUrl, fix: setOrOmit('baseUrl', 'an absolute http(s) URL', D.baseUrl) },
  model: {
    check: (v) => isString(v) ?? (normalizeModel(v as string) === '' ? 'must be a non-empty model id' : undefined),
    fix: setOrOmit('model', "a model id such as 'gpt-5.5'", D.model),
  },
  // The token's value is a secret: a wrong type is described by its kind only.
  accessToken: {
    check: isSecretString,
    fix: 'Pass the access token as a string, or leave it out to read OPENAI_CODEX_ACCESS_TOKEN or an auth file.',
  },
  auth: { check: isOneOf(AUTH_MODES), fix: "Pick one of those, or leave auth out ('api-key' when apiKey is given, else 'chatgpt')." },
  // The key's value is a secret: a wrong type is described by its kind only.
  apiKey: { check: isSecretString, fix: "Pass the API key as a string, or leave it out to read OPENAI_API_KEY with auth: 'api-key'." },
  organization: { check: isHeaderValue, fix: 'Set organization to an organization id (org-…), or leave it out for OPENAI_ORG_ID.' },
  project: { check: isHeaderValue, fix: 'Set project to a project id (proj_…), or leave it out for OPENAI_PROJECT_ID.' },
  authFile: { check: isString, fix: 'Set authFile to a file path, or leave it out for OPENAI_CODEX_AUTH_FILE or ~/.codex-rx/auth.json.' },
  originator: { check: isString, fix: setOrOmit('originator', 'a header-safe string', `'${D.originator}'`) },
  reasoning: {
    check: (v) => {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) return `must be an object, got ${describe(v)}`;
      checkOptions(v, REASONING_RULES, 'config', { path: 'reasoning.' });
      return undefined;
    },
    fix: 'Pass { effort?, summary? }, or leave reasoning out to send none.',
  },
  textVerbosity: { check: isOneOf(TEXT_VERBOSITIES), fix: 'Pick one of those, or leave textVerbosity out to send none.' },
  parallelToolCalls: { check: isBoolean, fix: setOrOmit('parallelToolCalls', 'true or false', String(D.parallelToolCalls)) },
  temperature: { check: isNumber, fix: 'Set temperature to a number from 0 to 2, or leave it out.' },
  topP: { check: isNumber, fix: 'Set topP to a number from 0 to 1, or leave it out.' },
  // Its fields are checked where it is resolved, below, by the retry policy's own rules.
  retry: {
    check: (v) => (typeof v === 'object' && v !== null && !Array.isArray(v) ? undefined : `must be an object, got ${describe(v)}`),
    fix: 'Pass RetryConfig options such as { maxRetries: 1 }, or leave retry out for the defaults.',
  },
  idleTimeoutMs: { check: isTimerMs, fix: setOrOmit('idleTimeoutMs', 'a value in that range', String(D.idleTimeoutMs)) },
  headersTimeoutMs: { check: isTimerMs, fix: setOrOmit('headersTimeoutMs', 'a value in that range', String(D.headersTimeoutMs)) },
  authTokenUrl: { check: isHttpUrl, fix: setOrOmit('authTokenUrl', 'an absolute http(s) URL', D.authTokenUrl) },
  dispatcher: {
    check: isDispatcher,
    fix: "Pass an undici Agent, Pool or ProxyAgent, or leave dispatcher out for codex-rx's shared Agent.",
  },
  onDiagnostic: { check: isFunction, fix: 'Pass a function of one Diagnostic, or leave onDiagnostic out.' },
  scheduler: {
    check: isScheduler,
    fix: "Pass an rxjs scheduler (a TestScheduler in tests), or leave scheduler out for rxjs' asyncScheduler.",
  },
  transport: { check: isOneOf(TRANSPORT_MODES), fix: setOrOmit('transport', 'one of those', `'${D.transport}'`) },
  maxOutputTokens: {
    // The Rust client's field is an i32.
    check: (v) =>
      typeof v === 'number' && Number.isInteger(v) && v >= -2_147_483_648 && v <= 2_147_483_647
        ? undefined
        : `must be a 32-bit integer, got ${describe(v)}`,
    fix: 'Set maxOutputTokens to a whole number, or leave it out (it is never sent to the ChatGPT backend).',
  },
  pricingModel: { check: isString, fix: 'Set pricingModel to a model id, or leave it out.' },
  stream: { check: isBoolean, fix: setOrOmit('stream', 'true or false', String(D.stream)) },
  // These two explain themselves (their messages say what to change): checked where they are read, below.
  sessionId: { check: () => undefined, fix: '' },
  headers: { check: () => undefined, fix: '' },
  // Its values may be secrets: a wrong kind is described by its kind only.
  env: {
    check: (v) =>
      typeof v === 'object' && v !== null && !Array.isArray(v)
        ? undefined
        : `must be an object, got ${Array.isArray(v) ? 'an array' : v === null ? 'null' : article(typeof v)}`,
    fix: 'Pass an object of environment variables such as process.env, or leave env out to read process.env.',
  },
};

/**
 * A float as Rust's `Display` prints it in the Rust client's messages (`2.5`, `-1`, `NaN`, `inf`).
 * Finite values use JavaScript's shortest form, which matches for ordinary inputs.
 */
function rustFloat(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return 'inf';
  if (value === -Infinity) return '-inf';
  return String(value);
}

/**
 * Validates a `CodexClientConfig` and fills in its defaults.
 *
 * 1. The config must be an object (or `undefined`); unknown keys throw
 *    `Unexpected config option: <key>` (got's rule), checked before anything else.
 * 2. Each option is checked by its rule, in declaration order (URLs absolute http(s), timeouts
 *    positive and at most 2147483647 ms, enum values known, …). The access token's value never
 *    appears in a message.
 * 3. The Rust client's rules, in its order and with its messages (docs/behaviour.md#configuration-checks):
 *    temperature in [0, 2]; top_p in [0, 1]; no reasoning summary when the effort resolves to
 *    `none`; no temperature/top_p when the model and effort do not accept sampling.
 * 4. `retry` is resolved here, once, with its defaults.
 * 5. The credentials' mode: an API key (`apiKey`, or `auth: 'api-key'` with env
 *    `OPENAI_API_KEY`) is resolved here with its organization and project (env `OPENAI_ORG_ID`,
 *    `OPENAI_PROJECT_ID`), and selects the platform API's base URL; mixing it with ChatGPT
 *    credentials, or asking for it without a key, is a `ConfigError`. The ChatGPT token env vars
 *    and files are read later, per call, by the auth resolver.
 *
 * Every message says what to change. `config.env`, when given, stands in for `env`.
 *
 * @param config The user's options.
 * @param env Where the API key, organization and project are read from when not given.
 * @return A frozen, normalized config.
 * @throws ConfigError when an option is unknown or invalid.
 */
export function resolveClientConfig(config?: CodexClientConfig, env: NodeJS.ProcessEnv = process.env): ResolvedClientConfig {
  if (config !== undefined && config !== null && (typeof config !== 'object' || Array.isArray(config))) {
    throw new ConfigError(
      `CodexClientConfig must be an object, got ${describe(config)}. Pass an object of options, or nothing for the defaults.`,
    );
  }
  const given = checkOptions(config, CLIENT_RULES, 'config');
  const account = resolveAccountSettings(given, given.env ?? env);
  const model = given.model ?? D.model;
  const originator = given.originator ?? D.originator;
  if (invalidHeaderCharIndex(originator) !== -1) {
    // The Rust client's message (it failed when building headers); here it fails at construction.
    throw new ConfigError('Invalid OpenAI Codex originator header. Use visible ASCII characters and spaces only in originator.');
  }
  const reasoning =
    given.reasoning === undefined
      ? undefined
      : Object.freeze({
          ...(given.reasoning.effort !== undefined && { effort: given.reasoning.effort }),
          ...(given.reasoning.summary !== undefined && { summary: given.reasoning.summary }),
        });
  const { temperature, topP } = given;
  const sessionId = checkSessionId(given.sessionId);
  const headers = checkExtraHeaders(given.headers, 'headers');

  // The Rust client's validate(), in its order.
  if (temperature !== undefined && !(temperature >= 0 && temperature <= 2)) {
    throw new ConfigError(
      `OpenAI Codex temperature must be between 0.0 and 2.0, got ${rustFloat(temperature)}. Set temperature from 0 to 2, or leave it out.`,
    );
  }
  if (topP !== undefined && !(topP >= 0 && topP <= 1)) {
    throw new ConfigError(`OpenAI Codex top_p must be between 0.0 and 1.0, got ${rustFloat(topP)}. Set topP from 0 to 1, or leave it out.`);
  }
  const resolvedEffort = reasoning && resolveReasoningEffortForCodexModel(model, reasoning.effort);
  if (resolvedEffort === 'none' && reasoning?.summary !== undefined) {
    throw new ConfigError(
      'OpenAI Codex reasoning summaries are not available when reasoning.effort resolves to "none". ' +
        'Remove reasoning.summary, or set reasoning.effort to a level above "none".',
    );
  }
  const normalized = normalizeModel(model);
  if ((temperature !== undefined || topP !== undefined) && !modelSupportsSamplingParameters(normalized, resolvedEffort)) {
    throw new ConfigError(
      `OpenAI Codex sampling parameters are not supported for model ${normalized} with the configured reasoning effort. ` +
        'Remove temperature and topP, or use a model and reasoning.effort that accept them (reasoning.effort "none" on gpt-5.5).',
    );
  }

  return Object.freeze({
    baseUrl: given.baseUrl ?? (account.auth === 'api-key' ? D.apiKeyBaseUrl : D.baseUrl),
    ...account,
    model,
    ...(given.accessToken !== undefined && { accessToken: given.accessToken }),
    ...(given.authFile !== undefined && { authFile: given.authFile }),
    originator,
    ...(reasoning !== undefined && { reasoning }),
    ...(given.textVerbosity !== undefined && { textVerbosity: given.textVerbosity }),
    parallelToolCalls: given.parallelToolCalls ?? D.parallelToolCalls,
    ...(temperature !== undefined && { temperature }),
    ...(topP !== undefined && { topP }),
    retry: resolveRetryConfig(given.retry),
    idleTimeoutMs: given.idleTimeoutMs ?? D.idleTimeoutMs,
    headersTimeoutMs: given.headersTimeoutMs ?? D.headersTimeoutMs,
    authTokenUrl: given.authTokenUrl ?? D.authTokenUrl,
    ...(given.dispatcher !== undefined && { dispatcher: given.dispatcher }),
    ...(given.onDiagnostic !== undefined && { onDiagnostic: given.onDiagnostic }),
    ...(given.scheduler !== undefined && { scheduler: given.scheduler }),
    transport: given.transport ?? D.transport,
    ...(given.maxOutputTokens !== undefined && { maxOutputTokens: given.maxOutputTokens }),
    ...(given.pricingModel !== undefined && { pricingModel: given.pricingModel }),
    stream: given.stream ?? D.stream,
    ...(sessionId !== undefined && { sessionId }),
    ...(headers !== undefined && { headers: Object.freeze(headers) }),
    ...(given.env !== undefined && { env: given.env }),
  });
}
