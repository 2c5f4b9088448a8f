import { MAX_TIMER_DELAY_MS } from './config.js';

/**
 * Response headers in any of the shapes codex-rx meets: a fetch `Headers` (or anything with a
 * `get(name)` method), or a plain record as undici's `request()` and `node:http` give it
 * (`Record<string, string | string[] | undefined>`, keys usually lowercase). Lookups in a plain
 * record are case-insensitive.
 */
export type HeadersLike =
  { get(name: string): string | null | undefined } | Readonly<Record<string, string | readonly string[] | number | undefined>>;

/**
 * One header's value. For a plain record, an exact lowercase key is tried first (the common
 * case, no scan), then a case-insensitive scan; a repeated header (an array) gives its first value.
 *
 * @param headers The response headers.
 * @param name The header name, lowercase.
 * @return The value, or `undefined` when the header is absent.
 */
export function getHeader(headers: HeadersLike | null | undefined, name: string): string | undefined {
  if (headers == null) return undefined;
  const getter = (headers as { get?: unknown }).get;
  if (typeof getter === 'function') {
    const value = (getter as (n: string) => string | null | undefined).call(headers, name);
    return value ?? undefined;
  }
  const record = headers as Readonly<Record<string, string | readonly string[] | number | undefined>>;
  let value = Object.prototype.hasOwnProperty.call(record, name) ? record[name] : undefined;
  if (value === undefined) {
    for (const key of Object.keys(record)) {
      if (key.length === name.length && key.toLowerCase() === name) {
        value = record[key];
        break;
      }
    }
  }
  if (Array.isArray(value)) value = (value as readonly string[])[0];
  return value === undefined ? undefined : String(value);
}

// RFC 9110 section 10.2.3: delay-seconds is 1*DIGIT; decimals ("1.5") are accepted too. Nothing
// else (no sign, exponent, unit or trailing text): parseFloat would read "5abc" as 5.
const DECIMAL = /^\d+(?:\.\d+)?$/;

const MONTHS: Readonly<Record<string, number>> = {
  jan: 0,
  feb: 1,
  mar: 2,
  apr: 3,
  may: 4,
  jun: 5,
  jul: 6,
  aug: 7,
  sep: 8,
  oct: 9,
  nov: 10,
  dec: 11,
};
const MON = '(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)';
const TIME = '(\\d{2}):(\\d{2}):(\\d{2})';
// RFC 9110 section 5.6.7: recipients must accept all three HTTP-date forms. V8's Date.parse cannot be
// trusted to tell them from garbage (it reads "1" and "3, 5" as dates in 2001), and it reads
// asctime as local time, so the fields are matched here and handed to Date.UTC.
/** IMF-fixdate: `Sun, 06 Nov 1994 08:49:37 GMT`. */
const IMF_FIXDATE = new RegExp(`^(?:mon|tue|wed|thu|fri|sat|sun), (\\d{2}) ${MON} (\\d{4}) ${TIME} GMT$`, 'i');
/** Obsolete RFC 850: `Sunday, 06-Nov-94 08:49:37 GMT`. */
const RFC_850 = new RegExp(`^(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday), (\\d{2})-${MON}-(\\d{2}) ${TIME} GMT$`, 'i');
/** Obsolete asctime: `Sun Nov  6 08:49:37 1994` (always UTC). */
const ASCTIME = new RegExp(`^(?:mon|tue|wed|thu|fri|sat|sun) ${MON} ( \\d|\\d{2}) ${TIME} (\\d{4})$`, 'i');

/** Parses the three HTTP-date forms to Unix milliseconds, or `undefined`. */
function parseHttpDate(value: string, nowMs: number): number | undefined {
  let m: RegExpExecArray | null;
  // [day, month, year, hh, mm, ss]
  let f: [string, string, number, string, string, string];
  if ((m = IMF_FIXDATE.exec(value))) {
    f = [m[1]!, m[2]!, Number(m[3]), m[4]!, m[5]!, m[6]!];
  } else if ((m = RFC_850.exec(value))) {
    // RFC 9110 section 5.6.7: a two-digit year more than 50 years in the future is in the past century.
    let year = 2000 + Number(m[3]);
    if (year > new Date(nowMs).getUTCFullYear() + 50) year -= 100;
    f = [m[1]!, m[2]!, year, m[4]!, m[5]!, m[6]!];
  } else if ((m = ASCTIME.exec(value))) {
    f = [m[2]!, m[1]!, Number(m[6]), m[3]!, m[4]!, m[5]!];
  } else {
    return undefined;
  }
  const [day, month, year, hh, mm, ss] = f;
  const d = Number(day);
  const h = Number(hh);
  const min = Number(mm);
  const s = Number(ss);
  if (d < 1 || d > 31 || h > 23 || min > 59 || s > 60) return undefined;
  const ms = Date.UTC(year, MONTHS[month.toLowerCase()], d, h, min, s);
  return Number.isFinite(ms) ? ms : undefined;
}

/**
 * The delay a server asked for before a retry, in milliseconds, from the first of:
 *
 * 1. `retry-after-ms`: milliseconds, decimals allowed (openai-node's extension);
 * 2. `Retry-After` as seconds, decimals allowed (`"2"`, `"1.5"`);
 * 3. `Retry-After` as an HTTP-date (any of RFC 9110's three forms), relative to `nowMs`.
 *
 * A header that is garbage (or negative) is ignored, so a bad `retry-after-ms` falls through to
 * `Retry-After`. Fractions of a millisecond round up (never retry earlier than asked). A date in
 * the past gives `0`: the server said the retry may happen now. The result is clamped to
 * 2_147_483_647, the largest delay a timer honours.
 *
 * ## Example
 * ```ts
 * import { parseRetryAfterMs } from './retryAfter.js'; // internal: the client reads error responses with it
 *
 * parseRetryAfterMs(new Headers({ 'retry-after': '1.5' }));          // 1500
 * parseRetryAfterMs({ 'Retry-After-Ms': '250' });                    // 250
 * parseRetryAfterMs({ 'retry-after': 'Wed, 21 Oct 2015 07:28:10 GMT' }, Date.UTC(2015, 9, 21, 7, 28)); // 10000
 * ```
 *
 * @param headers The response headers: a `Headers`-like object or a plain record.
 * @param nowMs The current time in Unix milliseconds, for the HTTP-date form.
 * @return The delay in whole milliseconds, or `undefined` when the server gave none usable.
 */
export function parseRetryAfterMs(headers: HeadersLike | null | undefined, nowMs: number = Date.now()): number | undefined {
  const ms = getHeader(headers, 'retry-after-ms')?.trim();
  if (ms !== undefined && DECIMAL.test(ms)) return clamp(Number(ms));

  const after = getHeader(headers, 'retry-after')?.trim();
  if (after === undefined || after === '') return undefined;
  if (DECIMAL.test(after)) return clamp(Number(after) * 1000);
  const at = parseHttpDate(after, nowMs);
  return at === undefined ? undefined : clamp(Math.max(at - nowMs, 0));
}

/**
 * The server's `x-should-retry` verdict (openai-node honours it over the status): `true` for
 * `"true"`, `false` for `"false"`, `undefined` when absent or anything else.
 *
 * @param headers The response headers: a `Headers`-like object or a plain record.
 * @return The verdict, or `undefined`.
 */
export function parseShouldRetryHeader(headers: HeadersLike | null | undefined): boolean | undefined {
  const value = getHeader(headers, 'x-should-retry')?.trim().toLowerCase();
  return value === 'true' ? true : value === 'false' ? false : undefined;
}

function clamp(ms: number): number {
  return Math.min(Math.ceil(ms), MAX_TIMER_DELAY_MS);
}
