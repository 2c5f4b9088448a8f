import { catchError, defer, tap, throwError, type MonoTypeOperatorFunction } from 'rxjs';
import { UsageLimitError } from '../errors.js';
import { getHeader, type HeadersLike } from '../retry/retryAfter.js';
import type { CodexEvent, RateLimitSnapshot, RateLimitWindow, RateLimitsEvent } from '../types.js';

/** The family every Codex response reports (`x-codex-primary-used-percent`, …). */
export const DEFAULT_RATE_LIMIT_ID = 'codex';

/** `x-<family>-primary-used-percent`: the header whose presence announces a family. */
const FAMILY_HEADER = /^x-(.+)-primary-used-percent$/;

/** The header names of a headers object, lowercased. */
function headerNames(headers: HeadersLike): string[] {
  const withKeys = headers as { keys?: unknown; get?: unknown };
  if (typeof withKeys.get === 'function') {
    // A fetch `Headers` (or lookalike): its names are only reachable through `keys()`.
    return typeof withKeys.keys === 'function'
      ? [...(withKeys.keys as () => Iterable<string>).call(headers)].map((k) => k.toLowerCase())
      : [];
  }
  return Object.keys(headers).map((k) => k.toLowerCase());
}

/** A finite number from a header (`12.5`), or undefined for anything else (`abc`, `NaN`, ''). */
function numberHeader(headers: HeadersLike, name: string): number | undefined {
  const raw = getHeader(headers, name)?.trim();
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  return Number.isFinite(value) ? value : undefined;
}

/** `true`/`false` (also `1`/`0`, any case), or undefined. */
function booleanHeader(headers: HeadersLike, name: string): boolean | undefined {
  const raw = getHeader(headers, name)?.trim().toLowerCase();
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  return undefined;
}

function windowFromHeaders(headers: HeadersLike, prefix: string): RateLimitWindow | undefined {
  const usedPercent = numberHeader(headers, `${prefix}-used-percent`);
  if (usedPercent === undefined) return undefined;
  const window: RateLimitWindow = { usedPercent };
  const windowMinutes = numberHeader(headers, `${prefix}-window-minutes`);
  if (windowMinutes !== undefined) window.windowMinutes = windowMinutes;
  const resetsAt = numberHeader(headers, `${prefix}-reset-at`);
  if (resetsAt !== undefined) window.resetsAt = resetsAt;
  return window;
}

function snapshotFromHeaders(headers: HeadersLike, limitId: string): RateLimitSnapshot | undefined {
  const prefix = `x-${limitId}`;
  const snapshot: RateLimitSnapshot = { limitId };
  const limitName = getHeader(headers, `${prefix}-limit-name`)?.trim();
  if (limitName) snapshot.limitName = limitName;
  const primary = windowFromHeaders(headers, `${prefix}-primary`);
  if (primary !== undefined) snapshot.primary = primary;
  const secondary = windowFromHeaders(headers, `${prefix}-secondary`);
  if (secondary !== undefined) snapshot.secondary = secondary;
  const hasCredits = booleanHeader(headers, `${prefix}-credits-has-credits`);
  const unlimited = booleanHeader(headers, `${prefix}-credits-unlimited`);
  if (hasCredits !== undefined || unlimited !== undefined) {
    snapshot.credits = { hasCredits: hasCredits ?? false, unlimited: unlimited ?? false };
    const balance = getHeader(headers, `${prefix}-credits-balance`)?.trim();
    if (balance) snapshot.credits.balance = balance;
  }
  return snapshot.primary === undefined && snapshot.secondary === undefined && snapshot.credits === undefined ? undefined : snapshot;
}

/**
 * Reads the rate-limit snapshots a Codex response's headers carry, one per limit family.
 *
 * 1. The families are found by their `x-<family>-primary-used-percent` header; `codex`
 *    (`x-codex-primary-used-percent`, …) comes first, the others in header order.
 * 2. Per family: `-primary-used-percent`, `-primary-window-minutes`, `-primary-reset-at`
 *    (Unix seconds), the same for `secondary`, `-limit-name`, and `-credits-has-credits`,
 *    `-credits-unlimited`, `-credits-balance`.
 * 3. A window is present when its used percent is a number; a family with neither window nor
 *    credits gives no snapshot. Values that do not parse are left out, never guessed.
 *
 * ## Example
 * ```ts
 * import { rateLimitsFromHeaders } from 'codex-rx';
 *
 * const [codex] = rateLimitsFromHeaders({ 'x-codex-primary-used-percent': '12.5', 'x-codex-primary-window-minutes': '300' });
 * console.log(codex?.primary?.usedPercent); // 12.5
 * ```
 *
 * @param headers Response headers: a plain record (undici, `node:http`) or a fetch `Headers`.
 * @return One snapshot per family, `codex` first; empty when the headers carry none.
 */
export function rateLimitsFromHeaders(headers: HeadersLike | null | undefined): RateLimitSnapshot[] {
  if (headers == null) return [];
  const families: string[] = [];
  for (const name of headerNames(headers)) {
    const family = FAMILY_HEADER.exec(name)?.[1];
    if (family !== undefined && !families.includes(family)) families.push(family);
  }
  families.sort((a, b) => (a === DEFAULT_RATE_LIMIT_ID ? -1 : b === DEFAULT_RATE_LIMIT_ID ? 1 : 0));
  const snapshots: RateLimitSnapshot[] = [];
  for (const family of families) {
    const snapshot = snapshotFromHeaders(headers, family);
    if (snapshot !== undefined) snapshots.push(snapshot);
  }
  return snapshots;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const finite = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);
const nonEmptyString = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;

function windowFromWire(value: unknown): RateLimitWindow | undefined {
  if (!isRecord(value)) return undefined;
  const usedPercent = finite(value.used_percent);
  if (usedPercent === undefined) return undefined;
  const window: RateLimitWindow = { usedPercent };
  const windowMinutes = finite(value.window_minutes);
  if (windowMinutes !== undefined) window.windowMinutes = windowMinutes;
  const resetsAt = finite(value.reset_at) ?? finite(value.resets_at);
  if (resetsAt !== undefined) window.resetsAt = resetsAt;
  return window;
}

/**
 * Reads the snapshot of an in-stream `codex.rate_limits` event:
 * `{"type":"codex.rate_limits","plan_type":"plus","rate_limits":{"primary":{"used_percent":12.5,
 * "window_minutes":300,"reset_at":1767000000},"secondary":{…}},"credits":{"has_credits":true,
 * "unlimited":false,"balance":"0"}}`.
 *
 * 1. The windows are read from `rate_limits` (or, from older servers, the event's top level);
 *    a window needs a numeric `used_percent`; `reset_at` is in Unix seconds.
 * 2. `plan_type` becomes `planType`; `credits` needs both booleans; a numeric balance is kept as text.
 * 3. `limitId` is the event's `metered_limit_name` or `limit_id` when given, else `codex`;
 *    `limit_name` becomes `limitName`.
 *
 * ## Example
 * ```ts
 * import { rateLimitsFromEvent } from 'codex-rx';
 *
 * const snapshot = rateLimitsFromEvent({ type: 'codex.rate_limits', rate_limits: { primary: { used_percent: 40 } } });
 * console.log(snapshot?.primary?.usedPercent); // 40
 * ```
 *
 * @param event The wire event (any value: anything else gives `undefined`).
 * @return The snapshot, or `undefined` when the event carries no window, credits or plan.
 */
export function rateLimitsFromEvent(event: unknown): RateLimitSnapshot | undefined {
  if (!isRecord(event)) return undefined;
  const limits = isRecord(event.rate_limits) ? event.rate_limits : event;
  const limitId = nonEmptyString(event.metered_limit_name) ?? nonEmptyString(event.limit_id) ?? DEFAULT_RATE_LIMIT_ID;
  const snapshot: RateLimitSnapshot = { limitId };
  const limitName = nonEmptyString(event.limit_name);
  if (limitName !== undefined) snapshot.limitName = limitName;
  const primary = windowFromWire(limits.primary);
  if (primary !== undefined) snapshot.primary = primary;
  const secondary = windowFromWire(limits.secondary);
  if (secondary !== undefined) snapshot.secondary = secondary;
  const credits = isRecord(event.credits) ? event.credits : isRecord(limits.credits) ? limits.credits : undefined;
  if (credits !== undefined && typeof credits.has_credits === 'boolean' && typeof credits.unlimited === 'boolean') {
    snapshot.credits = { hasCredits: credits.has_credits, unlimited: credits.unlimited };
    const balance =
      typeof credits.balance === 'number' && Number.isFinite(credits.balance) ? String(credits.balance) : nonEmptyString(credits.balance);
    if (balance !== undefined) snapshot.credits.balance = balance;
  }
  const planType = nonEmptyString(event.plan_type);
  if (planType !== undefined) snapshot.planType = planType.toLowerCase();
  const empty = snapshot.primary === undefined && snapshot.secondary === undefined && snapshot.credits === undefined;
  return empty && snapshot.planType === undefined ? undefined : snapshot;
}

/**
 * The `rate-limits` events a response's headers announce, one per family, `codex` first.
 *
 * @param headers The response headers.
 * @return The events (empty when the headers carry no limits).
 */
export function rateLimitEventsFromHeaders(headers: HeadersLike | null | undefined): RateLimitsEvent[] {
  return rateLimitsFromHeaders(headers).map((rateLimits) => ({ type: 'rate-limits', rateLimits }));
}

/**
 * Mirrors a turn's events and, when it fails with a `UsageLimitError` that carries no
 * snapshot, attaches the last rate limits the turn reported, so the error says where the
 * account stands. Per subscription: one turn's snapshot never reaches another's error.
 *
 * @return A function that returns an Observable that mirrors the source, its usage-limit error enriched.
 */
export function attachRateLimitsToUsageLimitError(): MonoTypeOperatorFunction<CodexEvent> {
  return (source) =>
    defer(() => {
      let last: RateLimitSnapshot | undefined;
      return source.pipe(
        tap((event) => {
          if (event.type === 'rate-limits') last = event.rateLimits;
        }),
        catchError((error: unknown) => {
          if (error instanceof UsageLimitError && error.rateLimits === undefined && last !== undefined)
            error.rateLimits = structuredClone(last);
          return throwError(() => error);
        }),
      );
    });
}
