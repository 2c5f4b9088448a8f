import { Agent, request, type Dispatcher } from 'undici';
import { Observable, catchError, concat, count, defer, from, map, mergeMap, of, takeWhile, tap, throwError } from 'rxjs';
import { fromBody } from '../body/fromBody.js';
import { httpErrorFrom } from '../client/httpError.js';
import { ConnectionError, IdleTimeoutError, ProtocolError, StreamTruncatedError } from '../errors.js';
import { parseResponseStream } from '../parseResponseStream.js';
import { attachRateLimitsToUsageLimitError, rateLimitEventsFromHeaders } from '../rateLimits/rateLimits.js';
import type { CodexEvent } from '../types.js';
import { redact, redactDiagnostic, redactError, timeoutAs, wrapTransportErrors } from './shared.js';
import type { Transport, TransportOptions, TurnRequest } from './types.js';

/**
 * One connection pool for every client in the process, as the Rust client pooled per host: 30 s connect
 * timeout, idle sockets kept 120 s. Created on first use so importing the library opens nothing.
 */
let sharedAgent: Agent | undefined;
function defaultDispatcher(): Dispatcher {
  sharedAgent ??= new Agent({ connect: { timeout: 30_000 }, keepAliveTimeout: 120_000, keepAliveMaxTimeout: 120_000 });
  return sharedAgent;
}

/** An error body is read for its message, not streamed: past this it is cut. */
const MAX_ERROR_BODY_BYTES = 1 << 20;

/**
 * The HTTP transport: one POST per attempt, its status checked, its body (server-sent events)
 * through `parseResponseStream()`.
 */
export class SseTransport implements Transport {
  readonly #options: TransportOptions;

  constructor(options: TransportOptions) {
    this.#options = options;
  }

  /** HTTP keeps nothing open that a warm-up could prepare. */
  prewarm(): Observable<void> {
    return of(undefined);
  }

  /** The pooled sockets belong to the dispatcher, not to a client. */
  close(): void {}

  /**
   * One attempt: the request, its status check and the body through the pipeline. Lazy and
   * per-subscription, so `retry` re-sends by resubscribing; the teardown aborts the request.
   * Errors leave it with the token scrubbed, so neither retry diagnostics nor the final error
   * can carry it.
   */
  attempt({ url, headers, json, token, exchange }: TurnRequest): Observable<CodexEvent> {
    const options = this.#options;
    const scheduler = options.scheduler;
    const idle = <T>() =>
      timeoutAs<T>(
        options.idleTimeoutMs,
        scheduler,
        () =>
          new IdleTimeoutError(`OpenAI Codex stream sent no bytes for ${options.idleTimeoutMs} ms`, {
            phase: 'body',
            timeoutMs: options.idleTimeoutMs,
          }),
      );
    const onDiagnostic = options.onDiagnostic;
    const parse = () => parseResponseStream({ onDiagnostic: onDiagnostic && ((d) => onDiagnostic(redactDiagnostic(d, token))) });
    const events = new Observable<CodexEvent>((subscriber) => {
      exchange.status = undefined;
      exchange.body = undefined;
      const controller = new AbortController();
      let ended = false;
      const subscription = from(
        request(url, {
          method: 'POST',
          headers,
          body: json(),
          signal: controller.signal,
          dispatcher: options.dispatcher ?? defaultDispatcher(),
          // Our own timers (below) enforce the timeouts, on the caller's scheduler.
          headersTimeout: 0,
          bodyTimeout: 0,
        }),
      )
        .pipe(
          timeoutAs(
            options.headersTimeoutMs,
            scheduler,
            () =>
              new IdleTimeoutError(`No response headers from OpenAI Codex within ${options.headersTimeoutMs} ms`, {
                phase: 'headers',
                timeoutMs: options.headersTimeoutMs,
              }),
          ),
          wrapTransportErrors((error) => new ConnectionError(`OpenAI Codex request failed: ${error.message}`, { cause: error })),
          mergeMap((response) => {
            if (response.statusCode >= 200 && response.statusCode < 300) {
              const notAStream = notAnEventStream(response.headers);
              if (notAStream !== undefined) return throwError(() => notAStream);
              // The account's limits, from the headers, come before anything the body says.
              return concat(
                from(rateLimitEventsFromHeaders(response.headers)),
                fromBody(response.body).pipe(
                  idle<Uint8Array>(),
                  wrapTransportErrors(
                    (error) => new StreamTruncatedError(`OpenAI Codex stream read failed: ${error.message}`, { cause: error }),
                  ),
                  parse(),
                ),
              ).pipe(attachRateLimitsToUsageLimitError());
            }
            // Read the error body (empty when that fails), under the idle timeout too.
            return readText(fromBody(response.body).pipe(idle<Uint8Array>()), MAX_ERROR_BODY_BYTES).pipe(
              mergeMap((text) => {
                // A server that echoes the token back must not put it into our error.
                const body = redact(text, token);
                exchange.status = response.statusCode;
                exchange.body = body;
                return throwError(() => httpErrorFrom(response.statusCode, response.headers, body));
              }),
            );
          }),
        )
        .subscribe({
          next: (event) => subscriber.next(event),
          error: (error: unknown) => subscriber.error(error),
          complete: () => {
            ended = true;
            subscriber.complete();
          },
        });
      return () => {
        subscription.unsubscribe();
        // Before the body ended, aborting closes the socket. After, it would do nothing but build
        // an AbortError (a stack trace) on every turn.
        if (!ended) controller.abort();
      };
    });
    return events.pipe(catchError((error: unknown) => throwError(() => redactError(error, token))));
  }
}

/**
 * The bytes as UTF-8 text, at most `limit` bytes of it; '' when the body fails (the status
 * still says what went wrong). At the limit the body is cancelled: a body that never ends
 * cannot hold the stream open.
 */
function readText(bytes: Observable<Uint8Array>, limit: number): Observable<string> {
  return defer(() => {
    // This read's own buffer, extended in place: no copy per chunk, no re-summing.
    const kept: Buffer[] = [];
    let size = 0;
    return bytes.pipe(
      tap((chunk) => {
        const piece = Buffer.from(chunk.buffer, chunk.byteOffset, Math.min(chunk.length, limit - size));
        kept.push(piece);
        size += piece.length;
      }),
      // Completing here unsubscribes from the body, which cancels it.
      takeWhile(() => size < limit),
      count(),
      map(() => Buffer.concat(kept).toString('utf8')),
      catchError(() => of('')),
    );
  });
}

/**
 * Why a success response is not an event stream, or `undefined` when it is: a `content-type`
 * other than `text/event-stream` (a missing one is accepted), or a `content-encoding` that was
 * not asked for (the request sends no `accept-encoding`, so none is decoded).
 */
function notAnEventStream(headers: Record<string, string | string[] | undefined>): ProtocolError | undefined {
  const header = (name: string) => {
    const value = headers[name];
    return (Array.isArray(value) ? value.join(', ') : value)?.trim();
  };
  const contentType = header('content-type');
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase();
  if (mediaType !== undefined && mediaType !== '' && mediaType !== 'text/event-stream') {
    return new ProtocolError(
      `OpenAI Codex answered with content-type ${JSON.stringify(contentType)} instead of an event stream (text/event-stream): ` +
        'check baseUrl, and any proxy in between',
      { eventType: '', issues: [`content-type: ${contentType}`] },
    );
  }
  const encoding = header('content-encoding')?.toLowerCase();
  if (encoding !== undefined && encoding !== '' && encoding !== 'identity') {
    return new ProtocolError(
      `OpenAI Codex answered with content-encoding ${JSON.stringify(encoding)}, which was not asked for: ` +
        'a proxy in between may be compressing the event stream',
      { eventType: '', issues: [`content-encoding: ${encoding}`] },
    );
  }
  return undefined;
}
