import { Observable, defer } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import {
  CodexAbortError,
  OutputValidationError,
  AuthError,
  CodexError,
  CodexHttpError,
  CodexStreamError,
  ConfigError,
  ConnectionError,
  IdleTimeoutError,
  InvalidUtf8Error,
  ProtocolError,
  StreamTruncatedError,
  UsageLimitError,
} from '../../src/errors.js';
import type { RetryInfo } from '../../src/retry/config.js';
import { isRetryableError, retryWithBackoff } from '../../src/retry/retryWithBackoff.js';
import { expectProblemAndFix } from '../helpers/configMessage.js';
import { createTestScheduler } from './helpers.js';

/** One cold source per attempt: each (re)subscription takes the next; the last one repeats. */
function attempts<T>(...sources: Observable<T>[]): Observable<T> {
  let i = 0;
  return defer(() => sources[Math.min(i++, sources.length - 1)]!);
}

const http = (status: number, fields: { retryAfterMs?: number; xShouldRetry?: boolean } = {}) =>
  new CodexHttpError(`HTTP ${status}`, { status, body: `{"status":${status}}`, ...fields });
const conn = (n: number) => new ConnectionError(`connect ECONNREFUSED 127.0.0.1:1 (#${n})`);

const NO_JITTER = { jitter: false } as const;

describe('retryWithBackoff', () => {
  let testScheduler: TestScheduler;

  beforeEach(() => {
    testScheduler = createTestScheduler();
  });

  describe('backoff', () => {
    it('waits 1000, 2000, 4000 ms (jitter off), then gives up with the last error', () => {
      testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const e = [conn(1), conn(2), conn(3), conn(4)];
        const a1 = cold('-#', undefined, e[0]);
        const a2 = cold('-#', undefined, e[1]);
        const a3 = cold('-#', undefined, e[2]);
        const a4 = cold('-#', undefined, e[3]);
        // attempt:   1 fails at 1, +1000 -> 2 at 1001, fails 1002, +2000 -> 3 at 3002, fails 3003, +4000 -> 4 at 7003
        const a1subs = '^!';
        const a2subs = '1001ms ^!';
        const a3subs = '3002ms ^!';
        const a4subs = '7003ms ^!';
        const expected = '7004ms #';

        const result = attempts(a1, a2, a3, a4).pipe(retryWithBackoff(NO_JITTER));

        expectObservable(result).toBe(expected, undefined, e[3]);
        expectSubscriptions(a1.subscriptions).toBe(a1subs);
        expectSubscriptions(a2.subscriptions).toBe(a2subs);
        expectSubscriptions(a3.subscriptions).toBe(a3subs);
        expectSubscriptions(a4.subscriptions).toBe(a4subs);
      });
    });

    it("the error after the last retry is the last attempt's, with its class and fields", () => {
      const last = http(503);
      let received: unknown;
      testScheduler.run(({ cold }) => {
        attempts(cold('-#', undefined, conn(1)), cold('-#', undefined, last))
          .pipe(retryWithBackoff({ maxRetries: 1, jitter: false }))
          .subscribe({ error: (err: unknown) => (received = err) });
      });
      expect(received).toBe(last);
      expect(received).toBeInstanceOf(CodexHttpError);
      expect(received).toMatchObject({ name: 'CodexHttpError', code: 'ERR_CODEX_HTTP', status: 503, body: '{"status":503}' });
    });

    it('a later attempt that succeeds is mirrored and completes', () => {
      testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const a1 = cold('-#', undefined, conn(1));
        const a2 = cold('          -a-b-|');
        const a1subs = '^!';
        const a2subs = '- 1000ms ^----!';
        const expected = '- 1000ms -a-b-|';

        expectObservable(attempts(a1, a2).pipe(retryWithBackoff(NO_JITTER, testScheduler))).toBe(expected);
        expectSubscriptions(a1.subscriptions).toBe(a1subs);
        expectSubscriptions(a2.subscriptions).toBe(a2subs);
      });
    });

    it('maxRetries: 0 never retries', () => {
      testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('-#', undefined, conn(1));
        expectObservable(source.pipe(retryWithBackoff({ maxRetries: 0 }))).toBe('-#', undefined, conn(1));
        expectSubscriptions(source.subscriptions).toBe('^!');
      });
    });

    it('jitter with random() = 0 halves every delay (500, 1000, 2000)', () => {
      testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('-#', undefined, conn(1));
        const subs = ['^!', '501ms ^!', '1502ms ^!', '3503ms ^!'];
        const expected = '3504ms #';

        expectObservable(source.pipe(retryWithBackoff({ random: () => 0 }))).toBe(expected, undefined, conn(1));
        expectSubscriptions(source.subscriptions).toBe(subs);
      });
    });

    it('jitter with random() → 1 gives just under 1.5× (1499, 2999, 5999), truncated', () => {
      testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('-#', undefined, conn(1));
        const subs = ['^!', '1500ms ^!', '4500ms ^!', '10500ms ^!'];
        const expected = '10501ms #';

        expectObservable(source.pipe(retryWithBackoff({ random: () => 0.999999 }))).toBe(expected, undefined, conn(1));
        expectSubscriptions(source.subscriptions).toBe(subs);
      });
    });

    it('the cap applies before jitter, so a delay reaches up to 1.5× maxBackoffMs', () => {
      testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('-#', undefined, conn(1));
        // 1000 -> 1499; 2000 capped 1500 -> 2249; 4000 capped 1500 -> 2249
        const subs = ['^!', '1500ms ^!', '3750ms ^!', '6000ms ^!'];
        const expected = '6001ms #';

        const config = { maxBackoffMs: 1500, random: () => 0.999999 };
        expectObservable(source.pipe(retryWithBackoff(config))).toBe(expected, undefined, conn(1));
        expectSubscriptions(source.subscriptions).toBe(subs);
      });
    });

    it('initialBackoffMs and backoffMultiplier shape the delays (100, 300, 900)', () => {
      testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('-#', undefined, conn(1));
        const subs = ['^!', '101ms ^!', '402ms ^!', '1303ms ^!'];
        const config = { initialBackoffMs: 100, backoffMultiplier: 3, jitter: false };
        expectObservable(source.pipe(retryWithBackoff(config))).toBe('1304ms #', undefined, conn(1));
        expectSubscriptions(source.subscriptions).toBe(subs);
      });
    });
  });

  describe('server delays', () => {
    it('retryAfterMs is used as is, without jitter', () => {
      testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const a1 = cold('-#', undefined, http(429, { retryAfterMs: 2500 }));
        const a2 = cold('-a|');
        // random() = 0 would halve a computed backoff; the server's 2500 stays 2500.
        const expected = '- 2500ms -a|';

        expectObservable(attempts(a1, a2).pipe(retryWithBackoff({ random: () => 0 }))).toBe(expected);
        expectSubscriptions(a1.subscriptions).toBe('^!');
        expectSubscriptions(a2.subscriptions).toBe('- 2500ms ^-!');
      });
    });

    it('retryAfterMs of 0 retries at once', () => {
      testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const a1 = cold('-#', undefined, http(503, { retryAfterMs: 0 }));
        const a2 = cold(' -a|');
        expectObservable(attempts(a1, a2).pipe(retryWithBackoff())).toBe('--a|');
        expectSubscriptions(a2.subscriptions).toBe('-^-!');
      });
    });

    it('a server delay above maxRetryAfterMs (60000) is not retried; the error carries retryAfterMs', () => {
      testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const error = http(429, { retryAfterMs: 60_001 });
        const source = cold('-#', undefined, error);
        expectObservable(source.pipe(retryWithBackoff())).toBe('-#', undefined, http(429, { retryAfterMs: 60_001 }));
        expectSubscriptions(source.subscriptions).toBe('^!');
      });
    });

    it('maxRetryAfterMs is inclusive (5000 waits, 5001 is surfaced)', () => {
      testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const atCap = cold('-#', undefined, http(503, { retryAfterMs: 5000 }));
        const ok = cold('-a|');
        expectObservable(attempts(atCap, ok).pipe(retryWithBackoff({ maxRetryAfterMs: 5000 }))).toBe('- 5000ms -a|');

        const aboveCap = cold('-#', undefined, http(503, { retryAfterMs: 5001 }));
        expectObservable(aboveCap.pipe(retryWithBackoff({ maxRetryAfterMs: 5000 }))).toBe(
          '-#',
          undefined,
          http(503, { retryAfterMs: 5001 }),
        );
        expectSubscriptions(aboveCap.subscriptions).toBe('^!');
      });
    });
  });

  describe('never twice', () => {
    it('a failure after the first emitted value is passed on, never retried', () => {
      testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('-a-#', undefined, new StreamTruncatedError('ended early'));
        const subs = '^--!';
        const expected = '-a-#';

        expectObservable(source.pipe(retryWithBackoff())).toBe(expected, undefined, new StreamTruncatedError('ended early'));
        expectSubscriptions(source.subscriptions).toBe(subs);
      });
    });

    it('an attempt that emitted fails for good even after an earlier attempt was retried', () => {
      testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const cut = new ConnectionError('socket hang up');
        const a1 = cold('-#', undefined, conn(1));
        const a2 = cold('-a-#', undefined, cut);
        const expected = '- 1000ms -a-#';

        expectObservable(attempts(a1, a2).pipe(retryWithBackoff(NO_JITTER))).toBe(expected, undefined, cut);
        expectSubscriptions(a1.subscriptions).toBe('^!');
        expectSubscriptions(a2.subscriptions).toBe('- 1000ms ^--!');
      });
    });

    it('shouldRetry is not consulted for a failure after the first emitted value', () => {
      const shouldRetry = jest.fn(() => true);
      testScheduler.run(({ cold, expectObservable }) => {
        const source = cold('-a#', undefined, conn(1));
        expectObservable(source.pipe(retryWithBackoff({ shouldRetry }))).toBe('-a#', undefined, conn(1));
      });
      expect(shouldRetry).not.toHaveBeenCalled();
    });

    it('concurrent subscriptions do not share the emitted flag', () => {
      testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const first = cold('-a-a----|'); // subscription A: still emitting while B fails
        const second = cold('  --#', undefined, conn(2)); // subscription B, attempt 1: fails before B emitted
        const third = cold('-b|'); // subscription B, attempt 2
        const result = attempts(first, second, third).pipe(retryWithBackoff(NO_JITTER));

        // A's value at frame 3 must not count as B's emission: B is retried.
        expectObservable(result).toBe('-a-a----|');
        expectObservable(result, '--^').toBe('---- 1000ms -b|');
        expectSubscriptions(first.subscriptions).toBe('^-------!');
        expectSubscriptions(second.subscriptions).toBe('--^-!');
        expectSubscriptions(third.subscriptions).toBe('---- 1000ms ^-!');
      });
    });
  });

  describe('classification', () => {
    const neverRetried: Array<[string, () => unknown]> = [
      [
        'UsageLimitError (asking again cannot help)',
        () => new UsageLimitError('You have hit your ChatGPT usage limit (plus).', { status: 429, planType: 'plus' }),
      ],
      [
        'ProtocolError',
        () => new ProtocolError('bad event', { eventType: 'response.output_text.delta', issues: ['delta: expected string'] }),
      ],
      ['AuthError', () => new AuthError('Missing OpenAI Codex credentials')],
      ['ConfigError', () => new ConfigError('bad config')],
      ['CodexAbortError (the caller asked to stop)', () => new CodexAbortError('aborted by the caller')],
      ['OutputValidationError', () => new OutputValidationError('not JSON', { text: 'hi', issues: [] })],
      ['CodexHttpError 400', () => http(400)],
      ['CodexHttpError 401', () => http(401)],
      ['CodexHttpError 404', () => http(404)],
      ['CodexHttpError 501 (not a transient status)', () => http(501)],
      ['a plain Error (unknown errors are passed on)', () => new Error('boom')],
      ['a TypeError from a bug downstream', () => new TypeError('x is not a function')],
      ['the bare CodexError base class', () => new CodexError('generic')],
      ['a non-Error value', () => 'a string'],
    ];

    it.each(neverRetried)('%s is not retried', (_name, make) => {
      testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('-#', undefined, make());
        expectObservable(source.pipe(retryWithBackoff())).toBe('-#', undefined, make());
        expectSubscriptions(source.subscriptions).toBe('^!');
      });
    });

    const retried: Array<[string, () => unknown]> = [
      ['ConnectionError', () => conn(1)],
      ['IdleTimeoutError', () => new IdleTimeoutError('no bytes for 300000 ms', { phase: 'body', timeoutMs: 300_000 })],
      ['StreamTruncatedError', () => new StreamTruncatedError('OpenAI Codex stream ended before a terminal response event')],
      ['CodexStreamError', () => new CodexStreamError('server overloaded', { eventType: 'error' })],
      ['InvalidUtf8Error', () => new InvalidUtf8Error('Invalid UTF-8 in OpenAI Codex stream')],
      ...[408, 429, 500, 502, 503, 504].map((s): [string, () => unknown] => [`CodexHttpError ${s}`, () => http(s)]),
    ];

    it.each(retried)('%s is retried before anything was emitted', (_name, make) => {
      testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('-#', undefined, make());
        const subs = ['^!', '1001ms ^!'];
        expectObservable(source.pipe(retryWithBackoff({ maxRetries: 1, jitter: false }))).toBe('1002ms #', undefined, make());
        expectSubscriptions(source.subscriptions).toBe(subs);
      });
    });

    it('x-should-retry: true retries a 400', () => {
      testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const a1 = cold('-#', undefined, http(400, { xShouldRetry: true }));
        const a2 = cold('-a|');
        expectObservable(attempts(a1, a2).pipe(retryWithBackoff(NO_JITTER))).toBe('- 1000ms -a|');
        expectSubscriptions(a2.subscriptions).toBe('- 1000ms ^-!');
      });
    });

    it('x-should-retry: false stops a 503', () => {
      testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('-#', undefined, http(503, { xShouldRetry: false }));
        expectObservable(source.pipe(retryWithBackoff())).toBe('-#', undefined, http(503, { xShouldRetry: false }));
        expectSubscriptions(source.subscriptions).toBe('^!');
      });
    });

    it('statusCodes replaces the default set', () => {
      testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const teapot = cold('-#', undefined, http(418));
        expectObservable(teapot.pipe(retryWithBackoff({ statusCodes: [418], maxRetries: 1, jitter: false }))).toBe(
          '1002ms #',
          undefined,
          http(418),
        );
        expectSubscriptions(teapot.subscriptions).toBe(['^!', '1001ms ^!']);

        const unavailable = cold('-#', undefined, http(503));
        expectObservable(unavailable.pipe(retryWithBackoff({ statusCodes: [418] }))).toBe('-#', undefined, http(503));
        expectSubscriptions(unavailable.subscriptions).toBe('^!');
      });
    });

    it('isRetryableError: the default policy, usable on its own', () => {
      expect(isRetryableError(conn(1))).toBe(true);
      expect(isRetryableError(http(429))).toBe(true);
      expect(isRetryableError(http(429, { xShouldRetry: false }))).toBe(false);
      expect(isRetryableError(http(400, { xShouldRetry: true }))).toBe(true);
      expect(isRetryableError(http(418), { statusCodes: [418] })).toBe(true);
      expect(isRetryableError(http(503), { statusCodes: [418] })).toBe(false);
      // Retry-After is the operator's business, not the classifier's.
      expect(isRetryableError(http(429, { retryAfterMs: 10_000_000 }))).toBe(true);
      expect(isRetryableError(new UsageLimitError('limit', { status: 429 }))).toBe(false);
      expect(isRetryableError(new Error('x'))).toBe(false);
      expect(isRetryableError(undefined)).toBe(false);
    });
  });

  describe('hooks', () => {
    it('shouldRetry(error, attempt) overrides the default both ways; undefined falls through', () => {
      const calls: Array<[unknown, number]> = [];
      const plain = new Error('custom transient');
      const blocked = conn(9);
      const shouldRetry = (error: unknown, attempt: number) => {
        calls.push([error, attempt]);
        if (error === plain) return true;
        if (error === blocked) return false;
        return undefined;
      };
      testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        // A plain Error is retried because the hook says so; a ConnectionError by the default policy.
        const a1 = cold('-#', undefined, plain);
        const a2 = cold('-#', undefined, conn(2));
        const a3 = cold('-#', undefined, blocked);
        const result = attempts(a1, a2, a3).pipe(retryWithBackoff({ shouldRetry, jitter: false }));

        expectObservable(result).toBe('3003ms #', undefined, blocked);
        expectSubscriptions(a1.subscriptions).toBe('^!');
        expectSubscriptions(a2.subscriptions).toBe('1001ms ^!');
        expectSubscriptions(a3.subscriptions).toBe('3002ms ^!');
      });
      expect(calls).toEqual([
        [plain, 1],
        [conn(2), 2],
        [blocked, 3],
      ]);
      expect(calls[2]![0]).toBe(blocked);
    });

    it('shouldRetry is not consulted once maxRetries is spent', () => {
      const shouldRetry = jest.fn(() => true);
      testScheduler.run(({ cold, expectObservable }) => {
        const source = cold('-#', undefined, conn(1));
        expectObservable(source.pipe(retryWithBackoff({ maxRetries: 2, shouldRetry, jitter: false }))).toBe('3003ms #', undefined, conn(1));
      });
      expect(shouldRetry.mock.calls.map((call: unknown[]) => call[1])).toEqual([1, 2]);
    });

    it('shouldRetry: true does not lift the maxRetryAfterMs cap', () => {
      testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('-#', undefined, http(429, { retryAfterMs: 120_000 }));
        expectObservable(source.pipe(retryWithBackoff({ shouldRetry: () => true }))).toBe(
          '-#',
          undefined,
          http(429, { retryAfterMs: 120_000 }),
        );
        expectSubscriptions(source.subscriptions).toBe('^!');
      });
    });

    it('a throw in shouldRetry fails the stream with that error', () => {
      const bug = new TypeError('hook bug');
      testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('-#', undefined, conn(1));
        const shouldRetry = () => {
          throw bug;
        };
        expectObservable(source.pipe(retryWithBackoff({ shouldRetry }))).toBe('-#', undefined, bug);
        expectSubscriptions(source.subscriptions).toBe('^!');
      });
    });

    it('onRetry({attempt, delayMs, error}) is called before each wait, at the failure', () => {
      const seen: Array<[number, RetryInfo]> = [];
      const e1 = http(503);
      const e2 = http(429, { retryAfterMs: 700 });
      testScheduler.run(({ cold, expectObservable }) => {
        const onRetry = (info: RetryInfo) => seen.push([testScheduler.now(), info]);
        const result = attempts(cold('-#', undefined, e1), cold('-#', undefined, e2), cold('-a|')).pipe(
          retryWithBackoff({ onRetry, jitter: false }),
        );
        expectObservable(result).toBe('- 1000ms - 700ms -a|');
      });
      expect(seen).toEqual([
        [1, { attempt: 1, delayMs: 1000, error: e1 }],
        [1002, { attempt: 2, delayMs: 700, error: e2 }],
      ]);
      expect(seen[0]![1].error).toBe(e1);
    });

    it('a throw in onRetry fails the stream with that error and nothing is re-subscribed', () => {
      const bug = new Error('onRetry bug');
      testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('-#', undefined, conn(1));
        const onRetry = () => {
          throw bug;
        };
        expectObservable(source.pipe(retryWithBackoff({ onRetry }))).toBe('-#', undefined, bug);
        expectSubscriptions(source.subscriptions).toBe('^!');
      });
    });

    it('onRetry is not called when the policy gives up', () => {
      const onRetry = jest.fn();
      testScheduler.run(({ cold, expectObservable }) => {
        expectObservable(cold('-#', undefined, http(400)).pipe(retryWithBackoff({ onRetry }))).toBe('-#', undefined, http(400));
      });
      expect(onRetry).not.toHaveBeenCalled();
    });
  });

  describe('cancellation and budget', () => {
    it('unsubscribing during the backoff cancels the wait; nothing is subscribed again', () => {
      testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('-#', undefined, conn(1));
        const unsub = '   500ms !';
        const subs = '    ^!';
        const expected = '-';

        expectObservable(source.pipe(retryWithBackoff(NO_JITTER)), unsub).toBe(expected);
        expectSubscriptions(source.subscriptions).toBe(subs);
      });
      // The flush ran to completion: had the timer survived, there would be a second subscription.
    });

    it('unsubscribing during the second wait stops after two attempts', () => {
      testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('-#', undefined, conn(1));
        const unsub = '2000ms !';
        expectObservable(source.pipe(retryWithBackoff(NO_JITTER)), unsub).toBe('-');
        expectSubscriptions(source.subscriptions).toBe(['^!', '1001ms ^!']);
      });
    });

    it('a wait that would end after totalTimeoutMs is not started', () => {
      testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('-#', undefined, conn(1));
        // fails at 1: 1 + 1000 <= 3000, wait; fails at 1002: 1002 + 2000 > 3000, give up.
        const result = source.pipe(retryWithBackoff({ totalTimeoutMs: 3000, jitter: false }));
        expectObservable(result).toBe('1002ms #', undefined, conn(1));
        // A later subscription has its own budget, counted from its own start.
        expectObservable(result, '5000ms ^').toBe('6002ms #', undefined, conn(1));
        expectSubscriptions(source.subscriptions).toBe(['^!', '1001ms ^!', '5000ms ^!', '6001ms ^!']);
      });
    });
  });

  describe('configuration (STYLE 3: validated when the operator is created)', () => {
    function configErrorOf(create: () => unknown): ConfigError {
      try {
        create();
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        return err as ConfigError;
      }
      throw new Error('expected a ConfigError');
    }

    it('rejects an unknown key (got-style message)', () => {
      // @ts-expect-error maxRetry is not an option (a typo of maxRetries)
      const err = configErrorOf(() => retryWithBackoff({ maxRetry: 3 }));
      expectProblemAndFix(err.message, 'Unexpected retry option: maxRetry');
      expect(err.message).toContain('Did you mean maxRetries?');
      expect(err.code).toBe('ERR_CODEX_CONFIG');
    });

    it.each([
      [{ maxRetries: -1 }, 'Retry option maxRetries must be a non-negative integer or Infinity, got -1'],
      [{ maxRetries: 1.5 }, 'Retry option maxRetries must be a non-negative integer or Infinity, got 1.5'],
      [{ initialBackoffMs: -1 }, 'Retry option initialBackoffMs must be a non-negative number, got -1'],
      [{ initialBackoffMs: Infinity }, 'Retry option initialBackoffMs must be a non-negative number, got Infinity'],
      [{ maxBackoffMs: NaN }, 'Retry option maxBackoffMs must be a non-negative number or Infinity, got NaN'],
      [{ backoffMultiplier: -2 }, 'Retry option backoffMultiplier must be a non-negative number, got -2'],
      [{ maxRetryAfterMs: '60000' }, 'Retry option maxRetryAfterMs must be a non-negative number or Infinity, got "60000"'],
      [{ totalTimeoutMs: -5 }, 'Retry option totalTimeoutMs must be a non-negative number or Infinity, got -5'],
      [{ jitter: 'yes' }, 'Retry option jitter must be a boolean, got "yes"'],
      [{ random: 0.5 }, 'Retry option random must be a function, got 0.5'],
      [{ shouldRetry: true }, 'Retry option shouldRetry must be a function, got true'],
      [{ onRetry: {} }, 'Retry option onRetry must be a function, got an object'],
      [{ statusCodes: [429, 600] }, 'Retry option statusCodes must be an array of HTTP status codes (100-599), got 600'],
      [{ statusCodes: 429 }, 'Retry option statusCodes must be an array of HTTP status codes (100-599), got 429'],
    ])('rejects %p, saying what to change', (config, message) => {
      const err = configErrorOf(() => retryWithBackoff(config as never));
      expectProblemAndFix(err.message, message);
    });

    it('rejects a config that is not an object, and a scheduler that is not a SchedulerLike', () => {
      expectProblemAndFix(configErrorOf(() => retryWithBackoff(3 as never)).message, 'Retry options must be an object, got 3');
      expectProblemAndFix(
        configErrorOf(() => retryWithBackoff({}, {} as never)).message,
        'retryWithBackoff: scheduler must be a SchedulerLike (with schedule() and now())',
      );
    });

    it('validates before anything is subscribed', () => {
      const subscribe = jest.fn();
      const source = new Observable<number>(subscribe);
      expect(() => source.pipe(retryWithBackoff({ maxRetries: -1 }))).toThrow(ConfigError);
      expect(subscribe).not.toHaveBeenCalled();
    });

    it('accepts explicit undefined (the default) and Infinity where it makes sense', () => {
      testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('-#', undefined, conn(1));
        const config = { maxRetries: undefined, jitter: false, maxBackoffMs: Infinity, maxRetryAfterMs: Infinity };
        expectObservable(source.pipe(retryWithBackoff(config))).toBe('7004ms #', undefined, conn(1));
        expectSubscriptions(source.subscriptions).toBe(['^!', '1001ms ^!', '3002ms ^!', '7003ms ^!']);
      });
    });
  });
});
