import { createServer } from 'node:http';
import type { IncomingMessage, OutgoingHttpHeaders, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { ConfigError } from '../errors.js';

/** The route the client posts to, below {@link MockCodexServer.baseUrl}. */
const RESPONSES_ROUTE = '/codex/responses';
/** Node's timers overflow above this and fire at once. */
const MAX_DELAY_MS = 2_147_483_647;
const DEFAULT_WAIT_TIMEOUT_MS = 5_000;

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
}

/** How the server's handling of one request ended. */
export interface MockResponseOutcome {
  /**
   * - `finished`: the response was sent in full;
   * - `cut`: `cutAfterBytes` destroyed the socket;
   * - `dropped`: `dropConnection` destroyed the socket before any response;
   * - `client-closed`: the client went away (aborted, unsubscribed) before the response ended;
   * - `server-closed`: `close()` ended it.
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
   * The path prefix of {@link MockCodexServer.baseUrl}.
   * @default '/backend-api'
   */
  basePath?: string;
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
  /** What to pass as `CodexClientConfig.baseUrl`: `http://127.0.0.1:PORT/backend-api`. */
  readonly baseUrl: string;
  /** The full endpoint: `${baseUrl}/codex/responses`. */
  readonly responsesUrl: string;
  readonly port: number;
  /** Every request received so far, in arrival order (all paths, including unknown ones). */
  readonly requests: readonly RecordedRequest[];
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
  /** Stops listening, destroys open sockets, rejects pending waits; resolves when closed. Idempotent. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** A reply checked and reduced to what the server needs. */
interface PlannedReply {
  status: number;
  headers: OutgoingHttpHeaders;
  body: Buffer;
  chunkSize: number;
  chunkDelayMs: number;
  headersDelayMs: number;
  /** Bytes to send before cutting or stalling; `body.length` otherwise. */
  sendBytes: number;
  end: 'end' | 'cut' | 'stall' | 'drop';
}

const REPLY_KEYS = new Set([
  'status',
  'headers',
  'body',
  'events',
  'json',
  'chunkSize',
  'chunkDelayMs',
  'headersDelayMs',
  'cutAfterBytes',
  'stall',
  'endWithoutBlankLine',
  'dropConnection',
]);

function checkDelay(value: unknown, name: string): number {
  if (value === undefined) return 0;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > MAX_DELAY_MS) {
    throw new ConfigError(`MockReply.${name} must be a number of milliseconds from 0 to ${MAX_DELAY_MS}, got ${String(value)}`);
  }
  return value;
}

function checkByteCount(value: unknown, name: string, min: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new ConfigError(`MockReply.${name} must be an integer ≥ ${min}, got ${String(value)}`);
  }
  return value;
}

/** Frames wire events as SSE: `event: <type>\ndata: <json>\n\n`. */
function frameEvents(events: readonly object[]): string {
  let out = '';
  for (const [i, event] of events.entries()) {
    if (typeof event !== 'object' || event === null || Array.isArray(event)) {
      throw new ConfigError(`MockReply.events[${i}] must be an object, got ${Array.isArray(event) ? 'an array' : String(event)}`);
    }
    const type = (event as { type?: unknown }).type;
    if (typeof type === 'string') out += `event: ${type}\n`;
    out += `data: ${JSON.stringify(event)}\n\n`;
  }
  return out;
}

/** Removes the final line terminator of a trailing blank line (`\n\n`, `\r\r`, `\r\n\r\n`). */
function dropFinalBlankLine(body: Buffer): Buffer {
  const n = body.length;
  const LF = 0x0a;
  const CR = 0x0d;
  if (n >= 4 && body[n - 4] === CR && body[n - 3] === LF && body[n - 2] === CR && body[n - 1] === LF) {
    return body.subarray(0, n - 2);
  }
  if (n >= 2 && (body[n - 1] === LF || body[n - 1] === CR) && body[n - 2] === body[n - 1]) {
    return body.subarray(0, n - 1);
  }
  return body;
}

function looksLikeJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Validates a reply (unknown keys, types, conflicting fields) and plans how to send it. */
function planReply(reply: MockReply, where: string): PlannedReply {
  try {
    return planReplyUnchecked(reply);
  } catch (e) {
    if (e instanceof ConfigError) throw new ConfigError(`${where}: ${e.message}`);
    throw e;
  }
}

function planReplyUnchecked(reply: MockReply): PlannedReply {
  if (typeof reply !== 'object' || reply === null || Array.isArray(reply)) {
    throw new ConfigError(`a MockReply must be an object, got ${Array.isArray(reply) ? 'an array' : String(reply)}`);
  }
  for (const key of Object.keys(reply)) {
    if (!REPLY_KEYS.has(key)) throw new ConfigError(`Unexpected MockReply option: ${key}`);
  }
  const status = reply.status ?? 200;
  if (!Number.isInteger(status) || status < 200 || status > 599) {
    throw new ConfigError(`MockReply.status must be an integer from 200 to 599, got ${String(reply.status)}`);
  }
  const given = (['body', 'events', 'json'] as const).filter((k) => reply[k] !== undefined);
  if (given.length > 1) throw new ConfigError(`MockReply takes one of body, events and json, got ${given.join(' and ')}`);

  let body: Buffer;
  let defaultType: string;
  if (reply.events !== undefined) {
    if (!Array.isArray(reply.events)) throw new ConfigError('MockReply.events must be an array of objects');
    body = Buffer.from(frameEvents(reply.events), 'utf8');
    defaultType = 'text/event-stream';
  } else if (reply.json !== undefined) {
    const text = JSON.stringify(reply.json);
    if (text === undefined) throw new ConfigError('MockReply.json must be JSON-serialisable');
    body = Buffer.from(text, 'utf8');
    defaultType = 'application/json';
  } else if (reply.body !== undefined) {
    if (typeof reply.body === 'string') body = Buffer.from(reply.body, 'utf8');
    else if (reply.body instanceof Uint8Array) body = Buffer.from(reply.body.buffer, reply.body.byteOffset, reply.body.byteLength);
    else throw new ConfigError('MockReply.body must be a string or a Uint8Array');
    defaultType =
      status < 300 ? 'text/event-stream' : looksLikeJson(body.toString('utf8')) ? 'application/json' : 'text/plain; charset=utf-8';
  } else {
    body = Buffer.alloc(0);
    defaultType = status < 300 ? 'text/event-stream' : 'text/plain; charset=utf-8';
  }
  if (reply.endWithoutBlankLine !== undefined && typeof reply.endWithoutBlankLine !== 'boolean') {
    throw new ConfigError('MockReply.endWithoutBlankLine must be a boolean');
  }
  if (reply.endWithoutBlankLine === true) body = dropFinalBlankLine(body);

  const headers: OutgoingHttpHeaders = { 'content-type': defaultType };
  if (reply.headers !== undefined) {
    if (typeof reply.headers !== 'object' || reply.headers === null || Array.isArray(reply.headers)) {
      throw new ConfigError('MockReply.headers must be an object of header name to value');
    }
    for (const [name, value] of Object.entries(reply.headers)) {
      const ok =
        typeof value === 'string' ||
        (typeof value === 'number' && Number.isFinite(value)) ||
        (Array.isArray(value) && value.every((v) => typeof v === 'string'));
      if (!ok) throw new ConfigError(`MockReply.headers['${name}'] must be a string, a number or an array of strings`);
      headers[name.toLowerCase()] = typeof value === 'object' ? [...value] : value;
    }
  }

  const chunkSize = reply.chunkSize === undefined ? Math.max(body.length, 1) : checkByteCount(reply.chunkSize, 'chunkSize', 1);
  const chunkDelayMs = checkDelay(reply.chunkDelayMs, 'chunkDelayMs');
  const headersDelayMs = checkDelay(reply.headersDelayMs, 'headersDelayMs');

  const endings = (['cutAfterBytes', 'stall', 'dropConnection'] as const).filter((k) => reply[k] !== undefined && reply[k] !== false);
  if (endings.length > 1)
    throw new ConfigError(`MockReply takes one of cutAfterBytes, stall and dropConnection, got ${endings.join(' and ')}`);
  let end: PlannedReply['end'] = 'end';
  let sendBytes = body.length;
  if (reply.cutAfterBytes !== undefined) {
    end = 'cut';
    sendBytes = Math.min(checkByteCount(reply.cutAfterBytes, 'cutAfterBytes', 0), body.length);
  }
  if (reply.stall !== undefined && reply.stall !== false) {
    end = 'stall';
    if (reply.stall !== true) {
      if (typeof reply.stall !== 'object' || reply.stall === null)
        throw new ConfigError('MockReply.stall must be a boolean or { afterBytes }');
      for (const key of Object.keys(reply.stall)) {
        if (key !== 'afterBytes') throw new ConfigError(`Unexpected MockReply.stall option: ${key}`);
      }
      sendBytes = Math.min(checkByteCount(reply.stall.afterBytes, 'stall.afterBytes', 0), body.length);
    }
  }
  if (reply.dropConnection !== undefined) {
    if (typeof reply.dropConnection !== 'boolean') throw new ConfigError('MockReply.dropConnection must be a boolean');
    if (reply.dropConnection) end = 'drop';
  }
  return { status, headers, body, chunkSize, chunkDelayMs, headersDelayMs, sendBytes, end };
}

/** A promise that can also be settled from outside, with an optional unref'd timeout. */
interface Waiter<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: Error): void;
}

function waiter<T>(timeoutMs: number | undefined, describe: () => string, set: Set<Waiter<never>>, closed: boolean): Waiter<T> {
  const limit = checkWaitTimeout(timeoutMs);
  let resolveFn!: (value: T) => void;
  let rejectFn!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolveFn = res;
    rejectFn = rej;
  });
  // Timers are unref'd and cleared on settle, so a forgotten wait never holds the process open.
  const timer = setTimeout(() => w.reject(new Error(`mock Codex server: timed out after ${limit} ms ${describe()}`)), limit);
  timer.unref();
  const w: Waiter<T> = {
    promise,
    resolve(value) {
      clearTimeout(timer);
      set.delete(w as unknown as Waiter<never>);
      resolveFn(value);
    },
    reject(error) {
      clearTimeout(timer);
      set.delete(w as unknown as Waiter<never>);
      rejectFn(error);
    },
  };
  set.add(w as unknown as Waiter<never>);
  if (closed) w.reject(new Error(`mock Codex server: already closed (${describe()})`));
  return w;
}

function checkWaitTimeout(timeoutMs: number | undefined): number {
  if (timeoutMs === undefined) return DEFAULT_WAIT_TIMEOUT_MS;
  if (typeof timeoutMs !== 'number' || !Number.isFinite(timeoutMs) || timeoutMs < 0 || timeoutMs > MAX_DELAY_MS) {
    throw new ConfigError(`timeoutMs must be a number of milliseconds from 0 to ${MAX_DELAY_MS}, got ${String(timeoutMs)}`);
  }
  return timeoutMs;
}

/** Resolves after `ms`, or at once when `signal` aborts; the timer is cleared either way. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Writes one chunk and resolves once the socket took it (or the response went away). */
function write(res: ServerResponse, chunk: Buffer, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = (): void => resolve(false);
    signal.addEventListener('abort', onAbort, { once: true });
    res.write(chunk, (err) => {
      signal.removeEventListener('abort', onAbort);
      resolve(err == null);
    });
  });
}

/** Resolves true on `drain`, false if the response went away first. */
function drained(res: ServerResponse, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const finish = (ok: boolean): void => {
      res.off('drain', onDrain);
      signal.removeEventListener('abort', onAbort);
      resolve(ok);
    };
    const onDrain = (): void => finish(true);
    const onAbort = (): void => finish(false);
    res.once('drain', onDrain);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

function recordRequest(index: number, req: IncomingMessage, raw: Buffer): RecordedRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const body = raw.toString('utf8');
  let json: unknown;
  if (body.length > 0) {
    try {
      json = JSON.parse(body);
    } catch {
      json = undefined;
    }
  }
  return { index, method: req.method ?? 'GET', url, path: q === -1 ? url : url.slice(0, q), headers, body, json };
}

function errorReply(status: number, message: string, type: string): PlannedReply {
  const body = Buffer.from(JSON.stringify({ error: { message, type } }), 'utf8');
  return {
    status,
    // The mock's own errors are never worth a retry: the test is wrong, fail it fast.
    headers: { 'content-type': 'application/json', 'x-should-retry': 'false' },
    body,
    chunkSize: Math.max(body.length, 1),
    chunkDelayMs: 0,
    headersDelayMs: 0,
    sendBytes: body.length,
    end: 'end',
  };
}

function normaliseBasePath(basePath: unknown): string {
  if (basePath === undefined) return '/backend-api';
  if (typeof basePath !== 'string' || (basePath !== '' && !/^\/[^?#\s]*$/.test(basePath))) {
    throw new ConfigError(`basePath must be '' or a path starting with '/', got ${JSON.stringify(basePath)}`);
  }
  return basePath.replace(/\/+$/, '');
}

class MockCodexServerImpl implements MockCodexServer {
  readonly url: string;
  readonly baseUrl: string;
  readonly responsesUrl: string;
  readonly port: number;
  private readonly recorded: RecordedRequest[] = [];
  private readonly script: PlannedReply[];
  private readonly handler: MockCodexServerOptions['handler'];
  private readonly responsesPath: string;
  private readonly sockets = new Set<Socket>();
  private accepted = 0;
  private readonly outcomes = new Map<number, MockResponseOutcome>();
  private readonly waiters = new Set<Waiter<never>>();
  private readonly requestWaiters = new Set<{ count: number; w: Waiter<readonly RecordedRequest[]> }>();
  private readonly outcomeWaiters = new Map<number, Set<Waiter<MockResponseOutcome>>>();
  private readonly closeWaiters = new Set<Waiter<void>>();
  private readonly countWaiters = new Set<{ count: number; w: Waiter<void> }>();
  /** Aborts every in-flight reply (delays, stalls) when the server closes. */
  private readonly closing = new AbortController();
  private closed?: Promise<void>;
  /** Bumped by reset(), so replies in flight do not record outcomes into the new epoch. */
  private epoch = 0;

  constructor(
    private readonly server: Server,
    port: number,
    basePath: string,
    script: PlannedReply[],
    handler: MockCodexServerOptions['handler'],
  ) {
    this.port = port;
    this.url = `http://127.0.0.1:${port}`;
    this.baseUrl = `${this.url}${basePath}`;
    this.responsesPath = `${basePath}${RESPONSES_ROUTE}`;
    this.responsesUrl = `${this.url}${this.responsesPath}`;
    this.script = script;
    this.handler = handler;
    server.on('connection', (socket: Socket) => this.onConnection(socket));
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      this.onRequest(req, res).catch((err: unknown) => {
        // An unexpected failure in the mock itself: answer 500 if still possible, else cut.
        if (!res.headersSent && !res.destroyed) {
          res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8', 'x-should-retry': 'false' });
          res.end(`mock Codex server: internal error: ${err instanceof Error ? err.message : String(err)}`);
        } else {
          res.destroy();
        }
      });
    });
  }

  get requests(): readonly RecordedRequest[] {
    return this.recorded;
  }

  get pendingReplies(): number {
    return this.script.length;
  }

  enqueue(...replies: MockReply[]): void {
    const planned = replies.map((r, i) => planReply(r, `enqueue() reply ${i}`));
    this.script.push(...planned);
  }

  reset(): void {
    this.epoch++;
    this.recorded.length = 0;
    this.script.length = 0;
    this.outcomes.clear();
  }

  waitForRequests(count: number, options: MockWaitOptions = {}): Promise<readonly RecordedRequest[]> {
    if (!Number.isSafeInteger(count) || count < 0) throw new ConfigError(`count must be an integer ≥ 0, got ${String(count)}`);
    if (this.recorded.length >= count) return Promise.resolve(this.recorded.slice());
    const entry = {
      count,
      w: waiter<readonly RecordedRequest[]>(
        options.timeoutMs,
        () => `waiting for ${count} request(s); ${this.recorded.length} arrived`,
        this.waiters,
        this.closed !== undefined,
      ),
    };
    this.requestWaiters.add(entry);
    void entry.w.promise.then(
      () => this.requestWaiters.delete(entry),
      () => this.requestWaiters.delete(entry),
    );
    return entry.w.promise;
  }

  responseOutcome(index: number, options: MockWaitOptions = {}): Promise<MockResponseOutcome> {
    if (!Number.isSafeInteger(index) || index < 0) throw new ConfigError(`index must be an integer ≥ 0, got ${String(index)}`);
    const known = this.outcomes.get(index);
    if (known) return Promise.resolve(known);
    const w = waiter<MockResponseOutcome>(
      options.timeoutMs,
      () => `waiting for the response to request ${index} to end`,
      this.waiters,
      this.closed !== undefined,
    );
    let set = this.outcomeWaiters.get(index);
    if (!set) this.outcomeWaiters.set(index, (set = new Set()));
    set.add(w);
    const forget = (): void => {
      set.delete(w);
    };
    void w.promise.then(forget, forget);
    return w.promise;
  }

  openConnections(): number {
    return this.sockets.size;
  }

  totalConnections(): number {
    return this.accepted;
  }

  onceConnectionClosed(options: MockWaitOptions = {}): Promise<void> {
    const w = waiter<void>(options.timeoutMs, () => 'waiting for a connection to close', this.waiters, this.closed !== undefined);
    this.closeWaiters.add(w);
    const forget = (): void => {
      this.closeWaiters.delete(w);
    };
    void w.promise.then(forget, forget);
    return w.promise;
  }

  waitForOpenConnections(count: number, options: MockWaitOptions = {}): Promise<void> {
    if (!Number.isSafeInteger(count) || count < 0) throw new ConfigError(`count must be an integer ≥ 0, got ${String(count)}`);
    if (this.sockets.size === count) return Promise.resolve();
    const entry = {
      count,
      w: waiter<void>(
        options.timeoutMs,
        () => `waiting for ${count} open connection(s); ${this.sockets.size} open`,
        this.waiters,
        this.closed !== undefined,
      ),
    };
    this.countWaiters.add(entry);
    const forget = (): void => {
      this.countWaiters.delete(entry);
    };
    void entry.w.promise.then(forget, forget);
    return entry.w.promise;
  }

  close(): Promise<void> {
    if (this.closed) return this.closed;
    this.closing.abort();
    const stopped = new Promise<void>((resolve) => this.server.close(() => resolve()));
    // Resolve only once every socket has closed and left `openConnections()`.
    const socketsClosed = [...this.sockets].map(
      (socket) =>
        new Promise<void>((resolve) => {
          socket.once('close', () => resolve());
          socket.destroy();
        }),
    );
    // The pending waits can no longer be satisfied.
    const error = new Error('mock Codex server: closed while waiting');
    for (const w of [...this.waiters]) w.reject(error);
    this.closed = Promise.all([stopped, ...socketsClosed]).then(() => undefined);
    return this.closed;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  private onConnection(socket: Socket): void {
    this.accepted++;
    this.sockets.add(socket);
    // Flush every write at once, so chunks and pacing reach the client as scripted.
    socket.setNoDelay(true);
    this.notifyCount();
    socket.once('close', () => {
      this.sockets.delete(socket);
      for (const w of [...this.closeWaiters]) w.resolve();
      this.notifyCount();
    });
  }

  private notifyCount(): void {
    for (const entry of [...this.countWaiters]) {
      if (this.sockets.size === entry.count) entry.w.resolve();
    }
  }

  private setOutcome(epoch: number, index: number, outcome: MockResponseOutcome): void {
    if (epoch !== this.epoch || this.outcomes.has(index)) return;
    this.outcomes.set(index, outcome);
    const set = this.outcomeWaiters.get(index);
    if (set) {
      this.outcomeWaiters.delete(index);
      for (const w of [...set]) w.resolve(outcome);
    }
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // One signal per response: the client went away, or the server is closing.
    const gone = new AbortController();
    const onGone = (): void => gone.abort();
    res.once('close', onGone);
    this.closing.signal.addEventListener('abort', onGone, { once: true });
    try {
      let raw: Buffer;
      try {
        raw = await readBody(req);
      } catch {
        return; // The client aborted while sending: nothing to record or answer.
      }
      const epoch = this.epoch;
      const record = recordRequest(this.recorded.length, req, raw);
      this.recorded.push(record);
      for (const entry of [...this.requestWaiters]) {
        if (this.recorded.length >= entry.count) entry.w.resolve(this.recorded.slice());
      }
      const plan = await this.choose(record);
      await this.play(plan, res, gone.signal, (o) => this.setOutcome(epoch, record.index, o));
    } finally {
      res.off('close', onGone);
      this.closing.signal.removeEventListener('abort', onGone);
    }
  }

  private async choose(record: RecordedRequest): Promise<PlannedReply> {
    const where = `${record.method} ${record.path}`;
    if (record.path !== this.responsesPath) {
      return errorReply(404, `mock Codex server: no route for ${where}; the client should POST to ${this.responsesPath}`, 'mock_not_found');
    }
    if (record.method !== 'POST') {
      return errorReply(405, `mock Codex server: ${where} is not allowed; use POST`, 'mock_method_not_allowed');
    }
    const next = this.script.shift();
    if (next) return next;
    if (!this.handler) {
      return errorReply(
        500,
        `mock Codex server: the script ran out: no reply for request ${record.index} (${where}); ` +
          'add replies, enqueue() more, or give a handler',
        'mock_script_exhausted',
      );
    }
    try {
      return planReply(await this.handler(record), `handler reply for request ${record.index}`);
    } catch (err) {
      return errorReply(
        500,
        `mock Codex server: handler failed: ${err instanceof Error ? err.message : String(err)}`,
        'mock_handler_failed',
      );
    }
  }

  private async play(plan: PlannedReply, res: ServerResponse, signal: AbortSignal, done: (o: MockResponseOutcome) => void): Promise<void> {
    let bytesWritten = 0;
    const interrupted = (): void => done({ kind: this.closing.signal.aborted ? 'server-closed' : 'client-closed', bytesWritten });

    if (plan.end === 'drop') {
      done({ kind: 'dropped', bytesWritten });
      res.socket?.destroy();
      return;
    }
    await sleep(plan.headersDelayMs, signal);
    if (signal.aborted) return interrupted();
    res.writeHead(plan.status, plan.headers);
    // Send the headers now, not with the first body byte: stalls and delays need them out.
    res.flushHeaders();

    for (let offset = 0; offset < plan.sendBytes; offset += plan.chunkSize) {
      if (offset > 0) {
        await sleep(plan.chunkDelayMs, signal);
        if (signal.aborted) return interrupted();
      }
      const stop = Math.min(offset + plan.chunkSize, plan.sendBytes);
      const chunk = plan.body.subarray(offset, stop);
      // Paced chunks, and the last bytes before a cut, must really reach the socket first;
      // otherwise only backpressure is honoured, so large bodies stream at full speed.
      if (plan.chunkDelayMs > 0 || (plan.end === 'cut' && stop === plan.sendBytes)) {
        if (!(await write(res, chunk, signal))) return interrupted();
      } else if (!res.write(chunk) && !(await drained(res, signal))) {
        return interrupted();
      }
      bytesWritten += chunk.length;
    }

    switch (plan.end) {
      case 'cut':
        done({ kind: 'cut', bytesWritten });
        res.socket?.destroy();
        return;
      case 'stall':
        // Neither write nor end: wait for the client to go away (or close()).
        if (!signal.aborted) await new Promise<void>((r) => signal.addEventListener('abort', () => r(), { once: true }));
        return interrupted();
      default:
        await new Promise<void>((resolve) => {
          const onAbort = (): void => resolve();
          signal.addEventListener('abort', onAbort, { once: true });
          res.end(() => {
            signal.removeEventListener('abort', onAbort);
            resolve();
          });
        });
        if (res.writableFinished) done({ kind: 'finished', bytesWritten });
        else interrupted();
    }
  }
}

/**
 * Starts a mock of the Codex Responses endpoint: a real HTTP server on `127.0.0.1` (a free
 * port) that answers `POST {baseUrl}/codex/responses` with scripted replies and records every
 * request. For codex-rx's own tests and for yours.
 *
 * 1. Replies are played in order, one per request to the endpoint; once they run out, `handler`
 *    answers; without a handler the request gets a 500 (with `x-should-retry: false`) whose body
 *    says the script ran out. Other paths get 404, other methods 405.
 * 2. A reply can send raw bytes or SSE-framed events, in chunks, with delays before the headers
 *    and between chunks; it can cut the connection mid-body, stall until the client goes away,
 *    drop the connection before any response, or leave off the final blank line.
 * 3. Every request is recorded (method, URL, lower-cased headers, body text, parsed JSON) before
 *    it is answered, and each response's end is observable (`responseOutcome`), as are the open
 *    sockets (`openConnections`, `waitForOpenConnections`, `onceConnectionClosed`).
 * 4. `close()` destroys open sockets and leaves no timer behind.
 *
 * ## Example
 * ```ts
 * import { lastValueFrom } from 'rxjs';
 * import { CodexClient, collectResponse, userMessage } from 'codex-rx';
 * import { fakeAccessToken, startMockCodexServer } from 'codex-rx/testing';
 *
 * it('streams the answer', async () => {
 *   await using server = await startMockCodexServer({
 *     replies: [{
 *       events: [
 *         { type: 'response.output_text.delta', item_id: 'msg_1', output_index: 0, content_index: 0, delta: 'Hi' },
 *         { type: 'response.completed', response: { id: 'resp_1', status: 'completed', output: [] } },
 *       ],
 *       chunkSize: 7, // arrive in small pieces, as over a real network
 *     }],
 *   });
 *   const client = new CodexClient({ baseUrl: server.baseUrl, accessToken: fakeAccessToken('acc_1') });
 *
 *   const result = await lastValueFrom(client.stream([userMessage('Hello')]).pipe(collectResponse()));
 *
 *   expect(result.text).toBe('Hi');
 *   expect(server.requests).toHaveLength(1);
 *   expect(server.requests[0].headers['chatgpt-account-id']).toBe('acc_1');
 *   expect(server.requests[0].json).toMatchObject({ stream: true, store: false });
 * });
 * ```
 * (Without `await using`, call `await server.close()` in `afterEach`.)
 *
 * @param options The script (`replies`, `handler`) and the `basePath` (default `/backend-api`).
 * Replies are validated now: a bad one throws a `ConfigError`.
 * @return A promise of the running server, listening once it resolves.
 */
export async function startMockCodexServer(options: MockCodexServerOptions = {}): Promise<MockCodexServer> {
  if (typeof options !== 'object' || options === null) throw new ConfigError('startMockCodexServer options must be an object');
  for (const key of Object.keys(options)) {
    if (key !== 'replies' && key !== 'handler' && key !== 'basePath') {
      throw new ConfigError(`Unexpected startMockCodexServer option: ${key}`);
    }
  }
  if (options.replies !== undefined && !Array.isArray(options.replies)) throw new ConfigError('replies must be an array of MockReply');
  if (options.handler !== undefined && typeof options.handler !== 'function') throw new ConfigError('handler must be a function');
  const basePath = normaliseBasePath(options.basePath);
  const script = (options.replies ?? []).map((r, i) => planReply(r, `replies[${i}]`));

  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') {
    server.close();
    throw new Error('mock Codex server: could not read the listening port');
  }
  return new MockCodexServerImpl(server, address.port, basePath, script, options.handler);
}

function base64url(value: string): string {
  return Buffer.from(value, 'utf8').toString('base64url');
}

/**
 * Builds an unsigned JWT (header `{"alg":"none"}`, base64url without padding, signature `sig`)
 * whose payload carries the `https://api.openai.com/auth`.`chatgpt_account_id` claim the client
 * reads the account id from. For tests only: nothing verifies it.
 *
 * ## Example
 * ```ts
 * import { fakeAccessToken } from 'codex-rx/testing';
 * const client = new CodexClient({ baseUrl: server.baseUrl, accessToken: fakeAccessToken('acc_42') });
 * // requests carry `chatgpt-account-id: acc_42`
 * ```
 *
 * @param accountId The `chatgpt_account_id` claim.
 * @param claims Extra payload claims (e.g. `exp` in Unix seconds), merged at the top level.
 * @return The token, `header.payload.sig`.
 */
export function fakeAccessToken(accountId = 'acc_test', claims: Record<string, unknown> = {}): string {
  if (typeof accountId !== 'string') throw new ConfigError('fakeAccessToken: accountId must be a string');
  const payload = { ...claims, 'https://api.openai.com/auth': { chatgpt_account_id: accountId } };
  return `${base64url(JSON.stringify({ alg: 'none' }))}.${base64url(JSON.stringify(payload))}.sig`;
}
