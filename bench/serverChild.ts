/**
 * The mock Codex server in a child process, so that on a 2-core machine the server's writes run
 * beside the client under test instead of being billed to it. Serves a generated transcript whose
 * size the request names (`size=<bytes>` anywhere in the request body), in `chunkSize` chunks.
 * Talks to the parent over IPC: sends `{ baseUrl, responsesUrl }` once listening.
 */
import { startMockCodexServer } from '../src/testing/index.js';
import { generateTranscript } from './transcript.js';

const chunkSize = Number(process.argv[2] ?? 16384);
const cache = new Map<number, Uint8Array>();

function transcript(size: number): Uint8Array {
  let t = cache.get(size);
  if (!t) {
    t = generateTranscript({ sizeBytes: size }).bytes;
    cache.set(size, t);
  }
  return t;
}

void (async () => {
  const server = await startMockCodexServer({
    handler: (req) => {
      const m = /size=(\d+)/.exec(req.body);
      return { body: transcript(m ? Number(m[1]) : 1 << 20), chunkSize };
    },
  });
  process.on('message', (msg: { type: string; sizes?: number[] }) => {
    if (msg.type === 'prepare') {
      // Generate ahead so the first timed request does not pay for it.
      for (const s of msg.sizes ?? []) transcript(s);
      process.send?.({ type: 'prepared' });
    } else if (msg.type === 'close') {
      void server.close().then(() => process.exit(0));
    }
  });
  process.send?.({ type: 'ready', baseUrl: server.baseUrl, responsesUrl: server.responsesUrl });
})();
