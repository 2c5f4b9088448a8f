import { types } from 'node:util';
import { Observable, catchError, defer, from, mergeMap, tap, throwError, type SchedulerLike } from 'rxjs';
import { recoverFromUnauthorized, resolveCodexAuth, type ResolvedAuth } from '../auth/index.js';
import { sendWithAuthRecovery } from './authRecovery.js';
import { apiKeyAuth, apiKeyEndpointUrl, apiKeyError, apiKeyHeaders, withMaxOutputTokens } from './apiKey.js';
import { AuthError, CodexError, ConfigError } from '../errors.js';
import {
  buildEndpointUrl,
  buildHeaders,
  buildRequestBody,
  createSessionId,
  requestPayloadPretty,
  type RequestBodyConfig,
  type ResponseCreateBody,
} from '../request/buildRequest.js';
import { normalizeModel } from '../request/models.js';
import type { ResolvedRetryConfig, RetryInfo } from '../retry/config.js';
import { retryResolved } from '../retry/retryWithBackoff.js';
import { jsonOnce, redact } from '../transport/shared.js';
import { createTransport } from '../transport/index.js';
import type { HttpExchange, Transport } from '../transport/types.js';
import type { FailureCapture, Message, Tool } from '../types.js';
import { resolveClientConfig, type CodexClientConfig, type ResolvedClientConfig } from './config.js';
import { VERSION } from '../version.js';
import { runOnClient, type RunOptions } from '../agent/run.js';
import type { CodexEventWithObject } from '../output/parseObject.js';
import { finishCall, resolveCallSettings } from './callOptions.js';
import { withExtraHeaders } from './extraHeaders.js';
import type { StreamOptions } from './streamOptions.js';
import type { AgentEvent, ExecutableTool } from '../agent/types.js';

/**
 * Streams Codex responses: the Rust client's `chat_with_tools_streaming` as a cold Observable.
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
  readonly #retry: ResolvedRetryConfig;
  readonly #transport: Transport;
  #latestResponseId: string | undefined;
  #lastFailure: FailureCapture | undefined;

  /** @throws {ConfigError} when the configuration is invalid (the Rust client's `validate()` rules, unknown keys). */
  constructor(config: CodexClientConfig = {}) {
    this.#config = resolveClientConfig(config);
    const { retry, onDiagnostic } = this.#config;
    // Retries are also reported as diagnostics.
    this.#retry = Object.freeze({
      ...retry,
      onRetry: (info: RetryInfo) => {
        retry.onRetry?.(info);
        onDiagnostic?.({ type: 'retry', attempt: info.attempt, delayMs: info.delayMs, error: info.error });
      },
    });
    this.#sessionId = this.#config.sessionId ?? createSessionId();
    this.#scheduler = this.#config.scheduler;
    this.#transport = createTransport(this.#config);
  }

  /** The session id sent as `session_id` and `prompt_cache_key` (one per client). */
  get sessionId(): string {
    return this.#sessionId;
  }

  /** The id of the last response that reached its terminal event. */
  latestResponseId(): string | undefined {
    return this.#latestResponseId;
  }

  /** Takes the record of the last failed exchange, leaving none. */
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
   * @param options This call's options over the client's: structured `output`, an abort
   * `signal`, `toolChoice`, `model`, `reasoning`, `textVerbosity`, extra `headers`.
   * @return An Observable of the turn's {@link CodexEvent}s, ending with `done`.
   */
  stream<T = unknown>(messages: Message[], tools: Tool[] = [], options?: StreamOptions<T>): Observable<CodexEventWithObject<T>> {
    return defer(() => {
      const config = this.#config;
      const call = resolveCallSettings(config, options);
      // A new call clears the previous call's state.
      this.#latestResponseId = undefined;
      this.#lastFailure = undefined;
      const body = this.#body(call.body, messages, tools);
      // Serialised once, and only when sent whole (a WebSocket turn may send only its new items).
      const json = jsonOnce(body);
      const url = this.#endpoint();
      let token: string | undefined;
      const exchange: HttpExchange = {};

      // Auth is resolved once per call, before the retry loop, and its errors are neither
      // retried nor recorded.
      const authOptions = {
        accessToken: config.accessToken,
        authFile: config.authFile,
        authTokenUrl: config.authTokenUrl,
        dispatcher: config.dispatcher,
        onDiagnostic: config.onDiagnostic,
        env: config.env,
      };
      // A 401 gets one recovery (a refresh, a re-read of the Codex CLI's file) and one resend;
      // an API key has nothing to recover.
      return sendWithAuthRecovery(
        () => this.#resolveAuth(),
        async (rejected) => (rejected.source === 'api-key' ? undefined : recoverFromUnauthorized(rejected, authOptions)),
        (auth: ResolvedAuth) => {
          token = auth.accessToken;
          const headers = this.#headers(auth, call.headers);
          return this.#transport.attempt({ url, headers, body, json, token: auth.accessToken, exchange }).pipe(
            // The platform API's refusals in its own words, before retry and its diagnostics see them.
            catchError((error: unknown) => throwError(() => (auth.source === 'api-key' ? apiKeyError(error) : error))),
            retryResolved(this.#retry, this.#scheduler),
          );
        },
      ).pipe(
        tap((event) => {
          // The id is stored at the terminal event, even when it is absent.
          if (event.type === 'done') this.#latestResponseId = event.responseId;
        }),
        catchError((error: unknown) => {
          // Credentials that could not be resolved never reached a server: nothing to record. A
          // server's 401 (an AuthError with a status) did, and is recorded like any refusal.
          if ((error instanceof AuthError && error.status === undefined) || error instanceof ConfigError) return throwError(() => error);
          const failure = this.#capture(error, requestPayloadPretty(body), token, exchange);
          this.#lastFailure = failure;
          if (error instanceof CodexError) error.failure = failure;
          return throwError(() => error);
        }),
        finishCall<T>(call),
      );
    });
  }

  /**
   * The tool loop on this client: each step is one {@link CodexClient.stream} call with these
   * tools, until the model answers without calling one (see {@link runAgent}).
   *
   * ## Example
   * ```ts
   * import { CodexClient, defineTool, userMessage } from 'codex-rx';
   * import { z } from 'zod';
   *
   * const now = defineTool({ name: 'now', description: 'The time', input: z.object({}), execute: () => new Date().toISOString() });
   * new CodexClient().run([userMessage('What time is it?')], [now]).subscribe((event) => {
   *   if (event.type === 'finish') console.log(event.result.text);
   * });
   * ```
   *
   * @param messages The conversation so far.
   * @param tools The tools the model may call, each with its `execute`.
   * @param options Step limit, tool concurrency and timeout, `stopWhen`, and the stream
   * options every step is sent with (`output` is checked on the answer, the step without tool
   * calls; `signal` aborts the whole loop).
   * @return An Observable of every turn's events and the loop's own, ending with `finish`.
   */
  run<T = unknown>(messages: Message[], tools: ExecutableTool[], options?: RunOptions<T>): Observable<AgentEvent> {
    return runOnClient((m, t, o) => this.stream(m, t, o), messages, tools, options);
  }

  /**
   * Opens the WebSocket ahead of the first turn and sends the conversation so far with
   * `generate: false`, so the server has it ready: the next turn whose instructions, tools and
   * options are the same then sends only its new messages. Over HTTP (`transport: 'sse'`, or
   * after `'auto'` fell back) there is nothing to prepare and it completes at once.
   *
   * ## Example
   *
   * ```ts
   * import { CodexClient, systemMessage, userMessage } from 'codex-rx';
   * import { lastValueFrom } from 'rxjs';
   *
   * const client = new CodexClient({ transport: 'websocket' });
   * const system = systemMessage('You are terse.');
   * await lastValueFrom(client.prewarm([system]));
   * client.stream([system, userMessage('Say hi')]).subscribe();
   * ```
   *
   * @param messages The conversation the next turn starts with (its system messages at least).
   * @param tools The tools the next turn will offer.
   * @return An Observable that emits once, when the warm-up is done, then completes.
   */
  prewarm(messages: Message[] = [], tools: Tool[] = []): Observable<void> {
    return defer(() => {
      const body = this.#body(this.#config, messages, tools);
      const json = jsonOnce(body);
      return from(this.#resolveAuth()).pipe(
        mergeMap((auth) =>
          this.#transport.prewarm({
            url: this.#endpoint(),
            headers: this.#headers(auth),
            body,
            json,
            token: auth.accessToken,
            exchange: {},
          }),
        ),
      );
    });
  }

  /**
   * Closes the client's WebSocket connections: idle ones at once, those of turns in flight when
   * their turn ends. A later turn opens a new connection. Nothing to do over HTTP.
   */
  close(): void {
    this.#transport.close();
  }

  async #resolveAuth(): Promise<ResolvedAuth> {
    const config = this.#config;
    if (config.auth === 'api-key') return apiKeyAuth(config);
    return resolveCodexAuth({
      accessToken: config.accessToken,
      authFile: config.authFile,
      authTokenUrl: config.authTokenUrl,
      dispatcher: config.dispatcher,
      env: config.env,
    });
  }

  /** The Codex backend's `{baseUrl}/codex/responses`, or the platform API's `{baseUrl}/responses` with an API key. */
  #endpoint(): string {
    const { auth, baseUrl } = this.#config;
    return auth === 'api-key' ? apiKeyEndpointUrl(baseUrl) : buildEndpointUrl(baseUrl);
  }

  /** The request body; with an API key it also carries `max_output_tokens`. */
  #body(settings: RequestBodyConfig, messages: Message[], tools: Tool[]): ResponseCreateBody {
    const body = buildRequestBody(settings, messages, tools, this.#sessionId);
    return this.#config.auth === 'api-key' ? withMaxOutputTokens(body, this.#config.maxOutputTokens) : body;
  }

  /**
   * The auth and identity headers, of the HTTP request and of the WebSocket handshake alike,
   * with the extra ones (the client's and the call's), which never replace the client's own.
   */
  #headers(auth: ResolvedAuth, extra: Record<string, string> | undefined = this.#config.headers): Record<string, string> {
    const own =
      auth.source === 'api-key'
        ? apiKeyHeaders(auth.accessToken, this.#config)
        : buildHeaders(auth, this.#config.originator, this.#sessionId);
    // Say who is calling, as the Rust client did with its own name and version.
    return withExtraHeaders(own, { 'user-agent': `codex-rx/${VERSION}`, ...extra });
  }

  /** The record of a failed exchange (docs/behaviour.md#failure-capture), with any token scrubbed as a last line of defence. */
  #capture(error: unknown, requestPayload: string, token: string | undefined, exchange: HttpExchange): FailureCapture {
    // The response body for an HTTP failure, the error's cause chain otherwise.
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

/** The whole cause chain joined by ": ", as the Rust client's `format!("{error:#}")`. */
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
