import { UsageLimitError, type CodexErrorOptions } from './errors.js';

/**
 * Usage-limit classification and the user-facing message, shared by the stream reducer (an
 * in-stream `error` event) and the HTTP client (a 429 body): one rule, one wording.
 */

/**
 * The error codes (as `code` or `type`) that mean "the quota is used up": a ChatGPT plan's, or
 * (`insufficient_quota`) an API key's account.
 */
export const USAGE_LIMIT_CODES: ReadonlySet<string> = new Set(['usage_limit_reached', 'usage_not_included', 'insufficient_quota']);

/** What {@link formatUsageLimitMessage} needs. */
export interface UsageLimitMessageParts {
  /** The plan (`plus`, `pro`, …); lowercased in the message. */
  planType?: string;
  /** The server's own message. */
  message?: string;
  /** Seconds until the limit resets (preferred over `resetsAt`). */
  resetsInSeconds?: number;
  /** When the limit resets, in Unix seconds. */
  resetsAt?: number;
  /** The current time in ms, for `resetsAt`. @default Date.now() */
  now?: number;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function finiteNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** Minutes until the reset, rounded up (at least 1), or undefined when the reset is unknown. */
function minutesUntilReset(parts: UsageLimitMessageParts): number | undefined {
  let seconds = parts.resetsInSeconds;
  if (seconds === undefined && parts.resetsAt !== undefined) {
    seconds = parts.resetsAt - (parts.now ?? Date.now()) / 1000;
  }
  if (seconds === undefined || !Number.isFinite(seconds)) return undefined;
  // "Try again in ~0 min." would be wrong while the server still refuses: never say less than 1.
  return Math.max(1, Math.ceil(seconds / 60));
}

/**
 * The usage-limit message: the Rust client's wording
 * (`You have hit your ChatGPT usage limit (plus). <server message>`), trimmed, plus
 * ` Try again in ~N min.` (N rounded up) when the reset time is known.
 *
 * @param parts The plan, the server message and the reset time, each optional.
 * @return The message, e.g. `You have hit your ChatGPT usage limit (plus). Quota exhausted Try again in ~5 min.`
 */
export function formatUsageLimitMessage(parts: UsageLimitMessageParts): string {
  const plan = parts.planType ? ` (${parts.planType.toLowerCase()})` : '';
  const head = `You have hit your ChatGPT usage limit${plan}. ${parts.message ?? ''}`.trim();
  const minutes = minutesUntilReset(parts);
  return minutes === undefined ? head : `${head} Try again in ~${minutes} min.`;
}

/**
 * The usage-limit message for a turn sent with an OpenAI API key: the platform account's quota,
 * not a ChatGPT plan. The server's own message follows, then ` Try again in ~N min.` when the
 * reset time is known.
 *
 * @param parts The server message and the reset time (a plan is not named: API keys have none).
 * @return The message, e.g. `The OpenAI API quota of this API key's account is used up. … Check the billing …`
 */
export function formatApiKeyUsageLimitMessage(parts: UsageLimitMessageParts): string {
  const server = parts.message?.trim() ? ` ${parts.message.trim()}` : '';
  const head =
    `The OpenAI API quota of this API key's account is used up (its billing or a usage limit).${server} ` +
    "Check the billing and usage limits of the key's organization and project on platform.openai.com.";
  const minutes = minutesUntilReset(parts);
  return minutes === undefined ? head : `${head} Try again in ~${minutes} min.`;
}

/** What each usage-limit error was worded from, so a client with an API key can word it for the platform. */
const wordedFrom = new WeakMap<UsageLimitError, UsageLimitMessageParts>();

/**
 * The same usage limit for a turn sent with an API key: a `UsageLimitError` with the platform
 * wording of {@link formatApiKeyUsageLimitMessage} and the same fields, `cause`, `failure` and
 * `partial`. An error not built by {@link usageLimitErrorFrom} passes unchanged.
 *
 * @param error A usage limit as the stream or an HTTP refusal reported it.
 * @return The error in API-key terms.
 */
export function apiKeyUsageLimitError(error: UsageLimitError): UsageLimitError {
  const parts = wordedFrom.get(error);
  if (parts === undefined) return error;
  const options: CodexErrorOptions = {};
  if (error.cause !== undefined) options.cause = error.cause;
  if (error.failure !== undefined) options.failure = error.failure;
  if (error.partial !== undefined) options.partial = error.partial;
  const reworded = new UsageLimitError(
    formatApiKeyUsageLimitMessage(parts),
    {
      status: error.status,
      planType: error.planType,
      resetsAt: error.resetsAt,
      resetsInSeconds: error.resetsInSeconds,
      rateLimits: error.rateLimits,
    },
    options,
  );
  wordedFrom.set(reworded, parts);
  return reworded;
}

/** True when `code` or `type` of an error object names a usage limit. */
export function isUsageLimitErrorObject(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, type } = error as Record<string, unknown>;
  return (typeof code === 'string' && USAGE_LIMIT_CODES.has(code)) || (typeof type === 'string' && USAGE_LIMIT_CODES.has(type));
}

/** Options of {@link usageLimitErrorFrom}. */
export interface UsageLimitErrorFromOptions extends CodexErrorOptions {
  /** The HTTP status, when the error came in an HTTP response. */
  status?: number;
  /** The server message to use when the error object has no string `message`. */
  fallbackMessage?: string;
  /** The current time in ms, for `resets_at`. @default Date.now() */
  now?: number;
}

/**
 * Classifies a server error object (the `error` member of a 429 body or of an in-stream error
 * event, or a flat error event itself) and builds the {@link UsageLimitError} when it is a usage
 * limit (`usage_limit_reached`, `usage_not_included`, `insufficient_quota`, as `code` or `type`).
 *
 * Reads `message`, `plan_type` (lowercased), `resets_at` (Unix seconds) and `resets_in_seconds`.
 *
 * @param error The parsed error object (anything: non-objects are simply not usage limits).
 * @param options HTTP status, fallback message, clock and error options (`cause`, `partial`, …).
 * @return The typed error, or `undefined` when this is not a usage limit.
 */
export function usageLimitErrorFrom(error: unknown, options: UsageLimitErrorFromOptions = {}): UsageLimitError | undefined {
  if (!isUsageLimitErrorObject(error)) return undefined;
  const record = error as Record<string, unknown>;
  const planType = str(record.plan_type)?.toLowerCase();
  const resetsAt = finiteNumber(record.resets_at);
  const resetsInSeconds = finiteNumber(record.resets_in_seconds);
  const parts: UsageLimitMessageParts = {
    planType,
    message: str(record.message) ?? options.fallbackMessage,
    resetsAt,
    resetsInSeconds,
    now: options.now,
  };
  const limit = new UsageLimitError(
    formatUsageLimitMessage(parts),
    { status: options.status, planType, resetsAt, resetsInSeconds },
    { cause: options.cause, failure: options.failure, partial: options.partial },
  );
  wordedFrom.set(limit, parts);
  return limit;
}
