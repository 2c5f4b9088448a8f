import { types } from 'node:util';
import { Agent, request, type Dispatcher } from 'undici';
import {
  Observable,
  catchError,
  defer,
  from,
  map,
  mergeMap,
  of,
  reduce,
  tap,
  throwError,
  timeout,
  type MonoTypeOperatorFunction,
  type SchedulerLike,
} from 'rxjs';
import { resolveCodexAuth, type ResolvedAuth } from '../auth/index.js';
import { fromBody } from '../body/fromBody.js';
import { AuthError, CodexError, ConfigError, ConnectionError, IdleTimeoutError, StreamTruncatedError } from '../errors.js';
import { parseResponseStream } from '../parseResponseStream.js';
import { buildEndpointUrl, buildHeaders, buildRequestBody, createSessionId, requestPayloadPretty } from '../request/buildRequest.js';
import { normalizeModel } from '../request/models.js';
import { resolveRetryConfig } from '../retry/config.js';
import { retryWithBackoff } from '../retry/retryWithBackoff.js';
import type { CodexEvent, Diagnostic, FailureCapture, Message, Tool } from '../types.js';
import { resolveClientConfig, type CodexClientConfig, type ResolvedClientConfig } from './config.js';
import { httpErrorFrom } from './httpError.js';
import { VERSION } from '../version.js';

/**
 * One connection pool for every client in the process, as the seed pooled per host: 30 s connect
 * timeout, idle sockets kept 120 s. Created on first use so importing the library opens nothing.
 */
let sharedAgent: Agent | undefined;
function defaultDispatcher(): Dispatcher {
  sharedAgent ??= new Agent({ connect: { timeout: 30_000 }, keepAliveTimeout: 120_000, keepAliveMaxTimeout: 120_000 });
  return sharedAgent;
}

/** Any error of the transport (undici, the socket), as opposed to one of ours. */
function isTransportError(error: unknown): error is Error & { code?: string } {
  // isNativeError: errors from Node's own realm fail `instanceof Error` in sandboxes such as jest's.
  return (types.isNativeError(error) || error instanceof Error) && !(error instanceof CodexError);
}

/**
 * Streams Codex responses: the seed's `chat_with_tools_streaming` as a cold Observable.
 *
 * Each subscription to {@link CodexClient.stream} resolves credentials once, sends one request
 * (re-sent on retryable failures that happen before the first event), and emits typed
 * {@link CodexEvent}s as their bytes arrive. Unsubscribing at any moment aborts the request and
 * releases its socket.
 *
 * ## Example
 *
 * ```ts
 * import { CodexClient, userMessage } from 'codex-rx';
 *
 * const client = new CodexClient({ model: 'gpt-5.5', reasoning: { effort: 'low' } });
 * client.stream([userMessage('Say hi')]).subscribe((event) => {
 *   if (event.type === 'text-delta') process.stdout.write(event.delta);
 * });
 * ```
 */
export class CodexClient {
  readonly #config: ResolvedClientConfig;
  readonly #sessionId: string;
  readonly #scheduler: SchedulerLike | undefined;
  #latestResponseId: string | undefined;
  #lastFailure: FailureCapture | undefined;

  /** @throws {ConfigError} when the configuration is invalid (seed `validate()` rules, unknown keys). */
  constructor(config: CodexClientConfig = {}) {
    this.#config = resolveClientConfig(config);
    // Validate the retry options now rather than at the first request.
    resolveRetryConfig(this.#config.retry);
    this.#sessionId = createSessionId();
    this.#scheduler = this.#config.scheduler;
  }

  /** The session id sent as `session_id` and `prompt_cache_key` (one per client, item 3). */
  get sessionId(): string {
    return this.#sessionId;
  }

  /** The id of the last response that reached its terminal event (item 5). */
  latestResponseId(): string | undefined {
    return this.#latestResponseId;
  }

  /** Takes the record of the last failed exchange, leaving none (item 5). */
  takeLastFailure(): FailureCapture | undefined {
    const failure = this.#lastFailure;
    this.#lastFailure = undefined;
    return failure;
  }

  /**
   * Streams one turn. Cold: nothing is sent until subscription, and each subscription is one
   * request (with its retries).
   *
   * @param messages The conversation; system messages become `instructions`.
   * @param tools Function tools the model may call.
   * @return An Observable of the turn's {@link CodexEvent}s, ending with `done`.
   */
  stream(messages: Message[], tools: Tool[] = []): Observable<CodexEvent> {
    return defer(() => {
      const config = this.#config;
      // Item 30: a new call clears the previous call's state.
      this.#latestResponseId = undefined;
      this.#lastFailure = undefined;
      const body = buildRequestBody(config, messages, tools, this.#sessionId);
      const json = JSON.stringify(body);
      const url = buildEndpointUrl(config.baseUrl);
      let token: string | undefined;
      const exchange: HttpExchange = {};

      // Item 8: auth is resolved once per call, before the retry loop, and its errors are neither
      // retried nor recorded.
      return from(
        resolveCodexAuth({
          accessToken: config.accessToken,
          authFile: config.authFile,
          authTokenUrl: config.authTokenUrl,
          dispatcher: config.dispatcher,
        }),
      ).pipe(
        mergeMap((auth: ResolvedAuth) => {
          token = auth.accessToken;
          // Item 2: the seed identified itself (`appam/0.1.1`); so do we.
          const headers = { ...buildHeaders(auth, config.originator, this.#sessionId), 'user-agent': `codex-rx/${VERSION}` };
          return this.#attempt(url, headers, json, auth.accessToken, exchange).pipe(
            retryWithBackoff(
              {
                ...config.retry,
                onRetry: (info) => {
                  config.retry?.onRetry?.(info);
                  config.onDiagnostic?.({ type: 'retry', attempt: info.attempt, delayMs: info.delayMs, error: info.error });
                },
              },
              this.#scheduler,
            ),
          );
        }),
        tap((event) => {
          // Item 46a: the id is stored at the terminal event, even when it is absent.
          if (event.type === 'done') this.#latestResponseId = event.responseId;
        }),
        catchError((error: unknown) => {
          if (error instanceof AuthError || error instanceof ConfigError) return throwError(() => error);
          const failure = this.#capture(error, requestPayloadPretty(body), token, exchange);
          this.#lastFailure = failure;
          if (error instanceof CodexError) error.failure = failure;
          return throwError(() => error);
        }),
      );
    });
  }

  /**
   * One attempt: the request, its status check and the body through the pipeline. Lazy and
   * per-subscription, so `retry` re-sends by resubscribing; the teardown aborts the request.
   * Errors leave it with the token scrubbed, so neither retry diagnostics nor the final error
   * can carry it.
   */
  #attempt(url: string, headers: Record<string, string>, json: string, token: string, exchange: HttpExchange): Observable<CodexEvent> {
    const config = this.#config;
    const scheduler = this.#scheduler;
    const idle = <T>() =>
      timeoutAs<T>(
        config.idleTimeoutMs,
        scheduler,
        () =>
          new IdleTimeoutError(`OpenAI Codex stream sent no bytes for ${config.idleTimeoutMs} ms`, {
            phase: 'body',
            timeoutMs: config.idleTimeoutMs,
          }),
      );
    const bytes = new Observable<Uint8Array>((subscriber) => {
      exchange.status = undefined;
      exchange.body = undefined;
      const controller = new AbortController();
      const subscription = from(
        request(url, {
          method: 'POST',
          headers,
          body: json,
          signal: controller.signal,
          dispatcher: config.dispatcher ?? defaultDispatcher(),
          // Our own timers (below) enforce the timeouts, on the caller's scheduler.
          headersTimeout: 0,
          bodyTimeout: 0,
        }),
      )
        .pipe(
          timeoutAs(
            config.headersTimeoutMs,
            scheduler,
            () =>
              new IdleTimeoutError(`No response headers from OpenAI Codex within ${config.headersTimeoutMs} ms`, {
                phase: 'headers',
                timeoutMs: config.headersTimeoutMs,
              }),
          ),
          wrapTransportErrors((error) => new ConnectionError(`OpenAI Codex request failed: ${error.message}`, { cause: error })),
          mergeMap((response) => {
            if (response.statusCode >= 200 && response.statusCode < 300) {
              return fromBody(response.body).pipe(
                idle<Uint8Array>(),
                wrapTransportErrors(
                  (error) => new StreamTruncatedError(`OpenAI Codex stream read failed: ${error.message}`, { cause: error }),
                ),
              );
            }
            // Item 33: read the error body (empty when that fails), under the idle timeout too.
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
        .subscribe(subscriber);
      return () => {
        subscription.unsubscribe();
        // Aborting after the body is done is a no-op; before, it closes the socket.
        controller.abort();
      };
    });
    const onDiagnostic = config.onDiagnostic;
    return bytes.pipe(
      parseResponseStream({ onDiagnostic: onDiagnostic && ((d) => onDiagnostic(redactDiagnostic(d, token))) }),
      catchError((error: unknown) => throwError(() => redactError(error, token))),
    );
  }

  /** The seed's `record_failed_exchange` (item 37), with any token scrubbed as a last line of defence. */
  #capture(error: unknown, requestPayload: string, token: string | undefined, exchange: HttpExchange): FailureCapture {
    // Items 32–34: the response body for an HTTP failure, the error's cause chain otherwise.
    const http = exchange.status !== undefined && (error as { status?: unknown })?.status === exchange.status;
    const failure: FailureCapture = {
      provider: 'openai-codex',
      model: normalizeModel(this.#config.model),
      requestPayload,
      responsePayload: redact(http ? (exchange.body ?? '') : causeChain(error), token),
    };
    if (http) failure.httpStatus = exchange.status;
    if (this.#latestResponseId !== undefined) failure.providerResponseId = this.#latestResponseId;
    return failure;
  }
}

/** What the last attempt's non-2xx response said, for the failure capture. */
interface HttpExchange {
  status?: number;
  body?: string;
}

/** An error body is read for its message, not streamed: past this it is cut. */
const MAX_ERROR_BODY_BYTES = 1 << 20;

/** `timeout` that fails with our own typed error, on the given scheduler. */
function timeoutAs<T>(ms: number, scheduler: SchedulerLike | undefined, error: () => CodexError): MonoTypeOperatorFunction<T> {
  return timeout<T, Observable<never>>({ each: ms, scheduler, with: () => throwError(error) });
}

/** Turns a transport error (undici, the socket) into one of ours; our own errors pass as they are. */
function wrapTransportErrors<T>(wrap: (error: Error) => CodexError): MonoTypeOperatorFunction<T> {
  return catchError((error: unknown) => throwError(() => (isTransportError(error) ? wrap(error) : error)));
}

/** The bytes as UTF-8 text, at most `limit` bytes of it; '' when the body fails (item 33). */
function readText(bytes: Observable<Uint8Array>, limit: number): Observable<string> {
  return bytes.pipe(
    // The running size travels with the chunks: no re-summing them for every new one. The
    // accumulator is this call's own (readText runs once per error response), so it is extended
    // in place rather than copied per chunk.
    reduce(
      (kept: { chunks: Buffer[]; size: number }, chunk: Uint8Array) => {
        if (kept.size >= limit) return kept;
        const piece = Buffer.from(chunk.buffer, chunk.byteOffset, Math.min(chunk.length, limit - kept.size));
        kept.chunks.push(piece);
        kept.size += piece.length;
        return kept;
      },
      { chunks: [] as Buffer[], size: 0 },
    ),
    map((kept) => Buffer.concat(kept.chunks).toString('utf8')),
    catchError(() => of('')),
  );
}

function redact(text: string, token: string | undefined): string {
  return token && text.includes(token) ? text.split(token).join('[redacted]') : text;
}

/** Scrubs the token from an error's message and stack, and from its causes'. */
function redactError(error: unknown, token: string): unknown {
  for (let e: unknown = error, depth = 0; (types.isNativeError(e) || e instanceof Error) && depth < 8; depth++) {
    const err = e as Error;
    if (err.message.includes(token)) err.message = redact(err.message, token);
    if (err.stack?.includes(token)) err.stack = redact(err.stack, token);
    e = err.cause;
  }
  return error;
}

function redactDiagnostic(diagnostic: Diagnostic, token: string): Diagnostic {
  if (diagnostic.type !== 'unparsable-json') return diagnostic;
  return { ...diagnostic, data: redact(diagnostic.data, token), message: redact(diagnostic.message, token) };
}

/** The whole cause chain joined by ": ", as the seed's `format!("{error:#}")`. */
function causeChain(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error, depth = 0; e !== undefined && e !== null && depth < 8; depth++) {
    const isError = types.isNativeError(e) || e instanceof Error;
    const text = isError ? (e as Error).message : String(e);
    // Our wrappers already quote their cause's message: don't say it twice.
    if (!parts.some((part) => part.includes(text))) parts.push(text);
    e = isError ? (e as Error).cause : undefined;
  }
  return parts.join(': ');
}
