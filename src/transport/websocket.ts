import type { ClientRequest, IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { WebSocket, type RawData } from 'ws';
import {
  EMPTY,
  Observable,
  catchError,
  concat,
  defer,
  endWith,
  from,
  ignoreElements,
  mergeMap,
  of,
  tap,
  throwError,
  type Unsubscribable,
} from 'rxjs';
import { httpErrorFrom, type ResponseHeaders } from '../client/httpError.js';
import { CodexError, ConnectionError, IdleTimeoutError, StreamTruncatedError } from '../errors.js';
import { responseEvents } from '../events/responseEvents.js';
import type { ResponseStreamEvent } from '../events/schemas.js';
import { reduceResponse } from '../reduce/reduceResponse.js';
import { attachRateLimitsToUsageLimitError, rateLimitEventsFromHeaders } from '../rateLimits/rateLimits.js';
import type { CodexEvent, ContentBlock, SseMessage } from '../types.js';
import { chainAfter, createFrame, fullFrame, type Chain } from './chain.js';
import { redact, redactDiagnostic, redactError, timeoutAs } from './shared.js';
import type { Transport, TransportOptions, TurnRequest } from './types.js';

/** The beta header that opens the Responses WebSocket protocol. */
export const RESPONSES_WEBSOCKETS_BETA = 'responses_websockets=2026-02-06';
/** An idle connection is closed after this long without a turn. */
export const WEBSOCKET_IDLE_CLOSE_MS = 300_000;
/** A refused handshake's body is read for its message up to this many bytes. */
const MAX_HANDSHAKE_BODY_BYTES = 1 << 20;
const TERMINAL_TYPES: ReadonlySet<string> = new Set(['response.completed', 'response.done', 'response.incomplete']);

/** Options of the WebSocket transport. */
export interface WebSocketTransportOptions extends TransportOptions {
  /** Where a failed handshake sends the request instead (and every later one): `'auto'` mode. */
  readonly fallback?: Transport;
}

/**
 * The handshake failed: refused with a status other than 101, a connect error, or no answer in
 * time. Carries the typed error `'websocket'` mode raises; `'auto'` mode falls back instead.
 */
class HandshakeFailure extends Error {
  constructor(
    readonly reason: string,
    readonly error: CodexError,
  ) {
    super(reason);
  }
}

/** The server's 60-minute connection limit, met before anything of the turn arrived. */
class ConnectionLimitReached extends Error {}

/** The handshake's URL: the HTTP endpoint with `https` → `wss` and `http` → `ws`. */
export function webSocketUrl(httpUrl: string): string {
  return httpUrl.replace(/^http/i, 'ws');
}

/**
 * The handshake's headers: the request's auth and identity headers, without those that only
 * describe an HTTP body (`content-type`, `accept`), and the WebSocket beta instead of the HTTP one.
 */
export function handshakeHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (lower === 'content-type' || lower === 'accept' || lower === 'openai-beta') continue;
    out[name] = value;
  }
  out['openai-beta'] = RESPONSES_WEBSOCKETS_BETA;
  return out;
}

/** What a connection's current turn listens to. */
interface TurnListener {
  frame(data: RawData, isBinary: boolean): void;
  closed(code: number, reason: string): void;
}

/** One WebSocket connection and what it remembers between turns. */
class Connection {
  readonly socket: WebSocket;
  /** The handshake headers it was opened with: a turn with other credentials opens another. */
  readonly key: string;
  chain: Chain | undefined;
  closed = false;
  /** A turn is running on it. */
  busy = false;
  /** `close()` was called while a turn ran: it closes when the turn ends. */
  retired = false;
  #raw: Socket | undefined;
  /** The handshake response's headers, until the first turn reported the rate limits they carry. */
  #upgradeHeaders: IncomingMessage['headers'] | undefined;
  #listener: TurnListener | undefined;
  #idle: Unsubscribable | undefined;

  constructor(socket: WebSocket, key: string, onClose: (connection: Connection) => void) {
    this.socket = socket;
    this.key = key;
    socket.on('upgrade', (response: IncomingMessage) => {
      this.#raw = response.socket;
      this.#upgradeHeaders = response.headers;
    });
    socket.on('message', (data, isBinary) => this.#listener?.frame(data, isBinary));
    // Errors are followed by 'close'; without a listener they would be thrown.
    socket.on('error', () => undefined);
    socket.on('close', (code, reason) => {
      this.closed = true;
      this.#cancelIdle();
      onClose(this);
      this.#listener?.closed(code, reason.toString());
    });
  }

  /** Starts a turn: its listener, and a referenced socket (the process waits for the turn). */
  listen(listener: TurnListener): void {
    this.#cancelIdle();
    this.busy = true;
    this.#listener = listener;
    this.#raw?.ref();
  }

  /** The rate limits of the handshake's headers, for the connection's first turn only. */
  takeRateLimits(): CodexEvent[] {
    const headers = this.#upgradeHeaders;
    this.#upgradeHeaders = undefined;
    return headers === undefined ? [] : rateLimitEventsFromHeaders(headers);
  }

  unlisten(listener: TurnListener): void {
    if (this.#listener === listener) this.#listener = undefined;
  }

  /** Between turns: an idle connection neither keeps the process alive nor stays open for long. */
  idle(idleClose: (close: () => void) => Unsubscribable): void {
    this.#listener = undefined;
    if (this.closed) return;
    this.#raw?.unref();
    this.#idle = idleClose(() => this.close());
  }

  close(): void {
    this.#listener = undefined;
    this.#cancelIdle();
    if (this.closed) return;
    this.closed = true;
    if (this.socket.readyState === WebSocket.CONNECTING) this.socket.terminate();
    else if (this.socket.readyState === WebSocket.OPEN) this.socket.close(1000);
  }

  #cancelIdle(): void {
    this.#idle?.unsubscribe();
    this.#idle = undefined;
  }
}

/** A request as the WebSocket sends it: `generate: false` for the warm-up. */
interface WebSocketTurn {
  readonly request: TurnRequest;
  readonly warmUp: boolean;
}

/**
 * The WebSocket transport: one `response.create` frame per turn on a connection kept per client,
 * the server's events one JSON text frame each, through the same `responseEvents()` →
 * `reduceResponse()` as the HTTP body's.
 */
export class WebSocketTransport implements Transport {
  readonly #options: WebSocketTransportOptions;
  /** The client's connection, reused by turns one after another. */
  #cached: Connection | undefined;
  /** A turn holds the cached connection (or is opening it): a concurrent turn opens its own. */
  #cachedBusy = false;
  /** Every open connection, so `close()` reaches those of turns in flight too. */
  readonly #open = new Set<Connection>();
  /** The handshake failed once under `'auto'`: HTTP from then on. */
  #fellBack = false;

  constructor(options: WebSocketTransportOptions) {
    this.#options = options;
  }

  attempt(request: TurnRequest): Observable<CodexEvent> {
    return this.#withFallback(request, (fallback) =>
      fallback ? fallback.attempt(request) : this.#turnOnConnection({ request, warmUp: false }, true),
    );
  }

  /**
   * Opens the client's connection and sends the request with `generate: false`: the server
   * prepares the conversation without answering, and the next turn with the same fields chains
   * from it. Emits once when done; after a fallback to HTTP there is nothing to warm.
   */
  prewarm(request: TurnRequest): Observable<void> {
    return this.#withFallback(request, (fallback) =>
      fallback ? EMPTY : this.#turnOnConnection({ request, warmUp: true }, true).pipe(ignoreElements()),
    ).pipe(endWith(undefined));
  }

  /** Closes every connection: idle ones now, those of turns in flight when their turn ends. */
  close(): void {
    for (const connection of [...this.#open]) {
      if (connection.busy) connection.retired = true;
      else connection.close();
    }
    if (!this.#cachedBusy) this.#cached = undefined;
  }

  /** Runs `run` on the WebSocket, or, once a handshake has failed under `'auto'`, on the fallback. */
  #withFallback<T>(request: TurnRequest, run: (fallback: Transport | undefined) => Observable<T>): Observable<T> {
    return defer(() => {
      const fallback = this.#options.fallback;
      if (fallback !== undefined && this.#fellBack) return run(fallback);
      return run(undefined).pipe(
        catchError((error: unknown) => {
          if (!(error instanceof HandshakeFailure)) return throwError(() => error);
          if (fallback === undefined) return throwError(() => redactError(error.error, request.token));
          this.#fellBack = true;
          const reason = redact(error.reason, request.token);
          this.#options.onDiagnostic?.({ type: 'transport-fallback', from: 'websocket', to: 'sse', reason });
          return run(fallback);
        }),
      );
    });
  }

  /**
   * A turn on the WebSocket. When the server says the connection is past its lifetime before
   * anything of the turn arrived, a new connection is opened and the full request sent, once.
   */
  #turnOnConnection(turn: WebSocketTurn, mayReconnect: boolean): Observable<CodexEvent> {
    return this.#onOneConnection(turn).pipe(
      catchError((error: unknown) => {
        if (!(error instanceof ConnectionLimitReached)) return throwError(() => error);
        if (mayReconnect) return this.#turnOnConnection(turn, false);
        return throwError(
          () => new StreamTruncatedError('OpenAI Codex refused two WebSocket connections in a row at its connection limit'),
        );
      }),
    );
  }

  /**
   * One attempt on one connection: the client's own when it is free (opened if needed), else a
   * connection of its own, closed after the turn. The connection is given back before the
   * turn's end reaches the subscriber, so whatever runs next finds it free.
   */
  #onOneConnection(turn: WebSocketTurn): Observable<CodexEvent> {
    return new Observable<CodexEvent>((subscriber) => {
      const key = JSON.stringify(turn.request.headers);
      const cached = !this.#cachedBusy;
      let reuse: Connection | undefined;
      if (cached) {
        this.#cachedBusy = true;
        reuse = this.#cached;
        if (reuse !== undefined && (reuse.closed || reuse.key !== key)) {
          reuse.close();
          this.#cached = reuse = undefined;
        }
      }
      let connection = reuse;
      let clean = false;
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        this.#release(connection, cached, clean);
      };
      const connection$ = reuse !== undefined ? of(reuse) : this.#connect(turn.request, key);
      const subscription = connection$
        .pipe(
          mergeMap((opened) => {
            connection = opened;
            if (cached) this.#cached = opened;
            return this.#turn(opened, turn, () => (clean = true));
          }),
        )
        .subscribe({
          next: (event) => subscriber.next(event),
          error: (error: unknown) => {
            release();
            subscriber.error(error);
          },
          complete: () => {
            release();
            subscriber.complete();
          },
        });
      return () => {
        subscription.unsubscribe();
        release();
      };
    });
  }

  /** Gives a connection back after a turn: kept when the turn ended cleanly, else closed. */
  #release(connection: Connection | undefined, cached: boolean, clean: boolean): void {
    if (cached) this.#cachedBusy = false;
    if (connection === undefined) return;
    connection.busy = false;
    if (!(clean && cached && !connection.retired && !connection.closed)) {
      connection.close();
      this.#open.delete(connection);
      if (this.#cached === connection) this.#cached = undefined;
      return;
    }
    const scheduler = this.#options.scheduler;
    connection.idle((close) => {
      if (scheduler !== undefined) return scheduler.schedule(close, WEBSOCKET_IDLE_CLOSE_MS);
      // Without a scheduler of the caller's, an unref'd timer: an idle connection must not keep the process alive.
      const timer = setTimeout(close, WEBSOCKET_IDLE_CLOSE_MS);
      timer.unref();
      return { unsubscribe: () => clearTimeout(timer) };
    });
  }

  /** Opens a connection; the headers timeout bounds the handshake. Its failures are {@link HandshakeFailure}s. */
  #connect(request: TurnRequest, key: string): Observable<Connection> {
    const options = this.#options;
    const url = webSocketUrl(request.url);
    return new Observable<Connection>((subscriber) => {
      let settled = false;
      const fail = (reason: string, error: CodexError) => {
        if (settled) return;
        settled = true;
        subscriber.error(new HandshakeFailure(reason, error));
      };
      let socket: WebSocket;
      try {
        socket = new WebSocket(url, { headers: handshakeHeaders(request.headers) });
      } catch (error) {
        const message = (error as Error).message;
        fail(
          `the WebSocket could not be opened: ${message}`,
          new ConnectionError(`OpenAI Codex WebSocket failed: ${message}`, { cause: error }),
        );
        return;
      }
      const connection = new Connection(socket, key, (closed) => {
        this.#open.delete(closed);
        if (this.#cached === closed && !this.#cachedBusy) this.#cached = undefined;
      });
      socket.on('unexpected-response', (req: ClientRequest, res: IncomingMessage) => {
        const status = res.statusCode ?? 0;
        const reason = `the WebSocket handshake was refused with HTTP ${status}`;
        if (options.fallback !== undefined) {
          // Falling back costs this one round trip: the refusal's body is not waited for.
          req.destroy();
          fail(reason, new ConnectionError(reason));
          return;
        }
        // The same typed error as an HTTP response with this status and body.
        const chunks: Buffer[] = [];
        let size = 0;
        const done = () => {
          if (settled) return;
          req.destroy();
          const body = redact(Buffer.concat(chunks).toString('utf8'), request.token);
          request.exchange.status = status;
          request.exchange.body = body;
          fail(reason, httpErrorFrom(status, res.headers, body));
        };
        res.on('data', (chunk: Buffer) => {
          if (size >= MAX_HANDSHAKE_BODY_BYTES) return done();
          chunks.push(chunk);
          size += chunk.length;
        });
        res.on('end', done);
        res.on('error', done);
        res.on('close', done);
      });
      socket.once('open', () => {
        settled = true;
        this.#open.add(connection);
        subscriber.next(connection);
        // Complete, so the headers timeout stops at the handshake.
        subscriber.complete();
      });
      socket.once('error', (error: Error) =>
        fail(
          `the WebSocket connection failed: ${error.message}`,
          new ConnectionError(`OpenAI Codex WebSocket connection failed: ${error.message}`, { cause: error }),
        ),
      );
      socket.once('close', () =>
        fail('the WebSocket closed during the handshake', new ConnectionError('OpenAI Codex WebSocket closed during the handshake')),
      );
      return () => {
        if (!settled) socket.terminate();
      };
    }).pipe(
      timeoutAs<Connection>(
        options.headersTimeoutMs,
        options.scheduler,
        () =>
          new IdleTimeoutError(`No WebSocket handshake from OpenAI Codex within ${options.headersTimeoutMs} ms`, {
            phase: 'headers',
            timeoutMs: options.headersTimeoutMs,
          }),
      ),
      catchError((error: unknown) =>
        throwError(() => (error instanceof IdleTimeoutError ? new HandshakeFailure('the WebSocket handshake timed out', error) : error)),
      ),
    );
  }

  /**
   * One turn on an open connection: the frame sent, the server's frames through the pipeline.
   * `ended` is called once the terminal event arrived, before the reducer's teardown runs, so
   * the connection is kept; any other end closes it (the protocol has no cancel).
   */
  #turn(connection: Connection, { request, warmUp }: WebSocketTurn, ended: () => void): Observable<CodexEvent> {
    const options = this.#options;
    const { token, exchange } = request;
    const messages = new Observable<SseMessage>((subscriber) => {
      exchange.status = undefined;
      exchange.body = undefined;
      let frame = warmUp
        ? { text: `${fullFrame(request.json()).slice(0, -1)},"generate":false}`, incremental: false }
        : createFrame(request.body, request.json, connection.chain);
      connection.chain = undefined;
      let received = false;
      let resent = false;
      const send = (text: string) =>
        connection.socket.send(text, (error) => {
          if (error) subscriber.error(new StreamTruncatedError(`OpenAI Codex WebSocket send failed: ${error.message}`, { cause: error }));
        });
      const listener: TurnListener = {
        frame: (data, isBinary) => {
          try {
            if (isBinary) {
              subscriber.error(
                new StreamTruncatedError('OpenAI Codex sent a binary WebSocket frame, where only JSON text frames are expected'),
              );
              return;
            }
            const text = textOf(data);
            const wrapped = errorFrameOf(text);
            if (wrapped !== undefined) {
              if (wrapped.code === 'previous_response_not_found' && frame.incremental && !resent && !received) {
                // The server no longer holds the previous response: the same turn, in full, once.
                resent = true;
                frame = { text: fullFrame(request.json()), incremental: false };
                send(frame.text);
                return;
              }
              if (wrapped.code === 'websocket_connection_limit_reached' && !received) {
                subscriber.error(new ConnectionLimitReached());
                return;
              }
              if (wrapped.status !== undefined) {
                const body = redact(JSON.stringify({ error: wrapped.error }), token);
                exchange.status = wrapped.status;
                exchange.body = body;
                subscriber.error(httpErrorFrom(wrapped.status, wrapped.headers, body));
                return;
              }
            }
            received = true;
            subscriber.next({ data: text });
          } catch (error) {
            subscriber.error(error);
          }
        },
        closed: (code, reason) => {
          const why = reason === '' ? `code ${code}` : `code ${code}, ${reason}`;
          subscriber.error(new StreamTruncatedError(`OpenAI Codex closed the WebSocket before the response ended (${why})`));
        },
      };
      connection.listen(listener);
      send(frame.text);
      return () => connection.unlisten(listener);
    });
    const blocks: ContentBlock[] = [];
    const onDiagnostic = options.onDiagnostic;
    const turn = messages.pipe(
      timeoutAs<SseMessage>(
        options.idleTimeoutMs,
        options.scheduler,
        () =>
          new IdleTimeoutError(`OpenAI Codex sent no WebSocket frame for ${options.idleTimeoutMs} ms`, {
            phase: 'body',
            timeoutMs: options.idleTimeoutMs,
          }),
      ),
      responseEvents({ onDiagnostic: onDiagnostic && ((d) => onDiagnostic(redactDiagnostic(d, token))) }),
      tap((event: ResponseStreamEvent) => {
        if (TERMINAL_TYPES.has(event.type)) ended();
      }),
      reduceResponse(),
      tap((event: CodexEvent) => {
        if (event.type === 'content-block') blocks.push(event.block);
        else if (event.type === 'done' && event.responseId !== undefined && !connection.closed) {
          connection.chain = chainAfter(request.body, event.responseId, blocks);
        }
      }),
    );
    // As over HTTP, the account's limits from the handshake's headers come first.
    return defer(() => concat(from(connection.takeRateLimits()), turn)).pipe(
      attachRateLimitsToUsageLimitError(),
      catchError((error: unknown) => throwError(() => redactError(error, token))),
    );
  }
}

/** A text frame's data as a string. */
function textOf(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data).toString('utf8');
}

/** A wrapped error frame, or an error event naming one of the codes the transport acts on. */
interface ErrorFrame {
  status?: number;
  code?: string;
  error: unknown;
  headers: ResponseHeaders;
}

/**
 * `{"type":"error","status":N,"error":{…},"headers":{…}}` (the server's HTTP error, sent as a
 * frame), or an `error` event whose code the transport handles itself. Other frames, and plain
 * error events, are `undefined`: they go through the pipeline like any event.
 */
function errorFrameOf(text: string): ErrorFrame | undefined {
  // Cheap test first: nearly every frame is a delta.
  if (!text.includes('"error"')) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || (parsed as { type?: unknown }).type !== 'error') return undefined;
  const frame = parsed as { status?: unknown; status_code?: unknown; error?: unknown; code?: unknown; headers?: unknown };
  const nested = typeof frame.error === 'object' && frame.error !== null ? (frame.error as { code?: unknown }) : undefined;
  const code = typeof nested?.code === 'string' ? nested.code : typeof frame.code === 'string' ? frame.code : undefined;
  const status = typeof frame.status === 'number' ? frame.status : typeof frame.status_code === 'number' ? frame.status_code : undefined;
  if (status === undefined && code !== 'previous_response_not_found' && code !== 'websocket_connection_limit_reached') return undefined;
  const headers: ResponseHeaders = {};
  if (typeof frame.headers === 'object' && frame.headers !== null) {
    for (const [name, value] of Object.entries(frame.headers)) {
      if (typeof value === 'string' || typeof value === 'number') headers[name.toLowerCase()] = String(value);
    }
  }
  return {
    ...(status !== undefined && { status }),
    ...(code !== undefined && { code }),
    error: frame.error ?? { code, message: text },
    headers,
  };
}
