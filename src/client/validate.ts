/**
 * Checking options: the one place that knows how a bad option is reported. Every `ConfigError`
 * from here says what is wrong and what to change ("… got 0. Set idleTimeoutMs to …, or leave it
 * out for the default."), names the option by its path, and never echoes a secret.
 *
 * An options type is checked against a table of rules typed `OptionRules<T>`: one rule per key of
 * `T`, so adding a field to the type without a rule fails to compile, and the known keys (for the
 * unknown-key check) come from the same table.
 */
import { ConfigError } from '../errors.js';

/** The largest delay a JavaScript timer honours (2^31 - 1 ms, about 24.8 days); longer ones fire at once. */
export const MAX_TIMER_DELAY_MS = 2_147_483_647;

/**
 * How one option is checked. `check` returns what is wrong (`must be a boolean, got "yes"`), or
 * `undefined` when the value is acceptable; it is not called for `undefined` (the default).
 * `fix` says what to do instead, as a sentence: `Set it to true or false, or leave it out (default false).`
 */
export interface OptionRule {
  check(value: unknown): string | undefined;
  fix: string;
}

/** One rule per option of `T`, optional ones included: a missing rule is a compile error. */
export type OptionRules<T> = { readonly [K in keyof Required<T>]: OptionRule };

/** A short description of a bad value for a message: strings quoted and cut, objects by kind. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint' || value == null) return String(value);
  if (Array.isArray(value)) return 'an array';
  return article(typeof value);
}

/** `a number`, `an object`: the kind of a value without the value (for secrets). */
export function article(noun: string): string {
  return `${/^[aeiou]/.test(noun) ? 'an' : 'a'} ${noun}`;
}

/**
 * Checks an options object against its rules and returns it typed: it must be an object (or
 * `undefined`, meaning `{}`); every key must have a rule; every value that is not `undefined`
 * must pass its rule, in the table's order.
 *
 * @param value The options as the caller gave them.
 * @param rules One rule per known option.
 * @param what How messages name the options (`config`, `retry`), as in `Unexpected config option: x`.
 * @param where `path`: the options' path for messages (`'reasoning.'` for a nested object; none at
 *   the top). `lead`: what a bad value's message starts with, before the option's name
 *   (`'Retry option '`, `'loginWithBrowser: '`; nothing by default).
 * @return The same object, now known to be well-formed.
 * @throws ConfigError naming the first bad option and what to change.
 */
export function checkOptions<T extends object>(
  value: unknown,
  rules: OptionRules<T>,
  what: string,
  { path = '', lead = '' }: { path?: string; lead?: string } = {},
): T {
  if (value === undefined || value === null) return {} as T;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigError(
      `${what} options must be an object, got ${describe(value)}. Pass an object of options, or nothing for the defaults.`,
    );
  }
  const raw = value as Record<string, unknown>;
  const known = Object.keys(rules);
  for (const key of Object.keys(raw)) {
    if (!Object.hasOwn(rules, key)) throw unexpectedOption(what, path, key, known);
  }
  for (const key of known) {
    const given = raw[key];
    if (given === undefined) continue;
    const problem = (rules as Record<string, OptionRule>)[key]!.check(given);
    if (problem !== undefined) {
      throw new ConfigError(`${lead}${path}${key} ${problem}. ${(rules as Record<string, OptionRule>)[key]!.fix}`);
    }
  }
  return raw as T;
}

/** `Unexpected config option: modle. Did you mean model? Remove it or correct its name; …` */
function unexpectedOption(what: string, path: string, key: string, known: readonly string[]): ConfigError {
  const near = closest(key, known);
  const hint = near === undefined ? '' : ` Did you mean ${path}${near}?`;
  return new ConfigError(
    `Unexpected ${what} option: ${path}${key}.${hint} Remove it or correct its name; the known options${path === '' ? '' : ` of ${path.slice(0, -1)}`} are ${known.join(', ')}.`,
  );
}

/** The known name a typo most likely meant: the same ignoring case and `_`, a stem of it, or within two edits. */
function closest(key: string, known: readonly string[]): string | undefined {
  const squash = (s: string): string => s.replace(/[_-]/g, '').toLowerCase();
  const exact = known.find((k) => squash(k) === squash(key));
  if (exact !== undefined) return exact;
  const stem = squash(key).slice(0, -1);
  const extended = stem.length >= 4 ? known.find((k) => squash(k).startsWith(stem)) : undefined;
  if (extended !== undefined) return extended;
  let best: string | undefined;
  let bestDistance = 3;
  for (const k of known) {
    const d = editDistance(squash(key), squash(k));
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  return best;
}

/** Levenshtein distance, for short option names. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

// The checks options are made of. Each returns the problem, or undefined.

export const isString = (value: unknown): string | undefined =>
  typeof value === 'string' ? undefined : `must be a string, got ${describe(value)}`;

/** A string whose value is a secret: a wrong type is described by its kind only. */
export const isSecretString = (value: unknown): string | undefined =>
  typeof value === 'string' ? undefined : `must be a string, got ${article(typeof value)}`;

export const isBoolean = (value: unknown): string | undefined =>
  typeof value === 'boolean' ? undefined : `must be a boolean, got ${describe(value)}`;

export const isNumber = (value: unknown): string | undefined =>
  typeof value === 'number' ? undefined : `must be a number, got ${describe(value)}`;

export const isFunction = (value: unknown): string | undefined =>
  typeof value === 'function' ? undefined : `must be a function, got ${describe(value)}`;

/** A timer length: positive and at most what a timer honours. */
export const isTimerMs = (value: unknown): string | undefined =>
  typeof value === 'number' && value > 0 && value <= MAX_TIMER_DELAY_MS
    ? undefined
    : `must be a positive number of milliseconds, at most ${MAX_TIMER_DELAY_MS}, got ${describe(value)}`;

/** An rxjs scheduler: something with `now()` and `schedule()`. */
export const isScheduler = (value: unknown): string | undefined =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as { now?: unknown }).now === 'function' &&
  typeof (value as { schedule?: unknown }).schedule === 'function'
    ? undefined
    : `must be an rxjs SchedulerLike (with now and schedule), got ${describe(value)}`;

/** An undici Dispatcher: something with a `dispatch` method. */
export const isDispatcher = (value: unknown): string | undefined =>
  typeof value === 'object' && value !== null && typeof (value as { dispatch?: unknown }).dispatch === 'function'
    ? undefined
    : `must be an undici Dispatcher (an object with a dispatch method), got ${describe(value)}`;

/** One of a list of strings. */
export function isOneOf(allowed: readonly string[]): (value: unknown) => string | undefined {
  return (value) =>
    typeof value === 'string' && allowed.includes(value) ? undefined : `must be one of ${allowed.join(', ')}, got ${describe(value)}`;
}

/** An absolute `http:` or `https:` URL. The value is not echoed: a URL may carry credentials. */
export function isHttpUrl(value: unknown): string | undefined {
  if (typeof value !== 'string') return `must be a string, got ${describe(value)}`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an absolute http(s) URL';
  }
  return url.protocol === 'http:' || url.protocol === 'https:'
    ? undefined
    : `must be an absolute http(s) URL, got protocol ${JSON.stringify(url.protocol)}`;
}

/** The fix for an option with a default: how to set it, or to leave it out. */
export function setOrOmit(key: string, how: string, fallback: string): string {
  return `Set ${key} to ${how}, or leave it out for the default (${fallback}).`;
}

/**
 * The arguments of `stream(messages, tools)`, checked before anything else reads them: a
 * `null` or an object where an array belongs is a `ConfigError`, not a `TypeError` from deep
 * inside, nor tools silently dropped.
 *
 * @param messages Must be an array (its messages are checked as they are converted).
 * @param tools Must be an array or `undefined`.
 * @throws ConfigError saying what to pass instead.
 */
export function checkStreamInput(messages: unknown, tools: unknown): void {
  if (!Array.isArray(messages)) {
    throw new ConfigError(
      `stream(): messages must be an array of messages, got ${describe(messages)}. Pass an array such as [userMessage('Hello')].`,
    );
  }
  if (tools !== undefined && !Array.isArray(tools)) {
    throw new ConfigError(
      `stream(): tools must be an array of tools, got ${describe(tools)}. Pass an array (empty for none), or leave tools out.`,
    );
  }
}
