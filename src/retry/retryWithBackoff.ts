import { MonoTypeOperatorFunction, Observable, SchedulerLike, asyncScheduler, defer, retry, tap, throwError, timer } from 'rxjs';
import { ConfigError, isCodexError } from '../errors.js';
import { isNonRetriedStreamError, streamRetryDelayMs } from './backendRules.js';
import {
  DEFAULT_RETRY_STATUS_CODES,
  MAX_TIMER_DELAY_MS,
  computeBackoffMs,
  resolveRetryConfig,
  type ResolvedRetryConfig,
  type RetryConfig,
} from './config.js';

/**
 * The default classification of an error: is it worth sending the request again?
 * (docs/behaviour.md#retry)
 *
 * 1. Never: `UsageLimitError`, `ProtocolError`, `AuthError`, `ConfigError`, `CodexAbortError`,
 *    `OutputValidationError` (asking again cannot help), an in-stream error whose code says the
 *    request itself is refused (`context_length_exceeded`, `invalid_prompt`, `cyber_policy`,
 *    `insufficient_quota`, `usage_not_included`, `usage_limit_reached`), and any error that is not a codex-rx error — an unknown error is most likely
 *    a bug in a callback or an operator downstream of the source, and is passed on as it is
 *    (the Rust client retried those too, re-running a failing callback).
 * 2. A `CodexHttpError`: the server's `x-should-retry` header when it sent one, else whether
 *    its status is in `statusCodes` (408, 429, 500, 502, 503, 504 by default).
 * 3. Always: `ConnectionError`, `IdleTimeoutError`, `StreamTruncatedError`,
 *    `CodexStreamError` and `InvalidUtf8Error` (every failure to read the stream).
 *
 * It does not look at `retryAfterMs` (whether the server's delay is acceptable is the
 * operator's decision) nor at whether anything was emitted.
 *
 * @param error The error an attempt failed with.
 * @param config `statusCodes` to retry; the Rust client's set when omitted.
 * @return `true` when the default policy retries this error.
 */
export function isRetryableError(error: unknown, config?: { readonly statusCodes?: readonly number[] }): boolean {
  if (!isCodexError(error)) return false;
  switch (error.code) {
    case 'ERR_CODEX_HTTP':
      if (error.xShouldRetry !== undefined) return error.xShouldRetry;
      return (config?.statusCodes ?? DEFAULT_RETRY_STATUS_CODES).includes(error.status);
    case 'ERR_CODEX_STREAM':
      // The prompt is too long or refused, or the quota is gone: the same request fails the same way.
      return !isNonRetriedStreamError(error);
    case 'ERR_CODEX_CONNECTION':
    case 'ERR_CODEX_IDLE_TIMEOUT':
    case 'ERR_CODEX_STREAM_TRUNCATED':
    case 'ERR_CODEX_INVALID_UTF8':
      return true;
    case 'ERR_CODEX_USAGE_LIMIT':
    case 'ERR_CODEX_PROTOCOL':
    case 'ERR_CODEX_AUTH':
    case 'ERR_CODEX_CONFIG':
    case 'aborted':
    case 'output_validation':
      return false;
    default:
      return undecided(error);
  }
}

/** Fails to compile when a code is missing above; at run time (the bare base class) the answer is no. */
function undecided(_error: never): false {
  return false;
}

/** A `rate-limits` event: news about the account, not part of the answer. */
function isRateLimitReport(value: unknown): boolean {
  return typeof value === 'object' && value !== null && (value as { type?: unknown }).type === 'rate-limits';
}

/**
 * The server-requested delay an error carries (`CodexHttpError.retryAfterMs`, or the "try again
 * in 1.5s" of an in-stream `rate_limit_exceeded`), if usable.
 */
function serverDelayMs(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const fromMessage = streamRetryDelayMs(error);
  if (fromMessage !== undefined) return fromMessage;
  const value = (error as { retryAfterMs?: unknown }).retryAfterMs;
  return typeof value === 'number' && value >= 0 ? value : undefined;
}

/**
 * Returns an Observable that mirrors the source and, when an attempt fails before it emitted
 * anything, subscribes to the source again after a backoff: the Rust client's retry loop
 * (docs/behaviour.md#retry) as a policy over rxjs `retry({ count, delay })`.
 *
 * The source must be cold (each subscription one request), as `CodexClient.stream()` is.
 * When an attempt fails, the policy decides in this order:
 *
 * 1. The retry budget: after `maxRetries` retries the last error is passed on.
 * 2. A failure after the attempt emitted its first value is passed on, never retried: no value
 *    is ever emitted twice (the Rust client re-sent the request and replayed text).
 *    A `rate-limits` event does not count: it reports the account, not the answer, and the
 *    next attempt reports the limits afresh.
 * 3. `shouldRetry(error, attempt)`, when given: `true` retries, `false` passes the error on,
 *    `undefined` goes on to the default policy.
 * 4. The default policy, `isRetryableError(error, config)`: usage limits, protocol, auth and
 *    config errors and unknown errors are passed on; HTTP statuses follow `statusCodes` unless
 *    the server sent `x-should-retry`; connection, timeout and stream errors are retried.
 * 5. The delay: the server's (`retryAfterMs` on the error, from `retry-after-ms` /
 *    `Retry-After`, or the "try again in 1.5s" of an in-stream `rate_limit_exceeded`) used as is, without jitter, when it is at most `maxRetryAfterMs`; a longer
 *    one is not retried — the error, which carries `retryAfterMs`, is passed on so the caller
 *    can schedule. Otherwise the exponential backoff, `computeBackoffMs(attempt)`.
 *    A wait that would end after `totalTimeoutMs` from subscription is not started.
 * 6. `onRetry({ attempt, delayMs, error })`, then a `timer(delayMs, scheduler)`. Unsubscribing
 *    during the wait cancels the timer, and nothing is subscribed again.
 *
 * Each subscription to the returned Observable has its own attempt count, emission flag and
 * time budget. The config is validated when the operator is created.
 *
 * ## Example
 * ```ts
 * import { CodexClient, retryWithBackoff, userMessage } from 'codex-rx';
 *
 * // CodexClient applies this policy itself (its `retry` option); here it is by hand on the
 * // cold stream: each re-subscription sends the request again.
 * const client = new CodexClient({ retry: { maxRetries: 0 } });
 * const events$ = client.stream([userMessage('Hello')]).pipe(
 *   retryWithBackoff({
 *     maxRetries: 5,
 *     initialBackoffMs: 500,
 *     onRetry: ({ attempt, delayMs, error }) => console.warn(`retry ${attempt} in ${delayMs} ms`, error),
 *   }),
 * );
 * events$.subscribe((event) => console.log(event.type));
 * ```
 *
 * @param config The retry policy; every field has a default (see `RetryConfig`).
 * @param scheduler The scheduler that times the waits (and the `totalTimeoutMs` budget);
 * `asyncScheduler` by default.
 * @return A function that returns an Observable that mirrors the source, re-subscribing to it
 * after a failed attempt that emitted nothing, as long as the policy allows.
 * @throws ConfigError when `config` or `scheduler` is invalid.
 */
export function retryWithBackoff<T>(config?: RetryConfig, scheduler?: SchedulerLike): MonoTypeOperatorFunction<T> {
  if (scheduler !== undefined && (scheduler === null || typeof scheduler.schedule !== 'function' || typeof scheduler.now !== 'function')) {
    throw new ConfigError(
      "retryWithBackoff: scheduler must be a SchedulerLike (with schedule() and now()). Pass an rxjs scheduler, or leave it out for rxjs' asyncScheduler.",
    );
  }
  return retryResolved(resolveRetryConfig(config), scheduler);
}

/**
 * `retryWithBackoff` for a config already resolved (the client resolves its own once, when it
 * is constructed).
 *
 * @param cfg A config from `resolveRetryConfig`.
 * @param scheduler The scheduler of the waits; `asyncScheduler` by default.
 * @return The retry operator.
 */
export function retryResolved<T>(cfg: ResolvedRetryConfig, scheduler: SchedulerLike | undefined): MonoTypeOperatorFunction<T> {
  const clock = scheduler ?? asyncScheduler;
  const { maxRetries, maxRetryAfterMs, totalTimeoutMs, shouldRetry, onRetry } = cfg;

  return (source: Observable<T>) =>
    // defer: the flag and the clock start belong to one subscription, never shared between two.
    defer(() => {
      let emitted = false;
      const startedAt = clock.now();
      return source.pipe(
        // Reset per attempt: retry() re-subscribes to this tapped source.
        tap({
          subscribe: () => {
            emitted = false;
          },
          next: (value) => {
            if (!isRateLimitReport(value)) emitted = true;
          },
        }),
        retry({
          count: maxRetries,
          delay: (error: unknown, attempt: number) => {
            const stop = throwError(() => error);
            if (emitted) return stop;
            const verdict = shouldRetry?.(error, attempt);
            if (verdict === false || (verdict === undefined && !isRetryableError(error, cfg))) return stop;

            const requested = serverDelayMs(error);
            let delayMs: number;
            if (requested !== undefined) {
              if (requested > maxRetryAfterMs) return stop;
              delayMs = Math.min(requested, MAX_TIMER_DELAY_MS);
            } else {
              delayMs = computeBackoffMs(attempt, cfg);
            }
            if (clock.now() + delayMs - startedAt > totalTimeoutMs) return stop;

            if (onRetry !== undefined) {
              try {
                onRetry({ attempt, delayMs, error });
              } catch (hookError) {
                return throwError(() => hookError);
              }
            }
            return timer(delayMs, clock);
          },
        }),
      );
    });
}
