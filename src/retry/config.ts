import { ConfigError } from '../errors.js';
import { checkOptions, describe, isBoolean, isFunction, MAX_TIMER_DELAY_MS, setOrOmit, type OptionRules } from '../client/validate.js';

export { MAX_TIMER_DELAY_MS };

/** What `onRetry` is told before each wait. */
export interface RetryInfo {
  /** The retry about to happen, 1-indexed: 1 after the first failed attempt. */
  attempt: number;
  /** How long the policy will wait before re-subscribing, in milliseconds. */
  delayMs: number;
  /** The error that failed the attempt. */
  error: unknown;
}

/**
 * How `retryWithBackoff` (and `CodexClient`) retry a failed request. Every field is optional;
 * the defaults are the Rust client's (docs/behaviour.md#retry), and the fields it lacked
 * (server delays, budgets, hooks) are added.
 */
export interface RetryConfig {
  /**
   * How many times a failed attempt is retried (so `maxRetries + 1` attempts in all).
   * `0` disables retrying; `Infinity` retries for as long as the policy allows.
   *
   * @default 3
   */
  maxRetries?: number;

  /**
   * The backoff before the first retry, in milliseconds.
   *
   * @default 1000
   */
  initialBackoffMs?: number;

  /**
   * The cap on the computed backoff, in milliseconds. It is applied **before** jitter (as the Rust
   * client does), so with jitter a delay can reach 1.5 × `maxBackoffMs`.
   *
   * @default 60000
   */
  maxBackoffMs?: number;

  /**
   * The factor the backoff grows by per attempt: `initialBackoffMs · backoffMultiplier^(attempt - 1)`.
   *
   * @default 2
   */
  backoffMultiplier?: number;

  /**
   * Multiply each computed backoff by a uniform factor in [0.5, 1.5) (the Rust client's ±50%), after
   * the cap, truncated to an integer. Server delays (`Retry-After`) are never jittered.
   *
   * @default true
   */
  jitter?: boolean;

  /**
   * The longest server-requested delay (`retry-after-ms` / `Retry-After`) that is honoured, in
   * milliseconds. A longer one is not retried: the error (which carries `retryAfterMs`) is
   * passed on so the caller can schedule the retry itself.
   *
   * @default 60000
   */
  maxRetryAfterMs?: number;

  /**
   * A budget for the whole operation, in milliseconds from subscription: a retry whose wait
   * would end after it is not attempted, and the last error is passed on (ky `totalTimeout`).
   * It bounds the waits, not the attempts themselves (the client's timeouts do that).
   *
   * @default Infinity
   */
  totalTimeoutMs?: number;

  /**
   * The HTTP statuses that are retried (a `CodexHttpError` whose server sent `x-should-retry`
   * follows that header instead).
   *
   * @default [408, 429, 500, 502, 503, 504]
   */
  statusCodes?: readonly number[];

  /**
   * The source of randomness for jitter: a function returning a number in [0, 1). Pass a
   * constant in tests to make delays deterministic.
   *
   * @default Math.random
   */
  random?: () => number;

  /**
   * Decide yourself: `true` retries, `false` does not, `undefined` falls through to the default
   * policy. Called with the error and the retry number about to happen (1-indexed). It is not
   * consulted when the retry budget is spent, nor for a failure after the first emitted value,
   * which is never retried (that would emit it twice).
   *
   * @default undefined
   */
  shouldRetry?: (error: unknown, attemptNumber: number) => boolean | undefined;

  /**
   * Called once per retry, just before the wait starts. A throw here fails the stream with
   * that error.
   *
   * @default undefined
   */
  onRetry?: (info: RetryInfo) => void;
}

/** A `RetryConfig` with every default filled in, validated and frozen. */
export interface ResolvedRetryConfig {
  readonly maxRetries: number;
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
  readonly backoffMultiplier: number;
  readonly jitter: boolean;
  readonly maxRetryAfterMs: number;
  readonly totalTimeoutMs: number;
  readonly statusCodes: readonly number[];
  readonly random: () => number;
  readonly shouldRetry?: (error: unknown, attemptNumber: number) => boolean | undefined;
  readonly onRetry?: (info: RetryInfo) => void;
}

/** The statuses worth asking again: timeout, rate limit and the server's transient failures. */
export const DEFAULT_RETRY_STATUS_CODES: readonly number[] = Object.freeze([408, 429, 500, 502, 503, 504]);

/** A number rule: non-negative, optionally whole, optionally Infinity. */
function nonNegative(rule: { integer?: boolean; allowInfinity?: boolean }): (value: unknown) => string | undefined {
  return (value) => {
    const ok =
      typeof value === 'number' &&
      !Number.isNaN(value) &&
      value >= 0 &&
      (Number.isFinite(value) ? !rule.integer || Number.isInteger(value) : rule.allowInfinity === true);
    if (ok) return undefined;
    return `must be ${rule.integer ? 'a non-negative integer' : 'a non-negative number'}${rule.allowInfinity ? ' or Infinity' : ''}, got ${describe(value)}`;
  };
}

/** One rule per option of `RetryConfig`: a new field without a rule does not compile. */
const RETRY_RULES: OptionRules<RetryConfig> = {
  maxRetries: { check: nonNegative({ integer: true, allowInfinity: true }), fix: setOrOmit('maxRetries', '0 (no retries) or more', '3') },
  initialBackoffMs: { check: nonNegative({}), fix: setOrOmit('initialBackoffMs', 'a number of milliseconds', '1000') },
  maxBackoffMs: { check: nonNegative({ allowInfinity: true }), fix: setOrOmit('maxBackoffMs', 'a number of milliseconds', '60000') },
  backoffMultiplier: { check: nonNegative({}), fix: setOrOmit('backoffMultiplier', 'a factor such as 2', '2') },
  jitter: { check: isBoolean, fix: setOrOmit('jitter', 'true or false', 'true') },
  maxRetryAfterMs: { check: nonNegative({ allowInfinity: true }), fix: setOrOmit('maxRetryAfterMs', 'a number of milliseconds', '60000') },
  totalTimeoutMs: { check: nonNegative({ allowInfinity: true }), fix: setOrOmit('totalTimeoutMs', 'a number of milliseconds', 'Infinity') },
  statusCodes: {
    check: (value) => {
      const badIndex = Array.isArray(value) ? value.findIndex((c) => !(Number.isInteger(c) && c >= 100 && c <= 599)) : -1;
      if (Array.isArray(value) && badIndex === -1) return undefined;
      const bad: unknown = Array.isArray(value) ? value[badIndex] : value;
      return `must be an array of HTTP status codes (100-599), got ${describe(bad)}`;
    },
    fix: setOrOmit('statusCodes', 'an array such as [429, 503]', '[408, 429, 500, 502, 503, 504]'),
  },
  random: { check: isFunction, fix: 'Pass a function returning a number in [0, 1), or leave random out for Math.random.' },
  shouldRetry: { check: isFunction, fix: 'Pass a function (error, attempt) => boolean | undefined, or leave shouldRetry out.' },
  onRetry: { check: isFunction, fix: 'Pass a function of one RetryInfo, or leave onRetry out.' },
};

/**
 * Validates a `RetryConfig` and fills in its defaults. Validation is eager and strict, as got's
 * `set retry`: an unknown key (a typo would otherwise be silently ignored), a negative or NaN
 * number, or a value of the wrong type throws a `ConfigError`. Explicit `undefined` means the
 * default. Resolving an already resolved config returns an equal config.
 *
 * @param config The user's options; `undefined` gives every default.
 * @return A frozen config with every default filled in.
 * @throws ConfigError when an option is unknown or invalid.
 */
export function resolveRetryConfig(config?: RetryConfig): ResolvedRetryConfig {
  if (config !== undefined && config !== null && (typeof config !== 'object' || Array.isArray(config))) {
    throw new ConfigError(
      `Retry options must be an object, got ${describe(config)}. Pass an object such as { maxRetries: 1 }, or nothing for the defaults.`,
    );
  }
  // "maxRetries must be …" reads better as "Retry option maxRetries must be …".
  const given = checkOptions(config, RETRY_RULES, 'retry', { lead: 'Retry option ' });
  const shouldRetry = given.shouldRetry;
  const onRetry = given.onRetry;
  // Only present keys, so a resolved config passes the unknown-key check and stays tidy to log.
  return Object.freeze({
    maxRetries: given.maxRetries ?? 3,
    initialBackoffMs: given.initialBackoffMs ?? 1000,
    maxBackoffMs: given.maxBackoffMs ?? 60_000,
    backoffMultiplier: given.backoffMultiplier ?? 2,
    jitter: given.jitter ?? true,
    maxRetryAfterMs: given.maxRetryAfterMs ?? 60_000,
    totalTimeoutMs: given.totalTimeoutMs ?? Infinity,
    statusCodes: given.statusCodes === undefined ? DEFAULT_RETRY_STATUS_CODES : Object.freeze([...given.statusCodes]),
    random: given.random ?? Math.random,
    ...(shouldRetry !== undefined && { shouldRetry }),
    ...(onRetry !== undefined && { onRetry }),
  });
}

/**
 * The Rust client's backoff (docs/behaviour.md#retry) for a 1-indexed attempt:
 * `min(initialBackoffMs · backoffMultiplier^(attempt - 1), maxBackoffMs)`, then, with jitter,
 * multiplied by `0.5 + random()` (±50% uniform, after the cap), truncated to an integer.
 * The result is clamped to `MAX_TIMER_DELAY_MS` so it is always a usable timer delay.
 *
 * @param attempt The attempt that failed, 1-indexed (values below 1 count as 1).
 * @param config A resolved config (see `resolveRetryConfig`).
 * @return The delay before the next attempt, in whole milliseconds.
 */
export function computeBackoffMs(
  attempt: number,
  config: Pick<ResolvedRetryConfig, 'initialBackoffMs' | 'maxBackoffMs' | 'backoffMultiplier' | 'jitter' | 'random'>,
): number {
  const exponent = Math.max(attempt - 1, 0);
  const base = config.initialBackoffMs * Math.pow(config.backoffMultiplier, exponent);
  // 0 · Infinity (a zero initial backoff at a huge attempt) is NaN: that is a zero delay.
  const capped = Number.isNaN(base) ? 0 : Math.min(base, config.maxBackoffMs);
  // random() is in [0, 1), so the factor 1 + (random() - 0.5) is the Rust client's 1 + U[-0.5, 0.5).
  const delay = config.jitter ? capped * (0.5 + config.random()) : capped;
  // NaN (a broken random()) would make timer() fire at once; treat it as no jitter instead.
  const ms = Number.isNaN(delay) ? capped : delay;
  return Math.min(Math.trunc(ms), MAX_TIMER_DELAY_MS);
}
