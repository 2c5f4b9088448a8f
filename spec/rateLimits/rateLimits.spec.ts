import { rateLimitsFromEvent, rateLimitsFromHeaders } from '../../src/rateLimits/index.js';

describe('rateLimitsFromHeaders', () => {
  it('reads the codex family: both windows, the limit name and the credits', () => {
    expect(
      rateLimitsFromHeaders({
        'x-codex-primary-used-percent': '12.5',
        'x-codex-primary-window-minutes': '300',
        'x-codex-primary-reset-at': '1767000000',
        'x-codex-secondary-used-percent': '40',
        'x-codex-secondary-window-minutes': '10080',
        'x-codex-secondary-reset-at': '1767500000',
        'x-codex-limit-name': 'Codex',
        'x-codex-credits-has-credits': 'true',
        'x-codex-credits-unlimited': 'false',
        'x-codex-credits-balance': '12.50',
        'content-type': 'text/event-stream',
      }),
    ).toEqual([
      {
        limitId: 'codex',
        limitName: 'Codex',
        primary: { usedPercent: 12.5, windowMinutes: 300, resetsAt: 1767000000 },
        secondary: { usedPercent: 40, windowMinutes: 10080, resetsAt: 1767500000 },
        credits: { hasCredits: true, unlimited: false, balance: '12.50' },
      },
    ]);
  });

  it('finds every family by its primary used-percent header, codex first', () => {
    const snapshots = rateLimitsFromHeaders({
      'x-gpt-5-codex-mini-primary-used-percent': '3',
      'x-gpt-5-codex-mini-limit-name': 'GPT-5-Codex-Mini',
      'x-codex-primary-used-percent': '50',
    });
    expect(snapshots).toEqual([
      { limitId: 'codex', primary: { usedPercent: 50 } },
      { limitId: 'gpt-5-codex-mini', limitName: 'GPT-5-Codex-Mini', primary: { usedPercent: 3 } },
    ]);
  });

  it('reads header names case-insensitively, and a fetch Headers object too', () => {
    expect(rateLimitsFromHeaders({ 'X-Codex-Primary-Used-Percent': '7' })).toEqual([{ limitId: 'codex', primary: { usedPercent: 7 } }]);
    const headers = new Headers({ 'x-codex-primary-used-percent': '8', 'x-codex-primary-window-minutes': '60' });
    expect(rateLimitsFromHeaders(headers)).toEqual([{ limitId: 'codex', primary: { usedPercent: 8, windowMinutes: 60 } }]);
  });

  it('leaves out values that do not parse instead of guessing', () => {
    expect(
      rateLimitsFromHeaders({
        'x-codex-primary-used-percent': '25',
        'x-codex-primary-window-minutes': 'five hours',
        'x-codex-primary-reset-at': '',
        'x-codex-secondary-used-percent': 'NaN',
        'x-codex-secondary-window-minutes': '10080',
        'x-codex-credits-has-credits': 'maybe',
      }),
    ).toEqual([{ limitId: 'codex', primary: { usedPercent: 25 } }]);
  });

  it('gives no snapshot for a family whose used percent does not parse, and none without headers', () => {
    expect(rateLimitsFromHeaders({ 'x-codex-primary-used-percent': 'lots' })).toEqual([]);
    expect(rateLimitsFromHeaders({ 'content-type': 'text/event-stream' })).toEqual([]);
    expect(rateLimitsFromHeaders(undefined)).toEqual([]);
  });

  it('takes the first value of a repeated header', () => {
    expect(rateLimitsFromHeaders({ 'x-codex-primary-used-percent': ['9', '10'] })).toEqual([
      { limitId: 'codex', primary: { usedPercent: 9 } },
    ]);
  });
});

describe('rateLimitsFromEvent', () => {
  it('reads the codex.rate_limits event', () => {
    expect(
      rateLimitsFromEvent({
        type: 'codex.rate_limits',
        plan_type: 'Plus',
        rate_limits: {
          allowed: true,
          limit_reached: false,
          primary: { used_percent: 12.5, window_minutes: 300, reset_at: 1767000000 },
          secondary: { used_percent: 3, window_minutes: 10080, reset_at: 1767500000 },
        },
        credits: { has_credits: true, unlimited: false, balance: '0' },
      }),
    ).toEqual({
      limitId: 'codex',
      planType: 'plus',
      primary: { usedPercent: 12.5, windowMinutes: 300, resetsAt: 1767000000 },
      secondary: { usedPercent: 3, windowMinutes: 10080, resetsAt: 1767500000 },
      credits: { hasCredits: true, unlimited: false, balance: '0' },
    });
  });

  it('reads windows given at the top level, as older servers send them', () => {
    expect(rateLimitsFromEvent({ type: 'codex.rate_limits', primary: { used_percent: 3.5, window_minutes: 300 } })).toEqual({
      limitId: 'codex',
      primary: { usedPercent: 3.5, windowMinutes: 300 },
    });
  });

  it('names the family from the event when it says which limit it reports', () => {
    expect(
      rateLimitsFromEvent({
        type: 'codex.rate_limits',
        metered_limit_name: 'gpt-5-codex-mini',
        limit_name: 'GPT-5-Codex-Mini',
        rate_limits: { primary: { used_percent: 1 } },
      }),
    ).toEqual({ limitId: 'gpt-5-codex-mini', limitName: 'GPT-5-Codex-Mini', primary: { usedPercent: 1 } });
  });

  it('keeps a numeric balance as text and needs both credit flags', () => {
    expect(rateLimitsFromEvent({ credits: { has_credits: false, unlimited: true, balance: 5 } })).toEqual({
      limitId: 'codex',
      credits: { hasCredits: false, unlimited: true, balance: '5' },
    });
    expect(rateLimitsFromEvent({ credits: { has_credits: true } })).toBeUndefined();
  });

  it('ignores malformed windows and gives undefined for an event with nothing in it', () => {
    expect(
      rateLimitsFromEvent({ type: 'codex.rate_limits', rate_limits: { primary: null, secondary: { used_percent: '9' } } }),
    ).toBeUndefined();
    expect(rateLimitsFromEvent({ type: 'codex.rate_limits', primary: {} })).toBeUndefined();
    expect(rateLimitsFromEvent(null)).toBeUndefined();
    expect(rateLimitsFromEvent('codex.rate_limits')).toBeUndefined();
  });

  it('returns a fresh object each time: nothing aliases the wire event', () => {
    const wire = { rate_limits: { primary: { used_percent: 10 } } };
    const a = rateLimitsFromEvent(wire)!;
    a.primary!.usedPercent = 99;
    expect(rateLimitsFromEvent(wire)?.primary?.usedPercent).toBe(10);
  });
});
