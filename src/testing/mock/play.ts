/** Sending a planned reply over HTTP: pacing, backpressure, cuts and stalls. */
import type { ServerResponse } from 'node:http';
import type { PlannedReply } from './reply.js';
import type { MockResponseOutcome } from './types.js';

/** Resolves after `ms`, or at once when `signal` aborts; the timer is cleared either way. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
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

/**
 * Plays `plan` on `res`, reporting how it ended through `done`. `signal` aborts when the client goes
 * away or the server closes; `serverClosing` tells the two apart.
 */
export async function playReply(
  plan: PlannedReply,
  res: ServerResponse,
  signal: AbortSignal,
  serverClosing: AbortSignal,
  done: (o: MockResponseOutcome) => void,
): Promise<void> {
  let bytesWritten = 0;
  const interrupted = (): void => done({ kind: serverClosing.aborted ? 'server-closed' : 'client-closed', bytesWritten });

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
