import type { z } from 'zod';
import type { FailureCapture, PartialResponse, RateLimitSnapshot } from './types.js';

/** A brand shared by every copy of this module (ESM and CJS builds), so guards work across both. */
const kCodexError = Symbol.for('codex-rx.error');

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
 */
export class CodexError extends Error {
  override name: string = 'CodexError';
  readonly code: string = 'ERR_CODEX';
  /** The sanitized request/response record of the exchange that failed (client only). */
  failure?: FailureCapture;
  /** What the stream had produced before it failed, when anything was produced. */
  partial?: PartialResponse;

  constructor(message: string, options: CodexErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    Object.defineProperty(this, kCodexError, { value: true });
    if (options.failure !== undefined) this.failure = options.failure;
    if (options.partial !== undefined) this.partial = options.partial;
  }

  /**
   * `instanceof` that also recognises errors from another copy of codex-rx (the ESM and CJS
   * builds loaded side by side): same brand and same class name.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (typeof value !== 'object' || value === null) return false;
    if ((value as Record<symbol, unknown>)[kCodexError] !== true) return false;
    if (this === CodexError) return true;
    for (let proto = Object.getPrototypeOf(value); proto; proto = Object.getPrototypeOf(proto)) {
      if (proto.constructor?.name === this.name) return true;
    }
    return false;
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

/** True for any codex-rx error, from this copy of the library or another. */
export function isCodexError(value: unknown): value is CodexError {
  return value instanceof CodexError;
}

/** The server answered with a non-2xx status. `message` is the Rust client's `parse_error_response`. */
export class CodexHttpError extends CodexError {
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
  override name = 'StreamTruncatedError';
  override readonly code = 'ERR_CODEX_STREAM_TRUNCATED';
}

/** The body is not valid UTF-8. */
export class InvalidUtf8Error extends CodexError {
  override name = 'InvalidUtf8Error';
  override readonly code = 'ERR_CODEX_INVALID_UTF8';
}

/** No response headers, or no body bytes, arrived within the configured time. */
export class IdleTimeoutError extends CodexError {
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
  override name = 'ConfigError';
  override readonly code = 'ERR_CODEX_CONFIG';
}

/**
 * The caller's `AbortSignal` ended the call. Never retried. Carries `partial`: what had
 * streamed before the abort. Unsubscribing, by contrast, ends a stream silently.
 */
export class CodexAbortError extends CodexError {
  override name = 'CodexAbortError';
  override readonly code = 'aborted';
}

/**
 * Structured output: the response text is not JSON, or its JSON fails the schema. Carries the
 * text and the schema's issues (empty when the text is not JSON at all; `cause` then holds the
 * parse error).
 */
export class OutputValidationError extends CodexError {
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
