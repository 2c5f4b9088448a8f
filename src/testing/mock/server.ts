/** The mock Codex server: routing, the reply script, connection tracking and shutdown. */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { ConfigError } from '../../errors.js';
import { playReply } from './play.js';
import { errorReply, planReply, type PlannedReply } from './reply.js';
import { readBody, recordRequest } from './requests.js';
import type {
  MockCodexServer,
  MockCodexServerOptions,
  MockReply,
  MockResponseOutcome,
  MockWaitOptions,
  RecordedRequest,
  RecordedUpgrade,
} from './types.js';
import { Uplink, sleepUntil } from './uplink.js';
import { waiter, type Waiter } from './waiters.js';
import { MockWebSocketSide, type UpgradeRefusal } from './websocket.js';

/** The route the client posts to, below {@link MockCodexServer.baseUrl}: the Codex backend's, or the platform API's. */
const RESPONSES_ROUTE = '/codex/responses';
const PLATFORM_RESPONSES_ROUTE = '/responses';

function normaliseBasePath(basePath: unknown, api: 'codex' | 'platform'): string {
  if (basePath === undefined) return api === 'platform' ? '/v1' : '/backend-api';
  if (typeof basePath !== 'string' || (basePath !== '' && !/^\/[^?#\s]*$/.test(basePath))) {
    throw new ConfigError(
      `basePath must be '' or a path starting with '/', got ${JSON.stringify(basePath)}. Set basePath to a path such as '/backend-api', or leave it out for the default.`,
    );
  }
  return basePath.replace(/\/+$/, '');
}

/**
 * The server behind {@link MockCodexServer}. Besides the public interface it offers `record` and
 * `takeReply`, so another transport on the same server (a WebSocket upgrade, say) records its
 * requests and plays the same script.
 */
export class MockCodexServerImpl implements MockCodexServer {
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
  /** How to abort each response in flight, called when the server closes. */
  private readonly inFlight = new Set<() => void>();
  private closed?: Promise<void>;
  /** Bumped by reset(), so replies in flight do not record outcomes into the new epoch. */
  private epoch = 0;
  private readonly webSockets: MockWebSocketSide;
  private readonly uplink: Uplink;

  constructor(
    private readonly server: Server,
    port: number,
    basePath: string,
    script: PlannedReply[],
    handler: MockCodexServerOptions['handler'],
    refusal: UpgradeRefusal | undefined,
    upgradeHeaders: Record<string, string> = {},
    route: string = RESPONSES_ROUTE,
    uploadBytesPerSecond?: number,
  ) {
    this.port = port;
    this.url = `http://127.0.0.1:${port}`;
    this.baseUrl = `${this.url}${basePath}`;
    this.responsesPath = `${basePath}${route}`;
    this.responsesUrl = `${this.url}${this.responsesPath}`;
    this.script = script;
    this.handler = handler;
    this.uplink = new Uplink(uploadBytesPerSecond);
    server.on('connection', (socket: Socket) => this.onConnection(socket));
    this.webSockets = new MockWebSocketSide(this, server, this.responsesPath, refusal, upgradeHeaders);
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

  get upgrades(): readonly RecordedUpgrade[] {
    return this.webSockets.upgrades;
  }

  forgetResponses(): void {
    this.webSockets.forgetResponses();
  }

  /** When a payload of `bytes` received now has come through the client's uplink (at once without one). */
  uploadedAt(bytes: number): number {
    return this.uplink.uploadedAt(bytes);
  }

  /** Aborts when the server closes: replies in flight stop. */
  get closingSignal(): AbortSignal {
    return this.closing.signal;
  }

  /**
   * Calls `abort` when the server closes, until the returned function is called. One set of
   * replies in flight rather than a listener each on `closingSignal`: more than ten concurrent
   * replies would otherwise warn MaxListenersExceededWarning.
   */
  onClosing(abort: () => void): () => void {
    this.inFlight.add(abort);
    return () => this.inFlight.delete(abort);
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
    this.webSockets.reset();
    this.script.length = 0;
    this.outcomes.clear();
  }

  waitForRequests(count: number, options: MockWaitOptions = {}): Promise<readonly RecordedRequest[]> {
    if (!Number.isSafeInteger(count) || count < 0) {
      throw new ConfigError(`count must be an integer ≥ 0, got ${String(count)}. Pass how many requests to wait for.`);
    }
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
    if (!Number.isSafeInteger(index) || index < 0) {
      throw new ConfigError(`index must be an integer ≥ 0, got ${String(index)}. Pass the position of a request in server.requests.`);
    }
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
    if (!Number.isSafeInteger(count) || count < 0) {
      throw new ConfigError(`count must be an integer ≥ 0, got ${String(count)}. Pass how many open connections to wait for.`);
    }
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
    for (const abort of [...this.inFlight]) abort();
    this.webSockets.close();
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

  /** Where the outcome of the reply to `record` goes (nowhere once `reset()` started a new epoch). */
  outcomeOf(record: RecordedRequest): (outcome: MockResponseOutcome) => void {
    const epoch = this.epoch;
    return (outcome) => this.setOutcome(epoch, record.index, outcome);
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
    const forget = this.onClosing(onGone);
    try {
      let raw: Buffer;
      try {
        raw = await readBody(req);
      } catch {
        return; // The client aborted while sending: nothing to record or answer.
      }
      // Over a simulated uplink the body is complete only once it has come through.
      await sleepUntil(this.uplink.uploadedAt(raw.length), gone.signal);
      if (gone.signal.aborted) return;
      const epoch = this.epoch;
      const record = this.record(req, raw);
      const plan = await this.choose(record);
      await playReply(plan, res, gone.signal, this.closing.signal, (o) => this.setOutcome(epoch, record.index, o));
    } finally {
      res.off('close', onGone);
      forget();
    }
  }

  /**
   * Records a request and wakes the waits it satisfies. Every transport's requests go through
   * here, so `requests` and `waitForRequests` see them all in arrival order.
   */
  record(req: IncomingMessage, raw: Buffer): RecordedRequest {
    return this.push(recordRequest(this.recorded.length, req, raw));
  }

  /** Records a request another transport built (its `index` is set here). */
  push(record: RecordedRequest): RecordedRequest {
    record.index = this.recorded.length;
    this.recorded.push(record);
    for (const entry of [...this.requestWaiters]) {
      if (this.recorded.length >= entry.count) entry.w.resolve(this.recorded.slice());
    }
    return record;
  }

  private choose(record: RecordedRequest): Promise<PlannedReply> {
    const where = `${record.method} ${record.path}`;
    if (record.path !== this.responsesPath) {
      return Promise.resolve(
        errorReply(404, `mock Codex server: no route for ${where}; the client should POST to ${this.responsesPath}`, 'mock_not_found'),
      );
    }
    if (record.method !== 'POST') {
      return Promise.resolve(errorReply(405, `mock Codex server: ${where} is not allowed; use POST`, 'mock_method_not_allowed'));
    }
    return this.takeReply(record);
  }

  /**
   * The next scripted reply for a request to the responses endpoint: the script's head, else the
   * handler's answer, else a 500 saying the script ran out. Shared by every transport.
   */
  async takeReply(record: RecordedRequest): Promise<PlannedReply> {
    const where = `${record.method} ${record.path}`;
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
 * 2a. WebSocket upgrades on the same path are accepted (or refused with `refuseUpgrade`: a
 *    reply for all of them, or a function deciding each),
 *    and each `response.create` frame gets the same script's next reply, one frame per event;
 *    an error status becomes the backend's wrapped error frame. Each connection keeps its
 *    responses, so a frame naming `previous_response_id` is recorded with the whole conversation.
 * 2b. `uploadBytesPerSecond` stands in for the client's uplink: each request's payload (an HTTP
 *    body, a `response.create` frame) is recorded and answered only once it would have come
 *    through a link of that speed, whichever transport carried it.
 * 3. Every request is recorded (method, URL, lower-cased headers, body text, parsed JSON) before
 *    it is answered, and each response's end is observable (`responseOutcome`), as are the open
 *    sockets (`openConnections`, `waitForOpenConnections`, `onceConnectionClosed`).
 * 4. `close()` destroys open sockets and leaves no timer behind.
 *
 * ## Example
 * ```ts
 * import { lastValueFrom } from 'rxjs';
 * import { CodexClient, collectResponse, userMessage } from 'codex-rx';
 * import { fakeAccessToken, startMockCodexServer, type MockCodexServer } from 'codex-rx/testing';
 *
 * let server: MockCodexServer;
 * afterEach(() => server.close()); // an open server keeps jest from exiting
 *
 * it('streams the answer', async () => {
 *   server = await startMockCodexServer({
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
 *   expect(server.requests[0]?.headers['chatgpt-account-id']).toBe('acc_1');
 *   expect(server.requests[0]?.json).toMatchObject({ stream: true, store: false });
 * });
 * ```
 *
 * 5. With `api: 'platform'` it is the OpenAI platform Responses API instead: `POST
 *    {baseUrl}/responses` with `baseUrl` ending in `/v1`, what a client with an API key takes.
 *
 * @param options The script (`replies`, `handler`), the `api` and the `basePath` (default `/backend-api`,
 * `/v1` for the platform API).
 * Replies are validated now: a bad one throws a `ConfigError`.
 * @return A promise of the running server, listening once it resolves.
 */
export async function startMockCodexServer(options: MockCodexServerOptions = {}): Promise<MockCodexServer> {
  if (typeof options !== 'object' || options === null) {
    throw new ConfigError(
      `startMockCodexServer options must be an object, got ${String(options)}. Pass an object such as { replies: [...] }, or nothing.`,
    );
  }
  for (const key of Object.keys(options)) {
    if (!SERVER_OPTION_KEYS.has(key)) {
      throw new ConfigError(
        `Unexpected startMockCodexServer option: ${key}. Remove it or correct its name; the known options are ${[...SERVER_OPTION_KEYS].join(', ')}.`,
      );
    }
  }
  if (options.replies !== undefined && !Array.isArray(options.replies)) {
    throw new ConfigError('replies must be an array of MockReply. Pass an array, one reply per request (wrap a single reply in [ ]).');
  }
  if (options.handler !== undefined && typeof options.handler !== 'function') {
    throw new ConfigError('handler must be a function. Pass a function (request) => MockReply, or use replies instead.');
  }
  const api = options.api ?? 'codex';
  if (api !== 'codex' && api !== 'platform') {
    throw new ConfigError(
      `api must be 'codex' or 'platform', got ${JSON.stringify(api)}. Pick one of those, or leave api out for 'codex'.`,
    );
  }
  const basePath = normaliseBasePath(options.basePath, api);
  const replies: readonly MockReply[] = options.replies ?? [];
  const script = replies.map((r, i) => planReply(r, `replies[${i}]`));
  const upgradeHeaders = options.upgradeHeaders ?? {};
  if (typeof upgradeHeaders !== 'object' || upgradeHeaders === null || Object.values(upgradeHeaders).some((v) => typeof v !== 'string')) {
    throw new ConfigError(
      "upgradeHeaders must be an object of header name to string value. Pass one such as { 'x-codex-primary-used-percent': '10' }.",
    );
  }
  const refusal = upgradeRefusal(options.refuseUpgrade);
  const upload = options.uploadBytesPerSecond;
  if (upload !== undefined && !(typeof upload === 'number' && Number.isFinite(upload) && upload > 0)) {
    throw new ConfigError(
      `uploadBytesPerSecond must be a positive number of bytes per second, got ${String(upload)}. ` +
        'Pass e.g. 2_500_000 for a 20 Mbit/s uplink, or leave it out for loopback speed.',
    );
  }

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
  const route = api === 'platform' ? PLATFORM_RESPONSES_ROUTE : RESPONSES_ROUTE;
  return new MockCodexServerImpl(server, address.port, basePath, script, options.handler, refusal, upgradeHeaders, route, upload);
}

const SERVER_OPTION_KEYS: ReadonlySet<string> = new Set([
  'replies',
  'handler',
  'basePath',
  'refuseUpgrade',
  'upgradeHeaders',
  'api',
  'uploadBytesPerSecond',
] satisfies (keyof MockCodexServerOptions)[]);

/** A refusal reply is an error status: a 1xx or 2xx would not refuse anything. */
function refusalPlan(reply: MockReply, where: string): PlannedReply {
  const plan = planReply(reply, where);
  if (plan.status < 300) {
    throw new ConfigError(
      `${where}.status must be an error status (300 to 599), got ${plan.status}. Set status to the refusal to play, such as 426.`,
    );
  }
  return plan;
}

/**
 * `refuseUpgrade` as the WebSocket side asks it, per upgrade. A fixed reply is checked now; a
 * function's answer when it is given, and a function that throws or answers a bad reply gets
 * the upgrade refused with a 500 that says so, as a failing `handler` does for requests.
 */
function upgradeRefusal(option: MockCodexServerOptions['refuseUpgrade']): UpgradeRefusal | undefined {
  if (option === undefined) return undefined;
  if (typeof option !== 'function') {
    const plan = refusalPlan(option, 'refuseUpgrade');
    return () => plan;
  }
  return (upgrade) => {
    try {
      const reply = option(upgrade);
      return reply === undefined ? undefined : refusalPlan(reply, 'refuseUpgrade()');
    } catch (err) {
      return errorReply(
        500,
        `mock Codex server: refuseUpgrade failed: ${err instanceof Error ? err.message : String(err)}`,
        'mock_handler_failed',
      );
    }
  };
}

// `await using` where the runtime has the symbol. Defined only then: a computed
// `[Symbol.asyncDispose]` member on a runtime without it would be a method named "undefined".
if (typeof Symbol.asyncDispose === 'symbol') {
  Object.defineProperty(MockCodexServerImpl.prototype, Symbol.asyncDispose, {
    value(this: MockCodexServerImpl): Promise<void> {
      return this.close();
    },
    writable: true,
    configurable: true,
  });
}
