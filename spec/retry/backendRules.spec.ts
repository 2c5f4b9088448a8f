import { defer, lastValueFrom, toArray, type Observable } from 'rxjs';
import { CodexClient } from '../../src/client/CodexClient.js';
import { httpErrorFrom } from '../../src/client/httpError.js';
import { CodexHttpError, CodexStreamError, UsageLimitError } from '../../src/errors.js';
import { userMessage } from '../../src/messages.js';
import { NON_RETRIED_STREAM_ERROR_CODES, retryDelayFromMessage } from '../../src/retry/backendRules.js';
import { isRetryableError, retryWithBackoff } from '../../src/retry/retryWithBackoff.js';
import { fakeAccessToken } from '../../src/testing/index.js';
import { textTurn } from '../../src/testing/transcripts.js';
import { FAST_RETRY, mockServerPerTest } from '../client/helpers.js';
import { createTestScheduler } from './helpers.js';

const streamError = (errorCode: string, message = `failed: ${errorCode}`) =>
  new CodexStreamError(message, { eventType: 'response.failed', errorCode });

function attempts<T>(...sources: Observable<T>[]): Observable<T> {
  let i = 0;
  return defer(() => sources[Math.min(i++, sources.length - 1)]!);
}

describe('retryDelayFromMessage', () => {
  it.each([
    ['Rate limit reached for gpt-5 on tokens per min. Please try again in 1.5s.', 1500],
    ['Please try again in 250ms.', 250],
    ['Please try again in 2 seconds', 2000],
    ['TRY AGAIN IN 20 sec', 20000],
    ['try again in 0.0004s', 1],
    ['try again in 3 milliseconds', 3],
  ])('reads %j as %i ms', (message, ms) => {
    expect(retryDelayFromMessage(message)).toBe(ms);
  });

  it.each(['Please try again later.', 'try again in a moment', 'try again in 5 minutes', ''])('finds no delay in %j', (message) => {
    expect(retryDelayFromMessage(message)).toBeUndefined();
  });
});

describe('the backend rules in the retry policy', () => {
  it.each([...NON_RETRIED_STREAM_ERROR_CODES])('does not retry an in-stream %s', (code) => {
    expect(isRetryableError(streamError(code))).toBe(false);
  });

  it('still retries other in-stream errors, with or without a code', () => {
    expect(isRetryableError(streamError('server_error'))).toBe(true);
    expect(isRetryableError(new CodexStreamError('boom', { eventType: 'error' }))).toBe(true);
  });

  it('waits the delay a rate_limit_exceeded message names, without jitter, as if it were Retry-After', () => {
    createTestScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const limited = streamError('rate_limit_exceeded', 'Rate limit reached. Please try again in 1.5s.');
      const a1 = cold('-#', undefined, limited);
      const a2 = cold('-a|');
      // fails at 1, waits exactly 1500 (jitter is on but does not apply), resubscribes at 1501
      const result = attempts(a1, a2).pipe(retryWithBackoff({ jitter: true, random: () => 0 }));
      expectObservable(result).toBe('1502ms a|');
      expectSubscriptions(a1.subscriptions).toBe('^!');
      expectSubscriptions(a2.subscriptions).toBe('1501ms ^-!');
    });
  });

  it('gives up on a rate_limit_exceeded whose named delay is longer than maxRetryAfterMs', () => {
    createTestScheduler().run(({ cold, expectObservable }) => {
      const limited = streamError('rate_limit_exceeded', 'Please try again in 2 seconds');
      const a1 = cold('-#', undefined, limited);
      expectObservable(attempts(a1, cold('a|')).pipe(retryWithBackoff({ maxRetryAfterMs: 1000 }))).toBe('-#', undefined, limited);
    });
  });

  it('uses the backoff for a rate_limit_exceeded that names no delay', () => {
    createTestScheduler().run(({ cold, expectObservable }) => {
      const a1 = cold('-#', undefined, streamError('rate_limit_exceeded', 'Slow down'));
      expectObservable(attempts(a1, cold('a|')).pipe(retryWithBackoff({ jitter: false }))).toBe('1001ms a|');
    });
  });

  it('reads the delay from a 429 body when the response has no Retry-After header', () => {
    const body = JSON.stringify({ error: { code: 'rate_limit_exceeded', message: 'Please try again in 250ms.' } });
    const error = httpErrorFrom(429, {}, body);
    expect(error).toBeInstanceOf(CodexHttpError);
    expect((error as CodexHttpError).retryAfterMs).toBe(250);
    expect((httpErrorFrom(429, { 'retry-after': '3' }, body) as CodexHttpError).retryAfterMs).toBe(3000);
  });
});

describe('the backend rules against a server', () => {
  const mock = mockServerPerTest();
  const client = () => new CodexClient({ baseUrl: mock.server.baseUrl, accessToken: fakeAccessToken('acc_rules'), retry: FAST_RETRY });
  const failed = (code: string, message = `refused: ${code}`) => ({
    type: 'response.failed',
    response: { id: 'resp_x', status: 'failed', error: { code, message } },
  });

  it.each([...NON_RETRIED_STREAM_ERROR_CODES])('sends a request that fails in-stream with %s exactly once', async (code) => {
    await mock.serve({ events: [failed(code)] }, { events: textTurn({ text: ['never'] }) });
    const error = await lastValueFrom(client().stream([userMessage('Hi')])).catch((e: unknown) => e);
    expect(error instanceof CodexStreamError || error instanceof UsageLimitError).toBe(true);
    expect(mock.server.requests).toHaveLength(1);
  });

  it('re-sends after a rate_limit_exceeded that asks for 250 ms, and streams the second answer', async () => {
    await mock.serve(
      { events: [failed('rate_limit_exceeded', 'Rate limit reached. Please try again in 250ms.')] },
      { events: textTurn({ text: ['ok'] }) },
    );
    const delays: number[] = [];
    const c = new CodexClient({
      baseUrl: mock.server.baseUrl,
      accessToken: fakeAccessToken('acc_rules'),
      retry: { ...FAST_RETRY, onRetry: ({ delayMs }) => delays.push(delayMs) },
    });
    const events = await lastValueFrom(c.stream([userMessage('Hi')]).pipe(toArray()));
    expect(events.at(-1)).toMatchObject({ type: 'done' });
    expect(mock.server.requests).toHaveLength(2);
    expect(delays).toEqual([250]);
  });
});
