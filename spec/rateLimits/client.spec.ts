import { lastValueFrom, toArray } from 'rxjs';
import { CodexClient } from '../../src/client/CodexClient.js';
import { UsageLimitError } from '../../src/errors.js';
import { userMessage } from '../../src/messages.js';
import { fakeAccessToken } from '../../src/testing/index.js';
import { textTurn } from '../../src/testing/transcripts.js';
import type { CodexEvent } from '../../src/types.js';
import { FAST_RETRY, mockServerPerTest } from '../client/helpers.js';

const mock = mockServerPerTest();
// Over HTTP: the limits come in the response headers of each request.
const client = () =>
  new CodexClient({ transport: 'sse', baseUrl: mock.server.baseUrl, accessToken: fakeAccessToken('acc_limits'), retry: FAST_RETRY });
const turn = () =>
  lastValueFrom(
    client()
      .stream([userMessage('Hi')])
      .pipe(toArray()),
  );

const CODEX_HEADERS = {
  'x-codex-primary-used-percent': '12.5',
  'x-codex-primary-window-minutes': '300',
  'x-codex-primary-reset-at': '1767000000',
  'x-codex-secondary-used-percent': '40',
  'x-codex-credits-has-credits': 'true',
  'x-codex-credits-unlimited': 'false',
  'x-codex-credits-balance': '3',
};
const CODEX_SNAPSHOT = {
  limitId: 'codex',
  primary: { usedPercent: 12.5, windowMinutes: 300, resetsAt: 1767000000 },
  secondary: { usedPercent: 40 },
  credits: { hasCredits: true, unlimited: false, balance: '3' },
};

describe('rate limits reported by the client', () => {
  it('emits the limits the response headers carry first, before any delta', async () => {
    await mock.serve({ headers: CODEX_HEADERS, events: textTurn({ text: ['Hel', 'lo'] }) });
    const events = await turn();
    expect(events[0]).toEqual({ type: 'rate-limits', rateLimits: CODEX_SNAPSHOT });
    expect(events[1]?.type).toBe('text-delta');
    expect(events.filter((e) => e.type === 'rate-limits')).toHaveLength(1);
  });

  it('emits one event per limit family, codex first', async () => {
    await mock.serve({
      headers: { 'x-codex-mini-primary-used-percent': '5', ...CODEX_HEADERS },
      events: textTurn({ text: ['ok'] }),
    });
    const events = (await turn()).filter((e): e is Extract<CodexEvent, { type: 'rate-limits' }> => e.type === 'rate-limits');
    expect(events.map((e) => e.rateLimits.limitId)).toEqual(['codex', 'codex-mini']);
    expect(events[1]?.rateLimits).toEqual({ limitId: 'codex-mini', primary: { usedPercent: 5 } });
  });

  it('emits none when the headers carry no limits', async () => {
    await mock.serve({ events: textTurn({ text: ['ok'] }) });
    expect((await turn()).some((e) => e.type === 'rate-limits')).toBe(false);
  });

  it('still retries a stream that failed after reporting only its limits, and reports them again', async () => {
    await mock.serve(
      { headers: CODEX_HEADERS, events: [{ type: 'error', message: 'transient' }] },
      { headers: { ...CODEX_HEADERS, 'x-codex-primary-used-percent': '13' }, events: textTurn({ text: ['ok'] }) },
    );
    const events = await turn();
    expect(mock.server.requests).toHaveLength(2);
    const reported = events.flatMap((e) => (e.type === 'rate-limits' ? [e.rateLimits.primary?.usedPercent] : []));
    expect(reported).toEqual([12.5, 13]);
    expect(events.at(-1)?.type).toBe('done');
  });

  it('gives a 429 usage-limit error the snapshot of its headers', async () => {
    await mock.serve({
      status: 429,
      headers: { ...CODEX_HEADERS, 'x-codex-primary-used-percent': '100' },
      json: { error: { type: 'usage_limit_reached', message: 'Limit reached', plan_type: 'plus', resets_in_seconds: 60 } },
    });
    const error = await turn().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageLimitError);
    expect((error as UsageLimitError).rateLimits).toEqual({ ...CODEX_SNAPSHOT, primary: { ...CODEX_SNAPSHOT.primary, usedPercent: 100 } });
    expect(mock.server.requests).toHaveLength(1);
  });

  it('gives an in-stream usage-limit error the snapshot the response reported', async () => {
    await mock.serve({
      headers: CODEX_HEADERS,
      events: [{ type: 'error', error: { type: 'usage_limit_reached', message: 'Limit reached' } }],
    });
    const error = await turn().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageLimitError);
    expect((error as UsageLimitError).rateLimits).toEqual(CODEX_SNAPSHOT);
  });
});
