import { types } from 'node:util';
import { catchError, throwError, timeout, type MonoTypeOperatorFunction, type Observable, type SchedulerLike } from 'rxjs';
import { CodexError } from '../errors.js';
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

export function redact(text: string, token: string | undefined): string {
  return token && text.includes(token) ? text.split(token).join('[redacted]') : text;
}

/** Scrubs the token from an error's message and stack, and from its causes'. */
export function redactError(error: unknown, token: string): unknown {
  for (let e: unknown = error, depth = 0; (types.isNativeError(e) || e instanceof Error) && depth < 8; depth++) {
    const err = e as Error;
    if (err.message.includes(token)) err.message = redact(err.message, token);
    if (err.stack?.includes(token)) err.stack = redact(err.stack, token);
    e = err.cause;
  }
  return error;
}

export function redactDiagnostic(diagnostic: Diagnostic, token: string): Diagnostic {
  if (diagnostic.type !== 'unparsable-json') return diagnostic;
  return { ...diagnostic, data: redact(diagnostic.data, token), message: redact(diagnostic.message, token) };
}
