import type { Observable, SchedulerLike } from 'rxjs';
import type { Dispatcher } from 'undici';
import type { ResponseCreateBody } from '../request/buildRequest.js';
import type { CodexEvent, Diagnostic } from '../types.js';

/**
 * One turn's request, as the client hands it to a transport. The same object is given to every
 * attempt of the turn (retries resubscribe to the attempt), so a transport must not mutate it,
 * except for `exchange`, which it writes.
 */
export interface TurnRequest {
  /** The HTTP endpoint, `{baseUrl}/codex/responses`. */
  readonly url: string;
  /** The auth and identity headers: of the HTTP request, or of the WebSocket handshake. */
  readonly headers: Readonly<Record<string, string>>;
  /** The request body. */
  readonly body: ResponseCreateBody;
  /**
   * `body` as JSON, serialised on the first call and kept for every attempt after it. A function,
   * because a WebSocket turn that sends only the new items never needs the whole history as JSON.
   */
  readonly json: () => string;
  /** The access token, scrubbed from every error and diagnostic the attempt lets out. */
  readonly token: string;
  /** Written by the attempt: the status and body of a refused request, for the failure capture. */
  readonly exchange: HttpExchange;
}

/** What the last attempt's refused request said (a non-2xx status and its body), for the failure capture. */
export interface HttpExchange {
  status?: number;
  body?: string;
}

/** The client options a transport works with. */
export interface TransportOptions {
  readonly dispatcher?: Dispatcher;
  readonly idleTimeoutMs: number;
  readonly headersTimeoutMs: number;
  readonly onDiagnostic?: (diagnostic: Diagnostic) => void;
  readonly scheduler?: SchedulerLike;
}

/**
 * Sends a turn and streams its events. `attempt` is lazy: each subscription sends the request
 * once and emits the turn's `CodexEvent`s (the pipeline runs inside); unsubscribing aborts it and
 * releases its connection. Failures are typed `CodexError`s with the token scrubbed; retries are
 * the client's, by resubscribing.
 */
export interface Transport {
  attempt(request: TurnRequest): Observable<CodexEvent>;
  /** Prepares the transport for `request`'s conversation; emits once when done. */
  prewarm(request: TurnRequest): Observable<void>;
  /** Releases what the transport keeps open between turns. */
  close(): void;
}
