import { types } from 'node:util';

/** What replaces a secret in anything shown to people. */
export const REDACTED = '[redacted]';

/**
 * A run this long of a secret's characters is treated as the secret itself: servers echo
 * truncated tokens (a prefix in an error message), and 16 base64url characters are far too
 * specific to occur by chance.
 */
export const MIN_SECRET_RUN = 16;

/** Names of fields whose values are credentials wherever they appear. */
const TOKEN_FIELDS = 'access_token|refresh_token|id_token|api_key|apikey|authorization|access|refresh|token';
// "access_token": "…"  (JSON, with escaped quotes inside the value)
const JSON_FIELD = new RegExp(`("(?:${TOKEN_FIELDS})"\\s*:\\s*")((?:[^"\\\\]|\\\\.)*)"`, 'gi');
// access_token=…  (form encoding, query strings)
const FORM_FIELD = new RegExp(`\\b((?:${TOKEN_FIELDS})=)([^&\\s"']+)`, 'gi');
// Anything shaped like a JWT: a base64url JSON header ("eyJ" is `{"`), a payload and a signature.
// Each part is taken whole by a lookahead and a back-reference (an atomic group): a long
// base64url run without dots then fails at once instead of backtracking through it.
const JWT = /eyJ(?=([\w-]{4,}))\1\.(?=([\w-]{4,}))\2\.(?=([\w-]*))\3/g;
// An OpenAI API key (`sk-…`, `sk-proj-…`, `sk-svcacct-…`), known or not.
const API_KEY = /\bsk-(?=([\w-]{20,}))\1/g;
// The credential of an Authorization header (`Authorization: Bearer …`), wherever it is quoted.
const BEARER = /\bBearer\s+(?=([\w.~+/=-]{10,}))\1/gi;

/** A half-open range of the original text. */
type Span = [start: number, end: number];

/**
 * The text with its JSON `\uXXXX` (and `\/`) escapes and its `%XX` percent escapes of ASCII
 * decoded, so an escaped echo of a secret looks like the secret. `origin[i]` is where the
 * decoded character `i` starts in the original text (`origin[length]` is the text's end).
 */
interface DecodedView {
  text: string;
  origin: number[] | undefined;
}

const HEX4 = /^[0-9a-fA-F]{4}$/;
const HEX2 = /^[0-9a-fA-F]{2}$/;

function decodeView(text: string): DecodedView {
  if (!text.includes('\\') && !text.includes('%')) return { text, origin: undefined };
  const out: string[] = [];
  const origin: number[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '\\') {
      // Any number of backslashes: a body quoted twice escapes its escapes.
      let j = i;
      while (text[j] === '\\') j++;
      if (text[j] === 'u' && HEX4.test(text.slice(j + 1, j + 5))) {
        origin.push(i);
        out.push(String.fromCharCode(parseInt(text.slice(j + 1, j + 5), 16)));
        i = j + 5;
        continue;
      }
      if (text[j] === '/') {
        origin.push(i);
        out.push('/');
        i = j + 1;
        continue;
      }
    } else if (c === '%' && HEX2.test(text.slice(i + 1, i + 3))) {
      const code = parseInt(text.slice(i + 1, i + 3), 16);
      if (code < 0x80) {
        origin.push(i);
        out.push(String.fromCharCode(code));
        i += 3;
        continue;
      }
    }
    origin.push(i);
    out.push(c as string);
    i++;
  }
  origin.push(text.length);
  return { text: out.join(''), origin };
}

/** Everything of the secrets a text is checked against, prepared once per call. */
interface Matcher {
  exact: string[];
  /** Every `MIN_SECRET_RUN`-character window of every long secret, and their rolling hashes. */
  windows: Set<string>;
  hashes: Set<number>;
  /** Which characters occur in a long secret: ASCII by table, the rest by set. */
  ascii: Uint8Array;
  alphabet: Set<number>;
}

// A polynomial rolling hash (mod 2^32) of a window: the text is scanned in one pass, and only a
// window whose hash is a secret's is sliced and compared.
const BASE = 0x01000193;
let BASE_POW = 1; // BASE^(MIN_SECRET_RUN - 1)
for (let i = 1; i < MIN_SECRET_RUN; i++) BASE_POW = Math.imul(BASE_POW, BASE);

/** Hashes are kept as small integers, which sets store without boxing. */
const SMALL = 0x3fffffff;

function hashWindow(text: string, start: number): number {
  let h = 0;
  for (let i = start; i < start + MIN_SECRET_RUN; i++) h = (Math.imul(h, BASE) + text.charCodeAt(i)) | 0;
  return h;
}

/** The last few matchers: one error is redacted field by field with the same secrets. */
const matchers = new Map<string, Matcher>();

function matcherOf(secrets: Iterable<string | undefined>): Matcher {
  const list = [...secrets].filter((s): s is string => typeof s === 'string' && s.trim() !== '');
  const key = list.join('\0');
  let matcher = matchers.get(key);
  if (matcher === undefined) {
    matcher = buildMatcher(list);
    if (matchers.size >= 8) matchers.delete(matchers.keys().next().value as string);
    matchers.set(key, matcher);
  }
  return matcher;
}

function buildMatcher(secrets: readonly string[]): Matcher {
  const matcher: Matcher = { exact: [...secrets], windows: new Set(), hashes: new Set(), ascii: new Uint8Array(128), alphabet: new Set() };
  for (const secret of secrets) {
    if (secret.length < MIN_SECRET_RUN) continue;
    for (let i = 0; i + MIN_SECRET_RUN <= secret.length; i++) {
      matcher.windows.add(secret.slice(i, i + MIN_SECRET_RUN));
      matcher.hashes.add(hashWindow(secret, i) & SMALL);
    }
    for (let i = 0; i < secret.length; i++) {
      const code = secret.charCodeAt(i);
      if (code < 128) matcher.ascii[code] = 1;
      else matcher.alphabet.add(code);
    }
  }
  return matcher;
}

/** The spans (of `text`) where any `MIN_SECRET_RUN` characters in a row appear in a secret. */
function secretRuns(text: string, matcher: Matcher, spans: Span[]): void {
  const { windows, hashes, ascii, alphabet } = matcher;
  if (windows.size === 0) return;
  let runStart = 0;
  for (let i = 0; i <= text.length; i++) {
    if (i < text.length) {
      const code = text.charCodeAt(i);
      if (code < 128 ? ascii[code] === 1 : alphabet.has(code)) continue;
    }
    // [runStart, i) is a run of characters that all occur in some secret.
    if (i - runStart >= MIN_SECRET_RUN) {
      let h = hashWindow(text, runStart);
      for (let j = runStart; ; j++) {
        if (hashes.has(h & SMALL) && windows.has(text.slice(j, j + MIN_SECRET_RUN))) spans.push([j, j + MIN_SECRET_RUN]);
        if (j + MIN_SECRET_RUN >= i) break;
        h = (Math.imul(h - Math.imul(text.charCodeAt(j), BASE_POW), BASE) + text.charCodeAt(j + MIN_SECRET_RUN)) | 0;
      }
    }
    runStart = i + 1;
  }
}

/** The spans of `text` that are secrets: known values, runs of them, JWTs and token fields. */
function secretSpans(text: string, matcher: Matcher): Span[] {
  const spans: Span[] = [];
  for (const secret of matcher.exact) {
    for (let i = text.indexOf(secret); i !== -1; i = text.indexOf(secret, i + secret.length)) spans.push([i, i + secret.length]);
  }
  secretRuns(text, matcher, spans);
  for (const match of text.matchAll(JWT)) spans.push([match.index, match.index + match[0].length]);
  for (const match of text.matchAll(API_KEY)) spans.push([match.index, match.index + match[0].length]);
  for (const match of text.matchAll(BEARER)) {
    const credential = match[1] ?? '';
    spans.push([match.index + match[0].length - credential.length, match.index + match[0].length]);
  }
  for (const pattern of [JSON_FIELD, FORM_FIELD]) {
    for (const match of text.matchAll(pattern)) {
      const value = match[2] ?? '';
      if (value === '' || value === REDACTED) continue;
      const start = match.index + (match[1] ?? '').length;
      spans.push([start, start + value.length]);
    }
  }
  return spans;
}

/**
 * Removes secrets from text shown to people (messages, stacks, bodies, diagnostics, failure
 * captures, CLI lines). Replaced with `[redacted]`:
 *
 * 1. each given secret wherever it appears, and any run of 16 or more characters of one (a
 *    truncated echo of a token is still the token);
 * 2. the same in JSON `\u`-escaped and percent-encoded form (the text is checked decoded, the
 *    whole escaped stretch is replaced);
 * 3. JWT-shaped strings, OpenAI API keys (`sk-…`), the credential after `Bearer `, and the
 *    values of token fields (`"access_token": "…"`, `refresh_token=…`, `"api_key": "…"`), known or not.
 *
 * @param text The text.
 * @param secrets The secrets involved (tokens, API keys, authorization codes); blank ones are ignored.
 * @return The text with each secret replaced by `[redacted]`.
 */
export function redactText(text: string, secrets: Iterable<string | undefined> = []): string {
  if (typeof text !== 'string' || text === '') return text;
  const matcher = matcherOf(secrets);
  const spans = secretSpans(text, matcher);
  const view = decodeView(text);
  if (view.origin !== undefined) {
    const origin = view.origin;
    for (const [start, end] of secretSpans(view.text, matcher)) spans.push([origin[start] ?? 0, origin[end] ?? text.length]);
  }
  if (spans.length === 0) return text;
  spans.sort((a, b) => a[0] - b[0]);
  const parts: string[] = [];
  let at = 0;
  let open: Span | undefined;
  for (const span of spans) {
    if (open !== undefined && span[0] <= open[1]) {
      open[1] = Math.max(open[1], span[1]);
      continue;
    }
    if (open !== undefined) {
      parts.push(text.slice(at, open[0]), REDACTED);
      at = open[1];
    }
    open = [span[0], span[1]];
  }
  if (open !== undefined) {
    parts.push(text.slice(at, open[0]), REDACTED);
    at = open[1];
  }
  parts.push(text.slice(at));
  return parts.join('');
}

const isError = (value: unknown): value is Error => types.isNativeError(value) || value instanceof Error;

/** A copy of a plain value with every string in it redacted (objects and arrays, a few levels deep). */
function redactValue(value: unknown, secrets: readonly string[], depth: number): unknown {
  if (typeof value === 'string') return redactText(value, secrets);
  if (depth <= 0 || typeof value !== 'object' || value === null) return value;
  if (isError(value)) return redactError(value, secrets);
  if (Array.isArray(value)) return value.map((v) => redactValue(v, secrets, depth - 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactValue(v, secrets, depth - 1)]));
}

/**
 * Scrubs secrets from an error in place, and from its causes: the message, the stack and every
 * string field (`body`, `issues`, the failure capture). Mutates rather than wraps, so the
 * error keeps its class and identity.
 *
 * @param error Anything thrown; non-errors pass through.
 * @param secrets As for {@link redactText}.
 * @return The same error.
 */
export function redactError<T>(error: T, secrets: Iterable<string | undefined> = []): T {
  const list = [...secrets].filter((s): s is string => typeof s === 'string');
  const seen = new Set<unknown>();
  for (let e: unknown = error, depth = 0; isError(e) && !seen.has(e) && depth < 8; depth++) {
    seen.add(e);
    const fields = e as unknown as Record<string, unknown>;
    e.message = redactText(e.message, list);
    if (typeof e.stack === 'string') e.stack = redactText(e.stack, list);
    for (const key of Object.keys(fields)) {
      if (key === 'cause') continue;
      const value = fields[key];
      if (typeof value === 'string' || (typeof value === 'object' && value !== null && !isError(value))) {
        try {
          fields[key] = redactValue(value, list, 4);
        } catch {
          // A frozen or accessor-only field: left as is, nothing better to do.
        }
      }
    }
    e = e.cause;
  }
  return error;
}

/**
 * A copy of a diagnostic (or any plain record) with secrets removed from every string in it and
 * from any error it carries.
 *
 * @param diagnostic The diagnostic.
 * @param secrets As for {@link redactText}.
 * @return The redacted copy.
 */
export function redactRecord<T extends object>(diagnostic: T, secrets: Iterable<string | undefined> = []): T {
  const list = [...secrets].filter((s): s is string => typeof s === 'string');
  return redactValue(diagnostic, list, 4) as T;
}
