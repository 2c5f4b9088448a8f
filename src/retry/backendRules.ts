import { CodexStreamError } from '../errors.js';

/**
 * In-stream error codes that asking again cannot fix: the prompt is too long or refused, or the
 * account's quota is used up. An attempt that fails with one of them is not re-sent.
 */
export const NON_RETRIED_STREAM_ERROR_CODES: ReadonlySet<string> = new Set([
  'context_length_exceeded',
  'invalid_prompt',
  'cyber_policy',
  'insufficient_quota',
  'usage_not_included',
  'usage_limit_reached',
]);

/** The backend's "slow down" code, whose message says how long to wait. */
export const RATE_LIMIT_EXCEEDED_CODE = 'rate_limit_exceeded';

// "Please try again in 1.5s." / "in 250ms" / "in 2 seconds" / "in 20 sec".
const TRY_AGAIN_IN = /try again in\s*(\d+(?:\.\d+)?)\s*(ms|milliseconds?|s|secs?|seconds?)\b/i;

/**
 * The delay a rate-limit message asks for ("Please try again in 1.5s", "in 250ms", "in 2 seconds").
 *
 * @param message The server's error message.
 * @return The delay in milliseconds (rounded up), or `undefined` when the message names none.
 */
export function retryDelayFromMessage(message: string): number | undefined {
  const match = TRY_AGAIN_IN.exec(message);
  if (match === null) return undefined;
  const amount = Number(match[1]);
  const unit = match[2]!.toLowerCase();
  const ms = unit === 'ms' || unit.startsWith('milli') ? amount : amount * 1000;
  return Number.isFinite(ms) ? Math.ceil(ms) : undefined;
}

/** True for an in-stream error whose code says a retry cannot help. */
export function isNonRetriedStreamError(error: unknown): boolean {
  return error instanceof CodexStreamError && error.errorCode !== undefined && NON_RETRIED_STREAM_ERROR_CODES.has(error.errorCode);
}

/**
 * The wait an in-stream `rate_limit_exceeded` error asks for in its message, treated like a
 * Retry-After header.
 *
 * @param error The error an attempt failed with.
 * @return The delay in milliseconds, or `undefined` when the error is not such an error or names no delay.
 */
export function streamRetryDelayMs(error: unknown): number | undefined {
  if (!(error instanceof CodexStreamError) || error.errorCode !== RATE_LIMIT_EXCEEDED_CODE) return undefined;
  return retryDelayFromMessage(error.message);
}
