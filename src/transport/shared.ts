import { types } from 'node:util';
import { catchError, throwError, timeout, type MonoTypeOperatorFunction, type Observable, type SchedulerLike } from 'rxjs';
import { CodexError } from '../errors.js';
import { redactError as redactErrorWith, redactRecord, redactText } from '../redact/index.js';
import type { Diagnostic } from '../types.js';

/** Any error of the transport (undici, the socket), as opposed to one of ours. */
export function isTransportError(error: unknown): error is Error & { code?: string } {
  // isNativeError: errors from Node's own realm fail `instanceof Error` in sandboxes such as jest's.
  return (types.isNativeError(error) || error instanceof Error) && !(error instanceof CodexError);
}

/** `timeout` that fails with our own typed error, on the given scheduler. */
export function timeoutAs<T>(ms: number, scheduler: SchedulerLike | undefined, error: () => CodexError): MonoTypeOperatorFunction<T> {
  return timeout<T, Observable<never>>({ each: ms, scheduler, with: () => throwError(error) });
}

/** Turns a transport error (undici, the socket) into one of ours; our own errors pass as they are. */
export function wrapTransportErrors<T>(wrap: (error: Error) => CodexError): MonoTypeOperatorFunction<T> {
  return catchError((error: unknown) => throwError(() => (isTransportError(error) ? wrap(error) : error)));
}

/** {@link redactText} for one token: the rule is the redaction module's, shared by everything. */
export function redact(text: string, token: string | undefined): string {
  return redactText(text, [token]);
}

/** Scrubs the token (and runs, escapes and JWTs of it) from an error and its causes, in place. */
export function redactError(error: unknown, token: string): unknown {
  return redactErrorWith(error, [token]);
}

/** A copy of the diagnostic with the token scrubbed from every string and error in it. */
export function redactDiagnostic(diagnostic: Diagnostic, token: string): Diagnostic {
  return redactRecord(diagnostic, [token]);
}

/** `JSON.stringify(value)`, computed on the first call and kept for the later ones. */
export function jsonOnce(value: unknown): () => string {
  let json: string | undefined;
  return () => (json ??= JSON.stringify(value));
}
