import type { z } from 'zod';
import type { FailureCapture, PartialResponse, RateLimitSnapshot } from './types.js';

/** Options every codex-rx error accepts. */
export interface CodexErrorOptions {
  cause?: unknown;
  failure?: FailureCapture;
  partial?: PartialResponse;
}

/**
 * The base class of every error codex-rx raises. `code` is stable and meant for programs;
 * `message` is for people. Errors stay JSON-serialisable: `toJSON()` gives the fields,
 * never the `cause` object itself (it may be circular), only its message.
 *
 * `instanceof` recognises errors from another copy of codex-rx too (the ESM and CJS builds
 * loaded side by side): each class has its own `Symbol.for` brand, and an error carries the
 * brands of its class and of every class above it.
 *
 * ## Example
 * ```ts
 * import { isCodexError } from 'codex-rx';
 *
 * function describe(error: unknown): string {
 *   if (!isCodexError(error)) return String(error);
 *   switch (error.code) {
 *     case 'ERR_CODEX_HTTP':
 *       return `HTTP ${error.status}`; // narrowed to CodexHttpError
 *     case 'ERR_CODEX_USAGE_LIMIT':
 *       return `usage limit, resets in ${error.resetsInSeconds ?? '?'} s`;
 *     default:
 *       return error.message;
 *   }
 * }
 * ```
 */
export class CodexError extends Error {
  /** This class's brand. Every subclass declares its own: `Symbol.for('codex-rx.error.<name>')`. */
  static readonly brand: symbol = Symbol.for('codex-rx.error');
  override name: string = 'CodexError';
  readonly code: string = 'ERR_CODEX';
  /** The sanitized request/response record of the exchange that failed (client only). */
  failure?: FailureCapture;
  /** What the stream had produced before it failed, when anything was produced. */
  partial?: PartialResponse;

  constructor(message: string, options: CodexErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    for (let c: unknown = new.target; c !== Error && typeof c === 'function'; c = Object.getPrototypeOf(c)) {
      if (Object.hasOwn(c, 'brand')) Object.defineProperty(this, (c as typeof CodexError).brand, { value: true });
    }
    if (options.failure !== undefined) this.failure = options.failure;
    if (options.partial !== undefined) this.partial = options.partial;
  }

  /** True for this copy's instances (the prototype chain) and for any value carrying this class's brand. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (Function.prototype[Symbol.hasInstance].call(this, value)) return true;
    // A user's subclass without a brand of its own inherits its parent's: only the prototype chain counts.
    if (!Object.hasOwn(this, 'brand')) return false;
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[this.brand] === true;
  }

  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = { name: this.name, code: this.code, message: this.message };
    for (const [key, value] of Object.entries(this)) {
      if (key !== 'cause' && value !== undefined) out[key] = value;
    }
    if (this.cause !== undefined) {
      out.cause = this.cause instanceof Error ? `${this.cause.name}: ${this.cause.message}` : String(this.cause);
    }
    return out;
  }
}

/**
 * True for any codex-rx error, from this copy of the library or another. Narrows to
 * {@link AnyCodexError}, so a `switch (error.code)` gives each case its subclass.
 */
export function isCodexError(value: unknown): value is AnyCodexError {
  return value instanceof CodexError;
}

/** The server answered with a non-2xx status. `message` is the Rust client's `parse_error_response`. */
export class CodexHttpError extends CodexError {
  static override readonly brand = Symbol.for('codex-rx.error.CodexHttpError');
  override name = 'CodexHttpError';
  override readonly code = 'ERR_CODEX_HTTP';
  readonly status: number;
  /** The response body as text. */
  readonly body: string;
  /** The server's requested delay (`retry-after-ms` / `Retry-After`), when it gave one. */
  readonly retryAfterMs?: number;
  /** The server's `x-should-retry` header, when it sent one: it overrides the status rule. */
  readonly xShouldRetry?: boolean;

  constructor(
    message: string,
    fields: { status: number; body: string; retryAfterMs?: number; xShouldRetry?: boolean },
    options?: CodexErrorOptions,
  ) {
    super(message, options);
    this.status = fields.status;
    this.body = fields.body;
    if (fields.retryAfterMs !== undefined) this.retryAfterMs = fields.retryAfterMs;
    if (fields.xShouldRetry !== undefined) this.xShouldRetry = fields.xShouldRetry;
  }
}

/** The request failed before any response: refused, reset, DNS, TLS. `cause` holds the underlying error. */
export class ConnectionError extends CodexError {
  static override readonly brand = Symbol.for('codex-rx.error.ConnectionError');
  override name = 'ConnectionError';
  override readonly code = 'ERR_CODEX_CONNECTION';
}

/** The fields of a usage-limit error. */
export interface UsageLimitFields {
  status?: number;
  /** The plan, lowercased (`plus`, `pro`, …). */
  planType?: string;
  /** When the limit resets, in Unix seconds. */
  resetsAt?: number;
  resetsInSeconds?: number;
  /** The account's rate limits as the backend last reported them (headers or stream). */
  rateLimits?: RateLimitSnapshot;
}

/** The ChatGPT usage limit was hit (`usage_limit_reached`, `usage_not_included`, `insufficient_quota`). Never retried. */
export class UsageLimitError extends CodexError {
  static override readonly brand = Symbol.for('codex-rx.error.UsageLimitError');
  override name = 'UsageLimitError';
  override readonly code = 'ERR_CODEX_USAGE_LIMIT';
  readonly status?: number;
  readonly planType?: string;
  readonly resetsAt?: number;
  readonly resetsInSeconds?: number;
  /** The account's rate limits as the backend last reported them, when it did (response headers or the stream). */
  rateLimits?: RateLimitSnapshot;

  constructor(message: string, fields: UsageLimitFields = {}, options?: CodexErrorOptions) {
    super(message, options);
    if (fields.status !== undefined) this.status = fields.status;
    if (fields.planType !== undefined) this.planType = fields.planType;
    if (fields.resetsAt !== undefined) this.resetsAt = fields.resetsAt;
    if (fields.resetsInSeconds !== undefined) this.resetsInSeconds = fields.resetsInSeconds;
    if (fields.rateLimits !== undefined) this.rateLimits = fields.rateLimits;
  }
}

/** The stream carried an `error` / `response.error` event, or `response.failed`. */
export class CodexStreamError extends CodexError {
  static override readonly brand = Symbol.for('codex-rx.error.CodexStreamError');
  override name = 'CodexStreamError';
  override readonly code = 'ERR_CODEX_STREAM';
  /** The wire event type that carried the error. */
  readonly eventType: string;
  /** The server's error code, when it gave one. */
  readonly errorCode?: string;

  constructor(message: string, fields: { eventType: string; errorCode?: string }, options?: CodexErrorOptions) {
    super(message, options);
    this.eventType = fields.eventType;
    if (fields.errorCode !== undefined) this.errorCode = fields.errorCode;
  }
}

/** The body ended before a terminal event (`response.completed`, `.done`, `.incomplete`). */
export class StreamTruncatedError extends CodexError {
  static override readonly brand = Symbol.for('codex-rx.error.StreamTruncatedError');
  override name = 'StreamTruncatedError';
  override readonly code = 'ERR_CODEX_STREAM_TRUNCATED';
}

/** The body is not valid UTF-8. */
export class InvalidUtf8Error extends CodexError {
  static override readonly brand = Symbol.for('codex-rx.error.InvalidUtf8Error');
  override name = 'InvalidUtf8Error';
  override readonly code = 'ERR_CODEX_INVALID_UTF8';
}

/** No response headers, or no body bytes, arrived within the configured time. */
export class IdleTimeoutError extends CodexError {
  static override readonly brand = Symbol.for('codex-rx.error.IdleTimeoutError');
  override name = 'IdleTimeoutError';
  override readonly code = 'ERR_CODEX_IDLE_TIMEOUT';
  readonly phase: 'headers' | 'body';
  readonly timeoutMs: number;

  constructor(message: string, fields: { phase: 'headers' | 'body'; timeoutMs: number }, options?: CodexErrorOptions) {
    super(message, options);
    this.phase = fields.phase;
    this.timeoutMs = fields.timeoutMs;
  }
}

/** A known event failed its schema: the server sent something this library cannot trust. Never retried. */
export class ProtocolError extends CodexError {
  static override readonly brand = Symbol.for('codex-rx.error.ProtocolError');
  override name = 'ProtocolError';
  override readonly code = 'ERR_CODEX_PROTOCOL';
  readonly eventType: string;
  /** The schema issues, as `path: message` strings. */
  readonly issues: string[];

  constructor(message: string, fields: { eventType: string; issues: string[] }, options?: CodexErrorOptions) {
    super(message, options);
    this.eventType = fields.eventType;
    this.issues = fields.issues;
  }
}

/** Credentials are missing, unreadable or could not be refreshed. Never retried. */
export class AuthError extends CodexError {
  static override readonly brand = Symbol.for('codex-rx.error.AuthError');
  override name = 'AuthError';
  override readonly code = 'ERR_CODEX_AUTH';
  /** The HTTP status with which a server refused the credentials (401), when one did. */
  readonly status?: number;

  constructor(message: string, options: CodexErrorOptions & { status?: number } = {}) {
    const { status, ...rest } = options;
    super(message, rest);
    if (status !== undefined) this.status = status;
  }
}

/** The configuration is invalid. Thrown by constructors and operator factories. */
export class ConfigError extends CodexError {
  static override readonly brand = Symbol.for('codex-rx.error.ConfigError');
  override name = 'ConfigError';
  override readonly code = 'ERR_CODEX_CONFIG';
}

/**
 * The caller's `AbortSignal` ended the call. Never retried. Carries `partial`: what had
 * streamed before the abort. Unsubscribing, by contrast, ends a stream silently.
 */
export class CodexAbortError extends CodexError {
  static override readonly brand = Symbol.for('codex-rx.error.CodexAbortError');
  override name = 'CodexAbortError';
  override readonly code = 'aborted';
}

/**
 * Structured output: the response text is not JSON, or its JSON fails the schema. Carries the
 * text and the schema's issues (empty when the text is not JSON at all; `cause` then holds the
 * parse error).
 */
export class OutputValidationError extends CodexError {
  static override readonly brand = Symbol.for('codex-rx.error.OutputValidationError');
  override name = 'OutputValidationError';
  override readonly code = 'output_validation';
  /** The whole response text that was checked. */
  readonly text: string;
  /** The schema's issues (zod's), as they were reported. */
  readonly issues: readonly z.core.$ZodIssue[];

  constructor(message: string, fields: { text: string; issues: readonly z.core.$ZodIssue[] }, options?: CodexErrorOptions) {
    super(message, options);
    this.text = fields.text;
    this.issues = fields.issues;
  }
}

/**
 * Every error class codex-rx raises, by its `code`. To add a class: declare it above with its own
 * `brand`, `name` and literal `code`, add it here, and decide in `isRetryableError` whether it is
 * retried (its switch does not compile until you do).
 */
export interface CodexErrorByCode {
  ERR_CODEX_HTTP: CodexHttpError;
  ERR_CODEX_CONNECTION: ConnectionError;
  ERR_CODEX_USAGE_LIMIT: UsageLimitError;
  ERR_CODEX_STREAM: CodexStreamError;
  ERR_CODEX_STREAM_TRUNCATED: StreamTruncatedError;
  ERR_CODEX_INVALID_UTF8: InvalidUtf8Error;
  ERR_CODEX_IDLE_TIMEOUT: IdleTimeoutError;
  ERR_CODEX_PROTOCOL: ProtocolError;
  ERR_CODEX_AUTH: AuthError;
  ERR_CODEX_CONFIG: ConfigError;
  aborted: CodexAbortError;
  output_validation: OutputValidationError;
}

/** The `code` of every error class codex-rx raises. */
export type CodexErrorCode = keyof CodexErrorByCode;

/** Any error codex-rx raises: a union that `error.code` narrows to one subclass. */
export type AnyCodexError = CodexErrorByCode[CodexErrorCode];
