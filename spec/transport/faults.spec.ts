/**
 * What a server can do wrong at the HTTP level, and what the client makes of it: an error body
 * that never ends is cut at its cap instead of holding the stream open; a success that is not
 * an event stream (HTML, JSON, a compressed body) is a ProtocolError that names what came, and
 * is not retried; an HTTP error's message stays short while the whole kept body stays available.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { lastValueFrom, toArray } from 'rxjs';
import { CodexClient } from '../../src/client/CodexClient.js';
import { CodexHttpError, InvalidUtf8Error, ProtocolError } from '../../src/errors.js';
import { userMessage } from '../../src/messages.js';
import { fakeAccessToken } from '../../src/testing/index.js';
import { textTurn } from '../../src/testing/transcripts.js';
import { FAST_RETRY, mockServerPerTest } from '../client/helpers.js';

const TOKEN = fakeAccessToken('acc_faults');
const mock = mockServerPerTest();

const sse = (events: readonly object[]) => events.map((e) => `data: ${JSON.stringify(e)}\n\n`).join('');

async function outcome(client: CodexClient) {
  return lastValueFrom(client.stream([userMessage('Hi')]).pipe(toArray())).catch((e: unknown) => e);
}

/** A raw loopback server, for answers the mock does not give. */
async function rawServer(handle: (res: ServerResponse) => void): Promise<{ server: Server; url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => handle(res));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    server,
    url,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

describe('an error body that never ends', () => {
  it('is read up to its 1 MiB cap, then cancelled: the stream fails with the status instead of hanging', async () => {
    let written = 0;
    let closed = false;
    const raw = await rawServer((res) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.on('close', () => (closed = true));
      const chunk = Buffer.alloc(64 * 1024, 'x');
      // As fast as the client reads, for as long as it reads: the bytes never stop.
      const more = (): void => {
        while (!res.destroyed) {
          written += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', more);
        }
      };
      more();
    });
    try {
      const client = new CodexClient({
        transport: 'sse',
        baseUrl: raw.url,
        accessToken: TOKEN,
        idleTimeoutMs: 60_000,
        retry: { maxRetries: 0 },
      });
      const error = await outcome(client);
      expect(error).toBeInstanceOf(CodexHttpError);
      expect((error as CodexHttpError).status).toBe(500);
      expect((error as CodexHttpError).body).toHaveLength(1 << 20);
      for (let i = 0; i < 100 && !closed; i++) await new Promise((r) => setTimeout(r, 20));
      expect(closed).toBe(true);
      // What the sockets' buffers held beyond the cap, not a body read to its end.
      expect(written).toBeLessThan(64 << 20);
    } finally {
      await raw.close();
    }
  }, 20_000);
});

describe('a success that is not an event stream', () => {
  it.each([
    ['text/html; charset=utf-8', '<!doctype html><title>Sign in</title>'],
    ['application/json', '{"ok":true}'],
  ])('with content-type %s is a ProtocolError naming it, sent once', async (contentType, body) => {
    await mock.serve({ body, headers: { 'content-type': contentType } }, { events: textTurn({ text: ['hi'] }) });
    const client = new CodexClient({ transport: 'sse', baseUrl: mock.server.baseUrl, accessToken: TOKEN, retry: FAST_RETRY });
    const error = await outcome(client);
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as ProtocolError).message).toContain(`content-type "${contentType}"`);
    expect(mock.server.requests).toHaveLength(1);
  });

  it('with a content-encoding that was not asked for (gzip) is a ProtocolError naming it, not invalid UTF-8', async () => {
    const body = gzipSync(Buffer.from(sse(textTurn({ text: ['hi'] }))));
    await mock.serve({ body, headers: { 'content-encoding': 'gzip' } });
    const client = new CodexClient({ transport: 'sse', baseUrl: mock.server.baseUrl, accessToken: TOKEN, retry: FAST_RETRY });
    const error = await outcome(client);
    expect(error).not.toBeInstanceOf(InvalidUtf8Error);
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as ProtocolError).message).toContain('content-encoding "gzip"');
    expect(mock.server.requests).toHaveLength(1);
  });

  it('without any content-type is accepted as an event stream', async () => {
    const raw = await rawServer((res) => {
      res.removeHeader('content-type');
      res.writeHead(200);
      res.end(sse(textTurn({ text: ['hi'] })));
    });
    try {
      const events = (await outcome(new CodexClient({ transport: 'sse', baseUrl: raw.url, accessToken: TOKEN }))) as { type: string }[];
      expect(events.map((e) => e.type)).toContain('done');
    } finally {
      await raw.close();
    }
  });
});

describe("an HTTP error's message", () => {
  it('stays under 1,000 characters for a huge body, which stays whole in body and in the failure capture', async () => {
    const huge = `<html>${'Service unavailable. '.repeat(10_000)}</html>`;
    await mock.serve({ status: 400, body: huge, headers: { 'content-type': 'text/html' } });
    const client = new CodexClient({ transport: 'sse', baseUrl: mock.server.baseUrl, accessToken: TOKEN, retry: { maxRetries: 0 } });
    const error = (await outcome(client)) as CodexHttpError;
    expect(error).toBeInstanceOf(CodexHttpError);
    expect(error.message.length).toBeLessThanOrEqual(1000);
    expect(error.message).toMatch(/^<html>Service unavailable\. .*… \(\d+ characters in all: see the error's body\)$/s);
    expect(error.body).toBe(huge);
    expect(client.takeLastFailure()?.responsePayload).toBe(huge);
  });
});
