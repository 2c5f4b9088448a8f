/** The public types of the mock Codex server (`codex-rx/testing`). */

/**
 * One scripted answer of the mock server. Every field is optional: `{}` is an empty 200
 * `text/event-stream` response. Give at most one of `body`, `events` and `json`.
 */
export interface MockReply {
  /**
   * The HTTP status.
   * @default 200
   */
  status?: number;
  /**
   * Response headers (any case; sent lower-cased), e.g. `retry-after`, `retry-after-ms`,
   * `x-should-retry`. `content-type` defaults to `text/event-stream` for 2xx and for `events`,
   * `application/json` for `json` or a body that parses as JSON, else `text/plain; charset=utf-8`.
   */
  headers?: Record<string, string | number | readonly string[]>;
  /** The raw body, sent as is (strings as UTF-8). */
  body?: string | Uint8Array;
  /** Wire events, each framed as `event: <type>\ndata: <json>\n\n` (no `event:` line without a string `type`). */
  events?: readonly object[];
  /** A value sent as a JSON body (`JSON.stringify`), handy for error replies. */
  json?: unknown;
  /** Split the body bytes into chunks of this many bytes, each written separately. */
  chunkSize?: number;
  /**
   * Wait this long between chunks (each then reaches the socket before the next). Without it,
   * chunks are written back to back, honouring backpressure: separate writes, but several may
   * arrive in one read.
   * @default 0
   */
  chunkDelayMs?: number;
  /**
   * Wait this long before sending the status line and headers.
   * @default 0
   */
  headersDelayMs?: number;
  /**
   * A cut connection: send the headers and the first N body bytes, then destroy the socket.
   * The response never ends properly, even when N covers the whole body.
   */
  cutAfterBytes?: number;
  /**
   * A stalled stream: send the headers and the body (`true`) or its first `afterBytes` bytes,
   * then neither write nor end until the client goes away or the server closes. No timer runs.
   */
  stall?: boolean | { afterBytes: number };
  /**
   * Drop the final blank line, so the last event ends `data: …\n` without the `\n` that
   * dispatches it. Applies to `events`, `body` and `json` alike.
   */
  endWithoutBlankLine?: boolean;
  /** Destroy the connection without any response: a reset before the headers (a connection error). */
  dropConnection?: boolean;
  /**
   * Raw frames, for replies over a WebSocket: strings are sent as text frames, bytes as binary
   * frames. Over HTTP each string is sent as one SSE `data:` event and bytes as they are.
   */
  frames?: readonly (string | Uint8Array)[];
  /**
   * Over a WebSocket: close the connection (code 1000) once the reply was sent, as the server
   * does at its connection limit. Ignored over HTTP.
   * @default false
   */
  closeWebSocket?: boolean;
}

/** A request the server received, recorded once its body was read. */
export interface RecordedRequest {
  /** Position in {@link MockCodexServer.requests}, from 0. */
  index: number;
  method: string;
  /** The request target as sent, path and query, e.g. `/backend-api/codex/responses`. */
  url: string;
  /** The path without the query. */
  path: string;
  /** Header names lower-cased; repeated headers joined with `, `. */
  headers: Record<string, string>;
  /** The body as UTF-8 text (`''` when there was none). */
  body: string;
  /** The body parsed as JSON, or `undefined` when it is empty or not JSON. */
  json: unknown;
  /** How the request came: an HTTP POST, or a `response.create` frame on a WebSocket. */
  transport: 'http' | 'websocket';
  /** The WebSocket connection it came on, numbered from 0 in the order they were accepted. */
  connection?: number;
}

/** A WebSocket upgrade request the server received (accepted or refused). */
export interface RecordedUpgrade {
  /** Position in {@link MockCodexServer.upgrades}, from 0. */
  index: number;
  url: string;
  path: string;
  /** Header names lower-cased; repeated headers joined with `, `. */
  headers: Record<string, string>;
  /** 101 when accepted, else the status it was refused with. */
  status: number;
}

/** How the server's handling of one request ended. */
export interface MockResponseOutcome {
  /**
   * - `finished`: the response was sent in full;
   * - `cut`: `cutAfterBytes` destroyed the socket;
   * - `dropped`: `dropConnection` destroyed the socket before any response;
   * - `client-closed`: the client went away (aborted, unsubscribed) before the response ended;
   * - `server-closed`: `close()` ended it.
   * Over a WebSocket, `cut` and `dropped` end the connection without a close frame.
   */
  kind: 'finished' | 'cut' | 'dropped' | 'client-closed' | 'server-closed';
  /** Body bytes written to the response before it ended (for `cut`, all of them reached the socket). */
  bytesWritten: number;
}

/** Options of {@link startMockCodexServer}. */
export interface MockCodexServerOptions {
  /** Replies played in order, one per request to `POST {baseUrl}/codex/responses`. */
  replies?: readonly MockReply[];
  /**
   * Answers requests once `replies` has run out. Without it, such a request gets a 500 whose
   * body says the script ran out (with `x-should-retry: false`, so a client does not retry).
   */
  handler?: (request: RecordedRequest) => MockReply | Promise<MockReply>;
  /**
   * Which API the mock serves: `'codex'`, the Codex backend (`POST {baseUrl}/codex/responses`), or
   * `'platform'`, the OpenAI platform Responses API a client with an API key posts to
   * (`POST {baseUrl}/responses`, `baseUrl` ending in `/v1`). The replies and recording are the same.
   * @default 'codex'
   */
  api?: 'codex' | 'platform';
  /**
   * The path prefix of {@link MockCodexServer.baseUrl}.
   * @default '/backend-api', or '/v1' with `api: 'platform'`
   */
  basePath?: string;
  /**
   * Refuse every WebSocket upgrade with this reply (its status, headers and body), e.g.
   * `{ status: 426 }`; or a function that decides per upgrade: a reply refuses it, `undefined`
   * accepts it (say, refuse the first with a 401 and accept the one with a fresh token). Without
   * it, upgrades on the endpoint are accepted and the scripted replies are sent as frames.
   * @default undefined (upgrades accepted)
   */
  refuseUpgrade?: MockReply | ((upgrade: Omit<RecordedUpgrade, 'status'>) => MockReply | undefined);
  /**
   * Headers of every accepted upgrade's `101` response, e.g. the `x-codex-*` rate-limit family.
   * @default undefined
   */
  upgradeHeaders?: Record<string, string>;
  /**
   * The upload speed of the client's link, in bytes per second, for tests and benchmarks that
   * need a network rather than loopback: each request's payload (an HTTP body, a
   * `response.create` frame) is taken as arriving `bytes / uploadBytesPerSecond` seconds after
   * the link is free, and only then recorded and answered. One link per server: payloads that
   * arrive together queue on it. Headers and the WebSocket handshake are not counted. A 20 Mbit/s
   * uplink is `2_500_000`.
   * @default undefined (no cost: loopback speed)
   */
  uploadBytesPerSecond?: number;
}

/** Options of the `waitFor…` helpers. */
export interface MockWaitOptions {
  /**
   * Reject after this long, with a message saying what was awaited.
   * @default 5000
   */
  timeoutMs?: number;
}

/** A running mock Codex server. See {@link startMockCodexServer}. */
export interface MockCodexServer {
  /** `http://127.0.0.1:PORT`. */
  readonly url: string;
  /** What to pass as `CodexClientConfig.baseUrl`: `http://127.0.0.1:PORT/backend-api` (`…/v1` for the platform API). */
  readonly baseUrl: string;
  /** The full endpoint: `${baseUrl}/codex/responses` (`${baseUrl}/responses` for the platform API). */
  readonly responsesUrl: string;
  readonly port: number;
  /** Every request received so far, in arrival order (all paths, including unknown ones). */
  readonly requests: readonly RecordedRequest[];
  /** Every WebSocket upgrade request, accepted or refused. */
  readonly upgrades: readonly RecordedUpgrade[];
  /**
   * Forgets the responses WebSocket connections keep, so the next request naming one as
   * `previous_response_id` gets `previous_response_not_found`.
   */
  forgetResponses(): void;
  /** Scripted replies not yet played. */
  readonly pendingReplies: number;
  /** Appends replies to the script. */
  enqueue(...replies: MockReply[]): void;
  /** Forgets recorded requests and unplayed replies (for a server shared across tests). */
  reset(): void;
  /** Resolves with the recorded requests once at least `count` have arrived. */
  waitForRequests(count: number, options?: MockWaitOptions): Promise<readonly RecordedRequest[]>;
  /** Resolves with how the response to request `index` ended (waits for it to end). */
  responseOutcome(index: number, options?: MockWaitOptions): Promise<MockResponseOutcome>;
  /** Sockets currently open. */
  openConnections(): number;
  /** Sockets accepted since start. */
  totalConnections(): number;
  /** Resolves at the next socket close. */
  onceConnectionClosed(options?: MockWaitOptions): Promise<void>;
  /** Resolves once exactly `count` sockets are open (at once if they already are). */
  waitForOpenConnections(count: number, options?: MockWaitOptions): Promise<void>;
  /**
   * Stops listening, destroys open sockets, rejects pending waits; resolves when closed. Idempotent.
   * Call it in `afterEach` (or a `finally`): a server left open keeps jest from exiting. Where the
   * runtime defines `Symbol.asyncDispose`, the server also has that method, calling `close()`.
   */
  close(): Promise<void>;
}
