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
import { resolveRetryConfig, type RetryConfig } from '../retry/config.js';
import { checkExtraHeaders, checkSessionId } from './extraHeaders.js';
import type { Diagnostic } from '../types.js';

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
   * The backend base URL; `/codex/responses` is appended after stripping trailing slashes.
   * Must be an absolute `http:` or `https:` URL.
   * @default 'https://chatgpt.com/backend-api'
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
   * Retry policy (validated by `resolveRetryConfig`).
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
   * Accepted for compatibility with the Rust client's config and **never sent** (the Codex backend
   * rejects it). An integer when set.
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
}

/** How turns reach the backend: HTTP with server-sent events, a WebSocket, or the WebSocket with HTTP as fallback. */
export type TransportMode = 'sse' | 'websocket' | 'auto';

/** Every {@link TransportMode}. */
export const TRANSPORT_MODES: readonly TransportMode[] = ['sse', 'websocket', 'auto'];

/** A validated `CodexClientConfig` with its defaults filled in. */
export interface ResolvedClientConfig {
  readonly baseUrl: string;
  readonly model: string;
  readonly accessToken?: string;
  readonly authFile?: string;
  readonly originator: string;
  readonly reasoning?: Readonly<ReasoningConfig>;
  readonly textVerbosity?: TextVerbosity;
  readonly parallelToolCalls: boolean;
  readonly temperature?: number;
  readonly topP?: number;
  /** The user's retry options as given (validated); `resolveRetryConfig` fills the defaults. */
  readonly retry?: RetryConfig;
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
}

/** Alias of {@link ResolvedClientConfig}. */
export type ResolvedCodexClientConfig = ResolvedClientConfig;

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
} as const);

const MAX_TIMER_DELAY_MS = 2_147_483_647;

const KNOWN_KEYS: ReadonlySet<string> = new Set<keyof CodexClientConfig>([
  'baseUrl',
  'model',
  'accessToken',
  'authFile',
  'originator',
  'reasoning',
  'textVerbosity',
  'parallelToolCalls',
  'temperature',
  'topP',
  'retry',
  'idleTimeoutMs',
  'headersTimeoutMs',
  'authTokenUrl',
  'dispatcher',
  'onDiagnostic',
  'scheduler',
  'transport',
  'maxOutputTokens',
  'pricingModel',
  'stream',
  'sessionId',
  'headers',
]);

/** A short description of a bad value for an error message (never the value of a secret). */
function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint' || value == null) {
    return String(value);
  }
  if (Array.isArray(value)) return 'an array';
  return article(typeof value);
}

/** `a number`, `an object`. */
function article(noun: string): string {
  return `${/^[aeiou]/.test(noun) ? 'an' : 'a'} ${noun}`;
}

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

function optionalString(config: Record<string, unknown>, key: string): string | undefined {
  const value = config[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') {
    // The access token's value is a secret: never echo it, even when it has the wrong type.
    const got = key === 'accessToken' ? article(typeof value) : describe(value);
    throw new ConfigError(`${key} must be a string, got ${got}`);
  }
  return value;
}

function httpUrl(config: Record<string, unknown>, key: string, fallback: string): string {
  const value = optionalString(config, key) ?? fallback;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    // Not echoed: a URL may carry credentials.
    throw new ConfigError(`${key} must be an absolute http(s) URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`${key} must be an absolute http(s) URL, got protocol ${JSON.stringify(url.protocol)}`);
  }
  return value;
}

function optionalEnum<T extends string>(value: unknown, name: string, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new ConfigError(`${name} must be one of ${allowed.join(', ')}, got ${describe(value)}`);
  }
  return value as T;
}

function optionalNumber(config: Record<string, unknown>, key: string): number | undefined {
  const value = config[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'number') throw new ConfigError(`${key} must be a number, got ${describe(value)}`);
  return value;
}

function optionalBoolean(config: Record<string, unknown>, key: string, fallback: boolean): boolean {
  const value = config[key];
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new ConfigError(`${key} must be a boolean, got ${describe(value)}`);
  return value;
}

function timeoutMs(config: Record<string, unknown>, key: string, fallback: number): number {
  const value = config[key];
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !(value > 0) || value > MAX_TIMER_DELAY_MS) {
    throw new ConfigError(`${key} must be a positive number of milliseconds, at most ${MAX_TIMER_DELAY_MS}, got ${describe(value)}`);
  }
  return value;
}

function optionalFunction<F>(config: Record<string, unknown>, key: string): F | undefined {
  const value = config[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'function') throw new ConfigError(`${key} must be a function, got ${describe(value)}`);
  return value as F;
}

function readReasoning(value: unknown): ReasoningConfig | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigError(`reasoning must be an object, got ${describe(value)}`);
  }
  const raw = value as Record<string, unknown>;
  for (const key of Object.keys(raw)) {
    if (key !== 'effort' && key !== 'summary') throw new ConfigError(`Unexpected config option: reasoning.${key}`);
  }
  const effort = optionalEnum(raw.effort, 'reasoning.effort', REASONING_EFFORTS);
  const summary = optionalEnum(raw.summary, 'reasoning.summary', REASONING_SUMMARIES);
  return Object.freeze({
    ...(effort !== undefined && { effort }),
    ...(summary !== undefined && { summary }),
  });
}

/**
 * Validates a `CodexClientConfig` and fills in its defaults.
 *
 * 1. The config must be an object (or `undefined`); unknown keys throw
 *    `Unexpected config option: <key>` (got's rule), checked before anything else.
 * 2. Each option is type-checked in declaration order (URLs absolute http(s), timeouts positive
 *    and ≤ 2147483647 ms, enum values known, `originator` a valid header value, …). The access
 *    token's value never appears in a message.
 * 3. The Rust client's rules, in its order and with its messages (docs/behaviour.md#configuration-checks):
 *    temperature in [0, 2]; top_p in [0, 1]; no reasoning summary when the effort resolves to
 *    `none`; no temperature/top_p when the model and effort do not accept sampling.
 * 4. `retry` is checked by `resolveRetryConfig` and kept as given.
 *
 * Environment variables are not read here (the auth resolver reads the token ones).
 *
 * @param config The user's options.
 * @return A frozen, normalized config.
 * @throws ConfigError when an option is unknown or invalid.
 */
export function resolveClientConfig(config?: CodexClientConfig): ResolvedClientConfig {
  if (config === undefined || config === null) config = {};
  if (typeof config !== 'object' || Array.isArray(config)) {
    throw new ConfigError(`CodexClientConfig must be an object, got ${describe(config)}`);
  }
  const raw = config as Record<string, unknown>;
  for (const key of Object.keys(raw)) {
    if (!KNOWN_KEYS.has(key)) throw new ConfigError(`Unexpected config option: ${key}`);
  }

  const baseUrl = httpUrl(raw, 'baseUrl', CLIENT_CONFIG_DEFAULTS.baseUrl);
  const model = optionalString(raw, 'model') ?? CLIENT_CONFIG_DEFAULTS.model;
  if (normalizeModel(model) === '') throw new ConfigError('model must be a non-empty model id');
  const accessToken = optionalString(raw, 'accessToken');
  const authFile = optionalString(raw, 'authFile');
  const originator = optionalString(raw, 'originator') ?? CLIENT_CONFIG_DEFAULTS.originator;
  if (invalidHeaderCharIndex(originator) !== -1) {
    // The Rust client's message (it failed when building headers); here it fails at construction.
    throw new ConfigError('Invalid OpenAI Codex originator header');
  }
  const reasoning = readReasoning(raw.reasoning);
  const textVerbosity = optionalEnum(raw.textVerbosity, 'textVerbosity', TEXT_VERBOSITIES);
  const parallelToolCalls = optionalBoolean(raw, 'parallelToolCalls', CLIENT_CONFIG_DEFAULTS.parallelToolCalls);
  const temperature = optionalNumber(raw, 'temperature');
  const topP = optionalNumber(raw, 'topP');
  const retry = raw.retry as RetryConfig | undefined;
  const idleTimeoutMs = timeoutMs(raw, 'idleTimeoutMs', CLIENT_CONFIG_DEFAULTS.idleTimeoutMs);
  const headersTimeoutMs = timeoutMs(raw, 'headersTimeoutMs', CLIENT_CONFIG_DEFAULTS.headersTimeoutMs);
  const authTokenUrl = httpUrl(raw, 'authTokenUrl', CLIENT_CONFIG_DEFAULTS.authTokenUrl);
  const dispatcher = raw.dispatcher as Dispatcher | undefined;
  if (dispatcher !== undefined && (typeof dispatcher !== 'object' || dispatcher === null || typeof dispatcher.dispatch !== 'function')) {
    throw new ConfigError(`dispatcher must be an undici Dispatcher (an object with a dispatch method), got ${describe(dispatcher)}`);
  }
  const onDiagnostic = optionalFunction<(d: Diagnostic) => void>(raw, 'onDiagnostic');
  const scheduler = raw.scheduler as SchedulerLike | undefined;
  if (
    scheduler !== undefined &&
    (typeof scheduler !== 'object' || scheduler === null || typeof scheduler.now !== 'function' || typeof scheduler.schedule !== 'function')
  ) {
    throw new ConfigError(`scheduler must be an rxjs SchedulerLike (with now and schedule), got ${describe(scheduler)}`);
  }
  const transport = optionalEnum(raw.transport, 'transport', TRANSPORT_MODES) ?? CLIENT_CONFIG_DEFAULTS.transport;
  const maxOutputTokens = optionalNumber(raw, 'maxOutputTokens');
  if (
    maxOutputTokens !== undefined &&
    (!Number.isInteger(maxOutputTokens) || maxOutputTokens < -2_147_483_648 || maxOutputTokens > 2_147_483_647)
  ) {
    // The Rust client's field is an i32.
    throw new ConfigError(`maxOutputTokens must be a 32-bit integer, got ${describe(maxOutputTokens)}`);
  }
  const pricingModel = optionalString(raw, 'pricingModel');
  const stream = optionalBoolean(raw, 'stream', CLIENT_CONFIG_DEFAULTS.stream);
  const sessionId = checkSessionId(raw.sessionId);
  const headers = checkExtraHeaders(raw.headers, 'headers');

  // The Rust client's validate(), in its order.
  if (temperature !== undefined && !(temperature >= 0 && temperature <= 2)) {
    throw new ConfigError(`OpenAI Codex temperature must be between 0.0 and 2.0, got ${rustFloat(temperature)}`);
  }
  if (topP !== undefined && !(topP >= 0 && topP <= 1)) {
    throw new ConfigError(`OpenAI Codex top_p must be between 0.0 and 1.0, got ${rustFloat(topP)}`);
  }
  const resolvedEffort = reasoning && resolveReasoningEffortForCodexModel(model, reasoning.effort);
  if (resolvedEffort === 'none' && reasoning?.summary !== undefined) {
    throw new ConfigError('OpenAI Codex reasoning summaries are not available when reasoning.effort resolves to "none"');
  }
  const normalized = normalizeModel(model);
  if ((temperature !== undefined || topP !== undefined) && !modelSupportsSamplingParameters(normalized, resolvedEffort)) {
    throw new ConfigError(
      `OpenAI Codex sampling parameters are not supported for model ${normalized} with the configured reasoning effort`,
    );
  }

  // Throws ConfigError on bad retry options; the original object is kept for the client.
  resolveRetryConfig(retry);

  return Object.freeze({
    baseUrl,
    model,
    ...(accessToken !== undefined && { accessToken }),
    ...(authFile !== undefined && { authFile }),
    originator,
    ...(reasoning !== undefined && { reasoning }),
    ...(textVerbosity !== undefined && { textVerbosity }),
    parallelToolCalls,
    ...(temperature !== undefined && { temperature }),
    ...(topP !== undefined && { topP }),
    ...(retry !== undefined && { retry }),
    idleTimeoutMs,
    headersTimeoutMs,
    authTokenUrl,
    ...(dispatcher !== undefined && { dispatcher }),
    ...(onDiagnostic !== undefined && { onDiagnostic }),
    ...(scheduler !== undefined && { scheduler }),
    transport,
    ...(maxOutputTokens !== undefined && { maxOutputTokens }),
    ...(pricingModel !== undefined && { pricingModel }),
    stream,
    ...(sessionId !== undefined && { sessionId }),
    ...(headers !== undefined && { headers: Object.freeze(headers) }),
  });
}
