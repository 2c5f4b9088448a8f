import { ConfigError } from '../../src/errors.js';
import { DEFAULT_RETRY_STATUS_CODES, MAX_TIMER_DELAY_MS, computeBackoffMs, resolveRetryConfig } from '../../src/retry/config.js';
import { expectProblemAndFix } from '../helpers/configMessage.js';

describe('resolveRetryConfig', () => {
  it('fills in every default: 3 retries, 1 s doubling up to 60 s with jitter, server delays up to 60 s, no total budget, no hooks', () => {
    const cfg = resolveRetryConfig();
    expect(cfg).toEqual({
      maxRetries: 3,
      initialBackoffMs: 1000,
      maxBackoffMs: 60_000,
      backoffMultiplier: 2,
      jitter: true,
      maxRetryAfterMs: 60_000,
      totalTimeoutMs: Infinity,
      statusCodes: [408, 429, 500, 502, 503, 504],
      random: Math.random,
    });
    expect(cfg.random).toBe(Math.random);
    expect('shouldRetry' in cfg).toBe(false);
    expect('onRetry' in cfg).toBe(false);
  });

  it('returns a frozen config, with a frozen copy of statusCodes', () => {
    const codes = [429, 503];
    const cfg = resolveRetryConfig({ statusCodes: codes });
    expect(Object.isFrozen(cfg)).toBe(true);
    expect(Object.isFrozen(cfg.statusCodes)).toBe(true);
    codes.push(500);
    expect(cfg.statusCodes).toEqual([429, 503]);
    expect(Object.isFrozen(DEFAULT_RETRY_STATUS_CODES)).toBe(true);
  });

  it('keeps user values and hooks, and resolving a resolved config gives an equal one', () => {
    const random = () => 0.25;
    const shouldRetry = () => undefined;
    const onRetry = () => undefined;
    const cfg = resolveRetryConfig({ maxRetries: 5, jitter: false, random, shouldRetry, onRetry, maxBackoffMs: Infinity });
    expect(cfg).toMatchObject({ maxRetries: 5, jitter: false, maxBackoffMs: Infinity });
    expect(cfg.random).toBe(random);
    expect(cfg.shouldRetry).toBe(shouldRetry);
    expect(cfg.onRetry).toBe(onRetry);
    const again = resolveRetryConfig(cfg);
    expect(again).toEqual(cfg);
    expect(again.onRetry).toBe(onRetry);
  });

  it('STYLE 3: an unknown key is a ConfigError naming it (got: `Unexpected retry option`)', () => {
    // @ts-expect-error backoffMs is not an option
    expect(() => resolveRetryConfig({ backoffMs: 10 })).toThrow(/^Unexpected retry option: backoffMs\. /);
    try {
      resolveRetryConfig({ limit: 2 } as never);
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expectProblemAndFix((err as ConfigError).message, 'Unexpected retry option: limit');
    }
    expect.assertions(4);
  });

  it('accepts null as "no options", rejects arrays', () => {
    expect(resolveRetryConfig(null as never).maxRetries).toBe(3);
    expect(() => resolveRetryConfig([] as never)).toThrow(/^Retry options must be an object, got an array\. Pass /);
  });

  it('statusCodes: a hole or a non-integer is named in the message', () => {
    expect(() => resolveRetryConfig({ statusCodes: [429, undefined as never] })).toThrow(
      'Retry option statusCodes must be an array of HTTP status codes (100-599), got undefined',
    );
    expect(() => resolveRetryConfig({ statusCodes: [429.5] })).toThrow('got 429.5');
  });
});

describe('computeBackoffMs', () => {
  const noJitter = resolveRetryConfig({ jitter: false });

  it('without jitter: 1000, 2000, 4000, 8000 … capped at maxBackoffMs', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((a) => computeBackoffMs(a, noJitter))).toEqual([
      1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000,
    ]);
  });

  it('attempt is 1-indexed; 0 and negatives count as the first attempt (exponent max(0, …))', () => {
    expect(computeBackoffMs(0, noJitter)).toBe(1000);
    expect(computeBackoffMs(-3, noJitter)).toBe(1000);
  });

  it('jitter is ±50% uniform: factor 0.5 + random(), truncated to an integer', () => {
    const at = (r: number, attempt = 1) => computeBackoffMs(attempt, resolveRetryConfig({ random: () => r }));
    expect(at(0)).toBe(500);
    expect(at(0.5)).toBe(1000);
    expect(at(0.25)).toBe(750);
    expect(at(0.999999)).toBe(1499);
    expect(at(0.3337)).toBe(833); // 1000 × 0.8337 = 833.7, truncated (the Rust client's `as u64`)
  });

  it('the cap applies before jitter, so the delay reaches up to 1.5× maxBackoffMs', () => {
    const high = resolveRetryConfig({ random: () => 0.999999 });
    expect(computeBackoffMs(7, high)).toBe(89_999); // 64000 capped 60000, × 1.499999
    const low = resolveRetryConfig({ random: () => 0 });
    expect(computeBackoffMs(20, low)).toBe(30_000);
  });

  it('calls random() once per jittered delay, never without jitter', () => {
    const random = jest.fn(() => 0.5);
    computeBackoffMs(2, resolveRetryConfig({ random }));
    expect(random).toHaveBeenCalledTimes(1);
    computeBackoffMs(2, resolveRetryConfig({ random, jitter: false }));
    expect(random).toHaveBeenCalledTimes(1);
  });

  it('is clamped to the largest timer delay, and survives 0 · Infinity', () => {
    const unbounded = resolveRetryConfig({ jitter: false, maxBackoffMs: Infinity });
    expect(computeBackoffMs(2000, unbounded)).toBe(MAX_TIMER_DELAY_MS);
    expect(MAX_TIMER_DELAY_MS).toBe(2_147_483_647);
    const zero = resolveRetryConfig({ jitter: false, initialBackoffMs: 0, maxBackoffMs: Infinity });
    expect(computeBackoffMs(2000, zero)).toBe(0);
  });

  it('a random() that returns NaN does not make the delay NaN (no jitter then)', () => {
    expect(computeBackoffMs(2, resolveRetryConfig({ random: () => NaN }))).toBe(2000);
  });
});
