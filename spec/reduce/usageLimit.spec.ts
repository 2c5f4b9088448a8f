import { UsageLimitError } from '../../src/errors.js';
import { formatUsageLimitMessage, isUsageLimitErrorObject, usageLimitErrorFrom } from '../../src/usageLimit.js';

describe('usageLimit', () => {
  it('plan lowercased in parentheses, server message after, trimmed', () => {
    expect(formatUsageLimitMessage({ planType: 'Plus', message: 'Quota exhausted' })).toBe(
      'You have hit your ChatGPT usage limit (plus). Quota exhausted',
    );
    expect(formatUsageLimitMessage({ message: 'Quota exhausted' })).toBe('You have hit your ChatGPT usage limit. Quota exhausted');
    expect(formatUsageLimitMessage({})).toBe('You have hit your ChatGPT usage limit.');
  });

  it('adds "Try again in ~N min." with N rounded up, only when the reset is known', () => {
    expect(formatUsageLimitMessage({ planType: 'plus', message: 'Limit.', resetsInSeconds: 241 })).toBe(
      'You have hit your ChatGPT usage limit (plus). Limit. Try again in ~5 min.',
    );
    expect(formatUsageLimitMessage({ message: 'm', resetsInSeconds: 240 })).toMatch(/~4 min\.$/);
    // resets_at is Unix seconds; now is ms.
    expect(formatUsageLimitMessage({ message: 'm', resetsAt: 1_000_600, now: 1_000_000_000 })).toMatch(/~10 min\.$/);
    // A reset in the past still says at least one minute.
    expect(formatUsageLimitMessage({ message: 'm', resetsAt: 10, now: 1_000_000_000 })).toMatch(/~1 min\.$/);
    // resets_in_seconds wins over resets_at.
    expect(formatUsageLimitMessage({ message: 'm', resetsInSeconds: 60, resetsAt: 1_000_600, now: 1_000_000_000 })).toMatch(/~1 min\.$/);
  });

  it('classifies usage_limit_reached, usage_not_included and insufficient_quota as code or type', () => {
    for (const code of ['usage_limit_reached', 'usage_not_included', 'insufficient_quota']) {
      expect(isUsageLimitErrorObject({ code })).toBe(true);
      expect(isUsageLimitErrorObject({ type: code })).toBe(true);
    }
    expect(isUsageLimitErrorObject({ code: 'rate_limit_exceeded' })).toBe(false);
    expect(isUsageLimitErrorObject({ type: 'error', code: 'server_error' })).toBe(false);
    expect(isUsageLimitErrorObject('usage_limit_reached')).toBe(false);
    expect(isUsageLimitErrorObject(null)).toBe(false);
    expect(usageLimitErrorFrom({ code: 'server_error', message: 'x' })).toBeUndefined();
  });

  it('builds a UsageLimitError with planType, resetsAt, resetsInSeconds and status', () => {
    const err = usageLimitErrorFrom(
      {
        type: 'usage_limit_reached',
        message: 'The usage limit has been reached',
        plan_type: 'PLUS',
        resets_at: 1_700_000_000,
        resets_in_seconds: 3599,
      },
      { status: 429 },
    );
    expect(err).toBeInstanceOf(UsageLimitError);
    expect(err).toMatchObject({
      status: 429,
      planType: 'plus',
      resetsAt: 1_700_000_000,
      resetsInSeconds: 3599,
      code: 'ERR_CODEX_USAGE_LIMIT',
      message: 'You have hit your ChatGPT usage limit (plus). The usage limit has been reached Try again in ~60 min.',
    });
  });

  it('uses the fallback message when the error object has none, and ignores wrongly typed fields', () => {
    const err = usageLimitErrorFrom(
      { code: 'usage_not_included', plan_type: 7, resets_in_seconds: 'soon' },
      { fallbackMessage: 'from body' },
    );
    expect(err).toBeInstanceOf(UsageLimitError);
    expect(err!.message).toBe('You have hit your ChatGPT usage limit. from body');
    expect(err!.planType).toBeUndefined();
    expect(err!.resetsInSeconds).toBeUndefined();
    expect(err!.status).toBeUndefined();
  });
});
