import { getHeader, parseRetryAfterMs, parseShouldRetryHeader } from '../../src/retry/retryAfter.js';

// A fixed "now" for the HTTP-date form: Wed, 21 Oct 2015 07:28:00 GMT.
const NOW = Date.UTC(2015, 9, 21, 7, 28, 0);

describe('parseRetryAfterMs', () => {
  it('retry-after-ms is milliseconds, decimals allowed and rounded up', () => {
    expect(parseRetryAfterMs({ 'retry-after-ms': '250' })).toBe(250);
    expect(parseRetryAfterMs({ 'retry-after-ms': '1500.2' })).toBe(1501);
    expect(parseRetryAfterMs({ 'retry-after-ms': '0' })).toBe(0);
  });

  it('Retry-After as seconds, decimals allowed', () => {
    expect(parseRetryAfterMs({ 'retry-after': '2' })).toBe(2000);
    expect(parseRetryAfterMs({ 'retry-after': '1.5' })).toBe(1500);
    expect(parseRetryAfterMs({ 'retry-after': '0.0015' })).toBe(2);
    expect(parseRetryAfterMs({ 'retry-after': '  3 ' })).toBe(3000);
    expect(parseRetryAfterMs({ 'retry-after': '0' })).toBe(0);
  });

  it('Retry-After as an IMF-fixdate, relative to now (not only whole seconds)', () => {
    expect(parseRetryAfterMs({ 'retry-after': 'Wed, 21 Oct 2015 07:28:10 GMT' }, NOW)).toBe(10_000);
    expect(parseRetryAfterMs({ 'retry-after': 'Wed, 21 Oct 2015 08:28:00 GMT' }, NOW)).toBe(3_600_000);
  });

  it('the obsolete RFC 850 and asctime date forms are accepted too, as UTC (RFC 9110 section 5.6.7)', () => {
    expect(parseRetryAfterMs({ 'retry-after': 'Wednesday, 21-Oct-15 07:28:30 GMT' }, NOW)).toBe(30_000);
    expect(parseRetryAfterMs({ 'retry-after': 'Wed Oct 21 07:29:00 2015' }, NOW)).toBe(60_000);
    const early = Date.UTC(2015, 9, 1, 0, 0, 0);
    expect(parseRetryAfterMs({ 'retry-after': 'Thu Oct  1 00:00:05 2015' }, early)).toBe(5000);
  });

  it('a date in the past means "now": 0', () => {
    expect(parseRetryAfterMs({ 'retry-after': 'Wed, 21 Oct 2015 07:27:00 GMT' }, NOW)).toBe(0);
  });

  it('uses Date.now() when no time is given', () => {
    const inAMinute = new Date(Math.ceil(Date.now() / 1000) * 1000 + 60_000).toUTCString();
    const ms = parseRetryAfterMs({ 'retry-after': inAMinute });
    expect(ms).toBeGreaterThan(55_000);
    expect(ms).toBeLessThanOrEqual(61_000);
  });

  it('retry-after-ms wins over Retry-After; a garbage retry-after-ms falls through to Retry-After', () => {
    expect(parseRetryAfterMs({ 'retry-after-ms': '250', 'retry-after': '9' })).toBe(250);
    expect(parseRetryAfterMs({ 'retry-after-ms': 'soon', 'retry-after': '9' })).toBe(9000);
    expect(parseRetryAfterMs({ 'retry-after-ms': '-5', 'retry-after': '9' })).toBe(9000);
  });

  it.each([
    ['soon'],
    [''],
    ['   '],
    ['-5'],
    ['+5'],
    ['1e3'],
    ['5abc'],
    ['NaN'],
    ['Infinity'],
    ['.5'],
    ['3, 5'], // V8's Date.parse reads this as 2001-03-05
    ['1'.padStart(3, ' ') + ' seconds'],
    ['Wed, 21 Oct 2015 07:28:10'], // no zone
    ['Wed, 21 Oct 2015 25:28:10 GMT'], // no such hour
    ['Wed, 32 Oct 2015 07:28:10 GMT'],
    ['2015-10-21T07:28:10Z'], // ISO 8601 is not an HTTP-date
  ])('garbage Retry-After %p gives undefined', (value) => {
    expect(parseRetryAfterMs({ 'retry-after': value }, NOW)).toBeUndefined();
  });

  it('absent headers give undefined', () => {
    expect(parseRetryAfterMs({})).toBeUndefined();
    expect(parseRetryAfterMs(new Headers())).toBeUndefined();
    expect(parseRetryAfterMs(undefined)).toBeUndefined();
    expect(parseRetryAfterMs({ 'content-type': 'text/event-stream' })).toBeUndefined();
  });

  it('is clamped to 2_147_483_647 ms (the largest timer delay)', () => {
    expect(parseRetryAfterMs({ 'retry-after': '99999999999' })).toBe(2_147_483_647);
    expect(parseRetryAfterMs({ 'retry-after-ms': '1'.repeat(400) })).toBe(2_147_483_647);
    expect(parseRetryAfterMs({ 'retry-after': 'Fri, 01 Jan 2100 00:00:00 GMT' }, NOW)).toBe(2_147_483_647);
  });

  it('reads a fetch Headers object (case-insensitive by nature)', () => {
    expect(parseRetryAfterMs(new Headers({ 'Retry-After': '3' }))).toBe(3000);
    expect(parseRetryAfterMs(new Headers({ 'Retry-After-Ms': '40' }))).toBe(40);
  });

  it('reads a plain record case-insensitively, and undici arrays by their first value', () => {
    expect(parseRetryAfterMs({ 'Retry-After': '4' })).toBe(4000);
    expect(parseRetryAfterMs({ 'RETRY-AFTER-MS': '12' })).toBe(12);
    expect(parseRetryAfterMs({ 'retry-after': ['5', '7'] })).toBe(5000);
    expect(parseRetryAfterMs({ 'retry-after': 6 })).toBe(6000);
  });

  it('a record with a header named "get" is still a record', () => {
    expect(parseRetryAfterMs({ get: 'x', 'retry-after': '1' })).toBe(1000);
  });
});

describe('parseShouldRetryHeader (x-should-retry overrides the status)', () => {
  it('reads true/false, case-insensitively, and nothing else', () => {
    expect(parseShouldRetryHeader({ 'x-should-retry': 'true' })).toBe(true);
    expect(parseShouldRetryHeader(new Headers({ 'X-Should-Retry': 'false' }))).toBe(false);
    expect(parseShouldRetryHeader({ 'X-Should-Retry': 'TRUE' })).toBe(true);
    expect(parseShouldRetryHeader({ 'x-should-retry': 'maybe' })).toBeUndefined();
    expect(parseShouldRetryHeader({})).toBeUndefined();
  });
});

describe('getHeader', () => {
  it('prefers the exact lowercase key, then scans case-insensitively', () => {
    expect(getHeader({ 'retry-after': 'a', 'Retry-After': 'b' }, 'retry-after')).toBe('a');
    expect(getHeader({ 'Retry-After': 'b' }, 'retry-after')).toBe('b');
    expect(getHeader({ 'retry-after-ms': '1' }, 'retry-after')).toBeUndefined();
    expect(getHeader(null, 'retry-after')).toBeUndefined();
  });
});
