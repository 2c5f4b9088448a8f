import { STATUS_CODES } from 'node:http';
import { CodexHttpError, type CodexError } from '../errors.js';
import { rateLimitsFromHeaders } from '../rateLimits/rateLimits.js';
import { RATE_LIMIT_EXCEEDED_CODE, retryDelayFromMessage } from '../retry/backendRules.js';
import { parseRetryAfterMs, parseShouldRetryHeader } from '../retry/retryAfter.js';
import { usageLimitErrorFrom } from '../usageLimit.js';

/** Response headers as undici's `request()` gives them. */
export type ResponseHeaders = Record<string, string | string[] | undefined>;

/** The default message: the body when it has any text, else the status line. */
function defaultMessage(status: number, body: string): string {
  if (body.trim() !== '') return body;
  const reason = STATUS_CODES[status];
  return reason === undefined ? '<unknown status code>' : `${status} ${reason}`;
}

/** A message is for people: a whole error page (up to the 1 MiB kept) belongs in `body` only. */
const MAX_MESSAGE_CHARS = 1000;

/** The message cut to at most {@link MAX_MESSAGE_CHARS} characters, saying where the rest is. */
export function shortened(message: string): string {
  if (message.length <= MAX_MESSAGE_CHARS) return message;
  const note = `… (${message.length} characters in all: see the error's body)`;
  let end = MAX_MESSAGE_CHARS - note.length;
  // Never split a surrogate pair.
  const code = message.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--;
  return `${message.slice(0, end)}${note}`;
}

const USAGE_LIMIT_CODES = new Set(['usage_limit_reached', 'usage_not_included', 'rate_limit_exceeded']);

function errorObjectOf(body: string): Record<string, unknown> | undefined {
  if (!body.trimStart().startsWith('{')) return undefined;
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed !== 'object' || parsed === null || !('error' in parsed)) return undefined;
    const error = parsed.error;
    return typeof error === 'object' && error !== null ? (error as Record<string, unknown>) : {};
  } catch {
    return undefined;
  }
}

/**
 * The Rust client's error message (docs/behaviour.md#errors): the server's `error.message`, or the
 * friendly usage-limit sentence for a 429 or a usage-limit code, or the raw body.
 */
export function parseErrorResponse(status: number, body: string): string {
  return errorMessage(status, body, errorObjectOf(body));
}

/** {@link parseErrorResponse} over a body already parsed for its `error` object. */
function errorMessage(status: number, body: string, error: Record<string, unknown> | undefined): string {
  const fallback = defaultMessage(status, body);
  if (error === undefined) return fallback;
  const code = typeof error.code === 'string' ? error.code : typeof error.type === 'string' ? error.type : '';
  const message = typeof error.message === 'string' ? error.message : fallback;
  if (status === 429 || USAGE_LIMIT_CODES.has(code)) {
    const plan = typeof error.plan_type === 'string' ? ` (${error.plan_type.toLowerCase()})` : '';
    return `You have hit your ChatGPT usage limit${plan}. ${message}`.trim();
  }
  return message;
}

/**
 * The typed error for a non-2xx response: a `UsageLimitError` when the body names a usage limit
 * (never retried: asking again cannot help), else a `CodexHttpError` with that message, the server's
 * Retry-After delay and its `x-should-retry` verdict.
 */
export function httpErrorFrom(status: number, headers: ResponseHeaders, body: string, nowMs = Date.now()): CodexError {
  const error = errorObjectOf(body);
  if (error !== undefined) {
    const limit = usageLimitErrorFrom(error, { status, now: nowMs, fallbackMessage: defaultMessage(status, body) });
    if (limit !== undefined) {
      const [rateLimits] = rateLimitsFromHeaders(headers);
      if (rateLimits !== undefined) limit.rateLimits = rateLimits;
      return limit;
    }
  }
  // Without a Retry-After header, a rate-limit message that names its wait ("try again in 1.5s") stands in for one.
  const rateLimited = error !== undefined && (error.code === RATE_LIMIT_EXCEEDED_CODE || error.type === RATE_LIMIT_EXCEEDED_CODE);
  const messageDelay = rateLimited && typeof error.message === 'string' ? retryDelayFromMessage(error.message) : undefined;
  return new CodexHttpError(shortened(errorMessage(status, body, error)), {
    status,
    body,
    retryAfterMs: parseRetryAfterMs(headers, nowMs) ?? messageDelay,
    xShouldRetry: parseShouldRetryHeader(headers),
  });
}
