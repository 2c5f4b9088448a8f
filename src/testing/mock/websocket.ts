/** The mock's WebSocket side: upgrades on the endpoint, `response.create` frames answered from the same script. */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { sleep } from './play.js';
import { errorReply, type PlannedReply } from './reply.js';
import { headersOf } from './requests.js';
import type { MockResponseOutcome, RecordedRequest, RecordedUpgrade } from './types.js';
import { sleepUntil } from './uplink.js';
import {
  framesOf,
  refuseUpgrade,
  responseOf,
  sendFrame,
  wrappedErrorFrame,
  type MockFrame,
  type StoredResponse,
} from './webSocketReplies.js';

/** What the WebSocket side needs of the server it is attached to. */
export interface MockServerCore {
  push(record: RecordedRequest): RecordedRequest;
  takeReply(record: RecordedRequest): Promise<PlannedReply>;
  outcomeOf(record: RecordedRequest): (outcome: MockResponseOutcome) => void;
  readonly closingSignal: AbortSignal;
  /** Calls `abort` when the server closes, until the returned function is called. */
  onClosing(abort: () => void): () => void;
  /** When a payload of `bytes` received now has come through the client's uplink (at once without one). */
  uploadedAt(bytes: number): number;
}

/** Whether to refuse an upgrade: the reply to refuse it with, or `undefined` to accept it. */
export type UpgradeRefusal = (upgrade: Omit<RecordedUpgrade, 'status'>) => PlannedReply | undefined;

export class MockWebSocketSide {
  readonly upgrades: RecordedUpgrade[] = [];
  readonly #wss = new WebSocketServer({ noServer: true });
  readonly #core: MockServerCore;
  readonly #path: string;
  readonly #refusal: UpgradeRefusal | undefined;
  #connections = 0;
  #responses = 0;
  /** The responses each open connection keeps, by id. */
  readonly #stores = new Set<Map<string, StoredResponse>>();

  constructor(
    core: MockServerCore,
    server: Server,
    path: string,
    refusal: UpgradeRefusal | undefined,
    upgradeHeaders: Record<string, string>,
  ) {
    this.#core = core;
    const extra = Object.entries(upgradeHeaders).map(([name, value]) => `${name}: ${value}`);
    this.#wss.on('headers', (headers: string[]) => headers.push(...extra));
    this.#path = path;
    this.#refusal = refusal;
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.#onUpgrade(req, socket, head));
  }

  forgetResponses(): void {
    for (const store of this.#stores) store.clear();
  }

  reset(): void {
    this.upgrades.length = 0;
  }

  close(): void {
    for (const ws of this.#wss.clients) ws.terminate();
    this.#wss.close();
  }

  #onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    const asked = { index: this.upgrades.length, url, path, headers: headersOf(req) };
    const refusal =
      path !== this.#path
        ? errorReply(404, `mock Codex server: no WebSocket route for ${path}; connect to ${this.#path}`, 'mock_not_found')
        : this.#refusal?.({ ...asked, headers: { ...asked.headers } });
    const upgrade: RecordedUpgrade = { ...asked, status: refusal?.status ?? 101 };
    this.upgrades.push(upgrade);
    if (refusal !== undefined) return refuseUpgrade(socket, refusal);
    this.#wss.handleUpgrade(req, socket, head, (ws) => this.#onConnection(ws, req, upgrade));
  }

  /** One connection: its frames answered one at a time, in order. */
  #onConnection(ws: WebSocket, req: IncomingMessage, upgrade: RecordedUpgrade): void {
    const connection = this.#connections++;
    const store = new Map<string, StoredResponse>();
    this.#stores.add(store);
    // Aborted when the client goes away or the server closes: the reply in flight stops.
    const gone = new AbortController();
    const onGone = (): void => gone.abort();
    const forget = this.#core.onClosing(onGone);
    ws.once('close', () => {
      this.#stores.delete(store);
      forget();
      onGone();
    });
    ws.on('error', () => undefined);
    let queue = Promise.resolve();
    ws.on('message', (data: RawData, isBinary: boolean) => {
      // Over a simulated uplink a frame is complete only once it has come through.
      const uploaded = this.#core.uploadedAt(byteLengthOf(data));
      queue = queue
        .then(() => sleepUntil(uploaded, gone.signal))
        .then(() => (gone.signal.aborted ? undefined : this.#onFrame(ws, req, upgrade, connection, store, data, isBinary, gone.signal)))
        .catch((err: unknown) => {
          const message = `mock Codex server: internal error: ${err instanceof Error ? err.message : String(err)}`;
          void sendFrame(ws, wrappedErrorFrame(500, JSON.stringify({ error: { message, type: 'mock_internal_error' } })));
        });
    });
  }

  async #onFrame(
    ws: WebSocket,
    req: IncomingMessage,
    upgrade: RecordedUpgrade,
    connection: number,
    store: Map<string, StoredResponse>,
    data: RawData,
    isBinary: boolean,
    signal: AbortSignal,
  ): Promise<void> {
    const text = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data as Buffer).toString('utf8');
    let frame: Record<string, unknown> | undefined;
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) frame = parsed as Record<string, unknown>;
    } catch {
      frame = undefined;
    }
    const record: RecordedRequest = {
      index: 0,
      method: req.method ?? 'GET',
      url: upgrade.url,
      path: upgrade.path,
      headers: upgrade.headers,
      body: text,
      json: frame,
      transport: 'websocket',
      connection,
    };
    if (isBinary || frame === undefined || frame.type !== 'response.create') {
      this.#core.push(record);
      const error = { error: { message: 'mock Codex server: expected a response.create text frame', type: 'mock_bad_frame' } };
      await sendFrame(ws, wrappedErrorFrame(400, JSON.stringify(error)));
      return;
    }
    // The conversation as the backend resolves it: the named response's input and output first.
    const { type: _type, previous_response_id: previous, ...request } = frame;
    void _type;
    const input = Array.isArray(request.input) ? (request.input as unknown[]) : [];
    if (previous !== undefined) {
      const stored = typeof previous === 'string' ? store.get(previous) : undefined;
      if (stored === undefined) {
        this.#core.push(record);
        const error = {
          error: {
            type: 'invalid_request_error',
            code: 'previous_response_not_found',
            message: `Previous response with id '${String(previous)}' not found.`,
            param: 'previous_response_id',
          },
        };
        await sendFrame(ws, wrappedErrorFrame(400, JSON.stringify(error)));
        return;
      }
      request.input = [...stored.input, ...stored.output, ...input];
    }
    record.json = request;
    this.#core.push(record);
    const done = this.#core.outcomeOf(record);
    if (request.generate === false) {
      // A warm-up: the response exists, with nothing generated.
      const id = `resp_mock_${++this.#responses}`;
      const response = { id, object: 'response', status: 'completed', output: [] };
      await sendFrame(ws, JSON.stringify({ type: 'response.created', response: { ...response, status: 'in_progress' } }));
      await sendFrame(ws, JSON.stringify({ type: 'response.completed', response }));
      store.set(id, { input: request.input as unknown[], output: [] });
      return done({ kind: 'finished', bytesWritten: 0 });
    }
    const plan = await this.#core.takeReply(record);
    const frames = framesOf(plan);
    const sent = await this.#play(plan, frames, ws, signal, done);
    if (sent && plan.status < 300) {
      const response = responseOf(frames);
      store.set(response.id ?? `resp_mock_${++this.#responses}`, { input: request.input as unknown[], output: response.output });
    }
  }

  /** Plays a reply as frames; true when it was sent in full. */
  async #play(
    plan: PlannedReply,
    frames: readonly MockFrame[],
    ws: WebSocket,
    signal: AbortSignal,
    done: (o: MockResponseOutcome) => void,
  ): Promise<boolean> {
    let bytesWritten = 0;
    const interrupted = (): false => {
      done({ kind: this.#core.closingSignal.aborted ? 'server-closed' : 'client-closed', bytesWritten });
      return false;
    };
    if (plan.end === 'drop') {
      done({ kind: 'dropped', bytesWritten });
      ws.terminate();
      return false;
    }
    await sleep(plan.headersDelayMs, signal);
    if (signal.aborted) return interrupted();
    for (const [i, frame] of frames.entries()) {
      if (i > 0) {
        await sleep(plan.chunkDelayMs, signal);
        if (signal.aborted) return interrupted();
      }
      if (!(await sendFrame(ws, frame))) return interrupted();
      bytesWritten += Buffer.byteLength(frame);
    }
    switch (plan.end) {
      case 'cut':
        done({ kind: 'cut', bytesWritten });
        ws.terminate();
        return false;
      case 'stall':
        if (!signal.aborted) await new Promise<void>((r) => signal.addEventListener('abort', () => r(), { once: true }));
        return interrupted();
      default:
        done({ kind: 'finished', bytesWritten });
        if (plan.closeWebSocket) ws.close(1000);
        return true;
    }
  }
}

/** A frame's payload size in bytes. */
function byteLengthOf(data: RawData): number {
  if (Array.isArray(data)) return data.reduce((sum, part) => sum + part.length, 0);
  return data.byteLength;
}
