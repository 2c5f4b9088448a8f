import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { lastValueFrom, take, toArray, type Observable } from 'rxjs';
import { Agent, fetch, request } from 'undici';
import { fromBody } from '../../src/body/fromBody.js';
import { at } from '../helpers/at.js';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const text = (chunks: Uint8Array[]): string => Buffer.concat(chunks).toString('utf8');
const tick = (ms = 0): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A ReadableStream that records what its consumer did to it. */
function instrumentedStream(chunks: Uint8Array[], opts: { stallAfter?: boolean; errorAfter?: Error } = {}) {
  const log = { pulls: 0, cancelled: false, cancelReason: undefined as unknown };
  let i = 0;
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        log.pulls++;
        if (i < chunks.length) {
          controller.enqueue(at(chunks, i++));
          return;
        }
        if (opts.errorAfter) return controller.error(opts.errorAfter);
        if (opts.stallAfter) return new Promise<void>(() => {}); // never settles
        controller.close();
      },
      cancel(reason) {
        log.cancelled = true;
        log.cancelReason = reason;
      },
    },
    // No read-ahead: every pull is caused by a read, so `pulls` counts reads.
    { highWaterMark: 0 },
  );
  return { stream, log };
}

function collect<T>(obs: Observable<T>): Promise<{ values: T[]; error?: unknown; completed: boolean }> {
  return new Promise((resolve) => {
    const values: T[] = [];
    obs.subscribe({
      next: (v) => values.push(v),
      error: (error) => resolve({ values, error, completed: false }),
      complete: () => resolve({ values, completed: true }),
    });
  });
}

describe('fromBody', () => {
  describe('creation', () => {
    it('throws a TypeError at creation for something that is not a body', () => {
      expect(() => fromBody('data: x' as never)).toThrow(TypeError);
      expect(() => fromBody(null as never)).toThrow(/expected a ReadableStream or an AsyncIterable/);
      expect(() => fromBody({} as never)).toThrow(/got Object/);
    });

    it('is lazy: nothing is read before subscription', async () => {
      const { stream, log } = instrumentedStream([bytes('a')]);
      fromBody(stream);
      await tick();
      expect(log.pulls).toBe(0);
      expect(stream.locked).toBe(false);
    });
  });

  describe('ReadableStream, read chunk by chunk', () => {
    it('emits every chunk in order, the same objects, and completes', async () => {
      const chunks = [bytes('data: a\n'), bytes('\n'), bytes('data: b\n\n')];
      const { stream } = instrumentedStream(chunks);
      const result = await collect(fromBody(stream));
      expect(result.completed).toBe(true);
      expect(result.values).toHaveLength(3);
      result.values.forEach((v, i) => expect(v).toBe(chunks[i]));
      // Released at the end, so the caller can inspect the stream.
      expect(stream.locked).toBe(false);
    });

    it('passes Node Buffers through without copying', async () => {
      const buf = Buffer.from('héllo');
      const { stream } = instrumentedStream([buf]);
      const [out] = await lastValueFrom(fromBody(stream).pipe(toArray()));
      expect(out).toBe(buf);
      expect(Buffer.isBuffer(out)).toBe(true);
    });

    it('propagates the body error as is', async () => {
      const boom = new Error('socket hang up');
      const { stream } = instrumentedStream([bytes('x')], { errorAfter: boom });
      const result = await collect(fromBody(stream));
      expect(result.values.map((v) => text([v]))).toEqual(['x']);
      expect(result.error).toBe(boom);
    });

    it('cancels the stream on unsubscribe while a read is pending, and releases the lock', async () => {
      const { stream, log } = instrumentedStream([bytes('a')], { stallAfter: true });
      const seen: string[] = [];
      let completed = false;
      const sub = fromBody(stream).subscribe({ next: (v) => seen.push(text([v])), complete: () => (completed = true) });
      await tick(5);
      expect(seen).toEqual(['a']);
      expect(log.cancelled).toBe(false);
      sub.unsubscribe();
      expect(log.cancelled).toBe(true);
      await tick(5);
      expect(stream.locked).toBe(false);
      expect(completed).toBe(false);
    });

    it('does not read again after the consumer unsubscribes inside next (take(1))', async () => {
      const { stream, log } = instrumentedStream([bytes('a'), bytes('b'), bytes('c')]);
      const out = await lastValueFrom(fromBody(stream).pipe(take(1), toArray()));
      expect(out.map((v) => text([v]))).toEqual(['a']);
      await tick(5);
      expect(log.pulls).toBe(1);
      expect(log.cancelled).toBe(true);
    });

    it('does not cancel a stream that already ended', async () => {
      const { stream, log } = instrumentedStream([bytes('a')]);
      await collect(fromBody(stream));
      expect(log.cancelled).toBe(false);
    });

    it('a second subscription errors clearly instead of hanging or completing empty', async () => {
      const { stream } = instrumentedStream([bytes('a')]);
      const obs = fromBody(stream);
      const first = await collect(obs);
      expect(first.completed).toBe(true);
      const second = await collect(obs);
      expect(second.error).toBeInstanceOf(TypeError);
      expect((second.error as Error).message).toMatch(/already read/);
      // Also through another fromBody() of the same body.
      const third = await collect(fromBody(stream));
      expect(third.error).toBeInstanceOf(TypeError);
    });

    it('a ReadableStream locked by someone else errors clearly', async () => {
      const { stream } = instrumentedStream([bytes('a')]);
      stream.getReader();
      const result = await collect(fromBody(stream));
      expect(result.error).toBeInstanceOf(TypeError);
      expect((result.error as Error).message).toMatch(/locked by another reader/);
    });
  });

  describe('AsyncIterable', () => {
    it('emits the chunks of an async generator and completes', async () => {
      async function* gen() {
        yield bytes('a');
        await tick(1);
        yield bytes('b');
      }
      const result = await collect(fromBody(gen()));
      expect(result.completed).toBe(true);
      expect(result.values.map((v) => text([v]))).toEqual(['a', 'b']);
    });

    it('propagates a thrown error as is', async () => {
      const boom = new Error('ECONNRESET');
      async function* gen() {
        yield bytes('a');
        throw boom;
      }
      const result = await collect(fromBody(gen()));
      expect(result.values).toHaveLength(1);
      expect(result.error).toBe(boom);
    });

    it('calls return() on unsubscribe (the generator runs its finally) and reads no more', async () => {
      const log = { nexts: 0, finallyRan: false };
      async function* gen() {
        try {
          for (let i = 0; ; i++) {
            log.nexts++;
            yield bytes(String(i));
          }
        } finally {
          log.finallyRan = true;
        }
      }
      const out = await lastValueFrom(fromBody(gen()).pipe(take(2), toArray()));
      expect(out.map((v) => text([v]))).toEqual(['0', '1']);
      await tick(1);
      expect(log.finallyRan).toBe(true);
      expect(log.nexts).toBe(2);
    });

    it('calls return() on a hand-written iterator when unsubscribed during a pending next()', async () => {
      let returned = 0;
      let nextCalls = 0;
      const iterable: AsyncIterable<Uint8Array> = {
        [Symbol.asyncIterator]: () => ({
          next: () => {
            nextCalls++;
            return nextCalls === 1 ? Promise.resolve({ done: false, value: bytes('a') }) : new Promise<never>(() => {});
          },
          return: () => {
            returned++;
            return Promise.resolve({ done: true, value: undefined });
          },
        }),
      };
      const seen: string[] = [];
      const sub = fromBody(iterable).subscribe((v) => seen.push(text([v])));
      await tick(1);
      sub.unsubscribe();
      expect(returned).toBe(1);
      expect(seen).toEqual(['a']);
      sub.unsubscribe();
      expect(returned).toBe(1);
    });

    it('destroys a stalled Node Readable on unsubscribe (return() alone would wait for the pending next())', async () => {
      const readable = new Readable({ read() {} });
      readable.push(bytes('a'));
      const seen: string[] = [];
      const sub = fromBody(readable).subscribe((v) => seen.push(text([v])));
      await tick(5);
      expect(seen).toEqual(['a']);
      sub.unsubscribe();
      expect(readable.destroyed).toBe(true);
    });

    it('a second subscription to the same iterable errors clearly', async () => {
      async function* gen() {
        yield bytes('a');
      }
      const obs = fromBody(gen());
      await collect(obs);
      const second = await collect(obs);
      expect(second.error).toBeInstanceOf(TypeError);
    });
  });

  describe('over real HTTP (node:http on 127.0.0.1)', () => {
    let server: Server;
    let url: string;
    let agent: Agent;
    let pending: ServerResponse | undefined;
    let socketClosed: Promise<void>;

    beforeEach(async () => {
      let onClose!: () => void;
      socketClosed = new Promise<void>((resolve) => (onClose = resolve));
      server = createServer((req, res) => {
        pending = res;
        req.socket.on('close', onClose);
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write('data: first\n\n');
        // Then stall: only a client-side cancel can end this exchange.
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
      agent = new Agent();
    });

    afterEach(async () => {
      pending?.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await agent.close();
    });

    it('unsubscribing mid-body (undici request() body) makes the server see its socket close', async () => {
      const { body } = await request(url, { dispatcher: agent });
      const first = await new Promise<string>((resolve) => {
        const sub = fromBody(body).subscribe((chunk) => {
          sub.unsubscribe();
          resolve(text([chunk]));
        });
      });
      expect(first).toBe('data: first\n\n');
      await socketClosed; // the test times out if the cancel never reaches the socket
    });

    it('unsubscribing while a read is pending on a stalled undici request() body closes the socket', async () => {
      const { body } = await request(url, { dispatcher: agent });
      const seen: string[] = [];
      const sub = fromBody(body).subscribe((chunk) => seen.push(text([chunk])));
      while (seen.length === 0) await tick(2);
      await tick(10); // the next read is now pending on a server that sends nothing more
      sub.unsubscribe();
      await socketClosed;
      expect(seen).toEqual(['data: first\n\n']);
    });

    it('unsubscribing mid-body (undici fetch() ReadableStream) makes the server see its socket close', async () => {
      const response = await fetch(url, { dispatcher: agent });
      const first = await lastValueFrom(fromBody(response.body!).pipe(take(1)));
      expect(text([first])).toBe('data: first\n\n');
      await socketClosed;
    });
  });
});
