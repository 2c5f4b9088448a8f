/**
 * API-key mode: an OpenAI API key on the platform Responses API instead of a ChatGPT sign-in on
 * the Codex backend. What differs is here: which mode a config selects (and which settings
 * cannot go with it), the endpoint, the headers, `max_output_tokens`, and the wording of the
 * platform's refusals. Everything else (the pipeline, retry, transports, the agent loop) is shared.
 */
import type { ResolvedAuth } from '../auth/index.js';
import { AuthError, CodexHttpError, ConfigError, UsageLimitError } from '../errors.js';
import { invalidHeaderCharIndex, type ResponseCreateBody } from '../request/buildRequest.js';
import { shortened } from './httpError.js';
import { apiKeyUsageLimitError } from '../usageLimit.js';
import type { AuthMode, CodexClientConfig } from './config.js';

/** The env var an API key is read from with `auth: 'api-key'`. */
export const API_KEY_ENV = 'OPENAI_API_KEY';

/** What a config says about credentials, once resolved. */
export type AccountSettings = { auth: 'chatgpt' } | { auth: 'api-key'; apiKey: string; organization?: string; project?: string };

const nonBlank = (value: string | undefined): value is string => value !== undefined && value.trim() !== '';

/**
 * Which credentials a client uses, and the API-key settings with the env filled in.
 *
 * 1. `auth` if given; else `'api-key'` when `apiKey` is given (even blank), else `'chatgpt'`.
 * 2. A ChatGPT client takes no `apiKey`, `organization` or `project` (they would be ignored).
 * 3. An API-key client takes no `accessToken` or `authFile` (ChatGPT credentials).
 * 4. The key: `apiKey`, else env `OPENAI_API_KEY`, trimmed; none is a `ConfigError` now rather
 *    than at the first request. The organization and project: the option, else env
 *    `OPENAI_ORG_ID` / `OPENAI_PROJECT_ID`.
 *
 * No message ever shows the key.
 *
 * @param given The checked options (each has the right type already).
 * @param env The environment.
 * @return The mode, with the key, organization and project in API-key mode.
 * @throws ConfigError for a conflict or a missing key, saying what to change.
 */
export function resolveAccountSettings(given: CodexClientConfig, env: NodeJS.ProcessEnv): AccountSettings {
  const mode: AuthMode = given.auth ?? (given.apiKey !== undefined ? 'api-key' : 'chatgpt');
  if (mode === 'chatgpt') {
    if (nonBlank(given.apiKey)) {
      throw new ConfigError(
        "apiKey cannot be used with auth 'chatgpt'. Remove auth (an apiKey selects 'api-key'), or remove apiKey to use a ChatGPT sign-in.",
      );
    }
    for (const key of ['organization', 'project'] as const) {
      if (given[key] !== undefined) {
        throw new ConfigError(
          `${key} is sent only with an API key, and this client uses a ChatGPT sign-in. Pass apiKey (or set auth: 'api-key'), or remove ${key}.`,
        );
      }
    }
    return { auth: 'chatgpt' };
  }

  const chosen = given.apiKey !== undefined ? 'apiKey' : "auth 'api-key'";
  if (nonBlank(given.accessToken)) {
    throw new ConfigError(
      `${chosen} and accessToken cannot be used together: accessToken is a ChatGPT sign-in. ` +
        `Remove accessToken to use the API key, or remove ${chosen === 'apiKey' ? 'apiKey' : "auth: 'api-key'"} to use the ChatGPT token.`,
    );
  }
  if (given.authFile !== undefined) {
    throw new ConfigError(
      `${chosen} and authFile cannot be used together: authFile holds a ChatGPT sign-in. ` +
        `Remove authFile to use the API key, or remove ${chosen === 'apiKey' ? 'apiKey' : "auth: 'api-key'"} to use the sign-in.`,
    );
  }

  const fromConfig = nonBlank(given.apiKey);
  const apiKey = fromConfig ? given.apiKey!.trim() : nonBlank(env[API_KEY_ENV]) ? env[API_KEY_ENV].trim() : undefined;
  if (apiKey === undefined) {
    const problem =
      given.apiKey !== undefined
        ? `apiKey is blank, and ${API_KEY_ENV} is not set either`
        : `auth 'api-key' needs an API key, and neither apiKey nor ${API_KEY_ENV} is set`;
    throw new ConfigError(`${problem}. Set ${API_KEY_ENV} or pass apiKey, or remove auth: 'api-key' to use a ChatGPT sign-in.`);
  }
  if (invalidHeaderCharIndex(apiKey) !== -1) {
    // Where the key came from, never the key or where in it the bad character is.
    throw new ConfigError(
      `${fromConfig ? 'apiKey' : API_KEY_ENV} contains a character that cannot be sent in a header (a line break, a control or non-ASCII character). ` +
        'Pass the key exactly as the OpenAI platform shows it.',
    );
  }
  const settings: AccountSettings = { auth: 'api-key', apiKey };
  const organization = given.organization ?? envValue(env, 'OPENAI_ORG_ID');
  const project = given.project ?? envValue(env, 'OPENAI_PROJECT_ID');
  if (nonBlank(organization)) settings.organization = organization.trim();
  if (nonBlank(project)) settings.project = project.trim();
  return settings;
}

/** A non-blank env var that can be sent as a header, trimmed. */
function envValue(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name];
  if (!nonBlank(value)) return undefined;
  if (invalidHeaderCharIndex(value.trim()) !== -1) {
    throw new ConfigError(
      `${name} contains a character that cannot be sent in a header (a line break, a control or non-ASCII character). Set ${name} to the plain id, or unset it.`,
    );
  }
  return value.trim();
}

/** What the client needs of its config in API-key mode. */
export interface ApiKeySettings {
  readonly apiKey?: string;
  readonly organization?: string;
  readonly project?: string;
}

/**
 * The API key as the credentials of a request (there is no account id on the platform API).
 * @throws {AuthError} When the config holds no key (it always does once resolved).
 */
export function apiKeyAuth(settings: ApiKeySettings): ResolvedAuth {
  if (settings.apiKey === undefined) throw new AuthError(`Missing OpenAI API key. Set ${API_KEY_ENV} or pass apiKey.`);
  return { accessToken: settings.apiKey, accountId: '', source: 'api-key' };
}

/**
 * The platform API's headers: the key as the bearer token, `openai-organization` and
 * `openai-project` when set, and none of the ChatGPT backend's (`chatgpt-account-id`,
 * `originator`, `openai-beta`, `session_id`).
 */
export function apiKeyHeaders(key: string, settings: ApiKeySettings): Record<string, string> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'text/event-stream',
    authorization: `Bearer ${key}`,
  };
  if (settings.organization !== undefined) headers['openai-organization'] = settings.organization;
  if (settings.project !== undefined) headers['openai-project'] = settings.project;
  return headers;
}

/** `{baseUrl}/responses`, the base's trailing slashes dropped. */
export function apiKeyEndpointUrl(baseUrl: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/responses`;
}

/** The body with `max_output_tokens`, which the platform API takes (the ChatGPT backend refuses it). */
export function withMaxOutputTokens(body: ResponseCreateBody, maxOutputTokens: number | undefined): ResponseCreateBody {
  return maxOutputTokens === undefined ? body : { ...body, max_output_tokens: maxOutputTokens };
}

/**
 * An error of a turn sent with an API key, in the platform's terms:
 *
 * - an HTTP refusal is a `CodexHttpError` whose message is the server's `error.message` (the
 *   body `{"error":{"message","type","code"}}`), not the ChatGPT backend's wording;
 * - a quota error (`insufficient_quota`, …) is a `UsageLimitError` that speaks of the platform
 *   account's billing and limits, not of a ChatGPT plan.
 *
 * Other errors pass unchanged. The status, retry hints, `failure` and `cause` are kept.
 */
export function apiKeyError(error: unknown): unknown {
  if (error instanceof UsageLimitError) return apiKeyUsageLimitError(error);
  if (!(error instanceof CodexHttpError)) return error;
  const message = serverMessage(error.body);
  if (message === undefined || message === error.message) return error;
  const fields: ConstructorParameters<typeof CodexHttpError>[1] = { status: error.status, body: error.body };
  if (error.retryAfterMs !== undefined) fields.retryAfterMs = error.retryAfterMs;
  if (error.xShouldRetry !== undefined) fields.xShouldRetry = error.xShouldRetry;
  const mapped = new CodexHttpError(shortened(message), fields, error.cause === undefined ? {} : { cause: error.cause });
  if (error.failure !== undefined) mapped.failure = error.failure;
  return mapped;
}

/** `error.message` of a platform error body, when it is a non-blank string. */
function serverMessage(body: string): string | undefined {
  try {
    const message = (JSON.parse(body) as { error?: { message?: unknown } } | null)?.error?.message;
    return typeof message === 'string' && message.trim() !== '' ? message.trim() : undefined;
  } catch {
    return undefined;
  }
}
