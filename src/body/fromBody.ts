import { Observable, type Subscriber } from 'rxjs';

/**
 * Bodies that a subscription has already started reading. A response body is a one-shot
 * stream: a second reader would see a locked or drained stream and complete empty (or hang),
 * so a second subscription errors instead. Module-wide, so two `fromBody()` calls on the same
 * body are caught too.
 */
const readBodies = new WeakSet<object>();

/**
 * Turns an HTTP response body into a cold Observable of its byte chunks; unsubscribing cancels
 * the body.
 *
 * 1. Nothing is read until subscription (cold, lazy).
 * 2. Each chunk is emitted as it is read, as is: Node `Buffer`s (which are `Uint8Array`s) are
 *    not copied.
 * 3. The Observable completes when the body ends, and errors with the body's own error, unchanged
 *    (the client maps transport errors to codex-rx errors later).
 * 4. Unsubscribing stops reading at once (no read after it) and cancels the body: a
 *    `ReadableStream` gets `reader.cancel()` then `releaseLock()`; an `AsyncIterable` gets
 *    `iterator.return()`, and a Node.js `Readable` (undici's `request()` body) is also
 *    `destroy()`ed, because an async iterator's `return()` waits behind a pending `next()`,
 *    which on a stalled body never settles. Either way the connection is released.
 * 5. A body can be read once: a second subscription (or a `ReadableStream` already locked by
 *    another reader) errors with a `TypeError` instead of hanging or completing empty. Wrap the
 *    request in `defer()` to get a fresh body per subscription.
 *
 * ## Example
 *
 * ```ts
 * import { fromBody, parseResponseStream } from 'codex-rx';
 *
 * const response = await fetch(url, init);
 * fromBody(response.body!).pipe(parseResponseStream()).subscribe(console.log);
 * ```
 *
 * @param body A WHATWG `ReadableStream` (fetch's `response.body`) or any `AsyncIterable` of
 * byte chunks (undici `request()`'s body, a Node.js `Readable`, an async generator).
 * @return An Observable that emits the body's chunks, completes at its end and cancels it
 * when unsubscribed early.
 * @throws {TypeError} When `body` is neither a `ReadableStream` nor an `AsyncIterable`.
 */
export function fromBody(body: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>): Observable<Uint8Array> {
  const isStream = isReadableStream(body);
  if (!isStream && !isAsyncIterable(body)) {
    throw new TypeError(`fromBody: expected a ReadableStream or an AsyncIterable of Uint8Array, got ${describe(body)}.`);
  }
  return new Observable<Uint8Array>((subscriber) => {
    if (readBodies.has(body)) {
      subscriber.error(
        new TypeError(
          'fromBody: this body was already read by an earlier subscription; a body can be read only once (create a new request per subscription, e.g. with defer()).',
        ),
      );
      return;
    }
    readBodies.add(body);
    return isStream ? readStream(body, subscriber) : readIterable(body, subscriber);
  });
}

function readStream(body: ReadableStream<Uint8Array>, subscriber: Subscriber<Uint8Array>): (() => void) | undefined {
  let reader: ReadableStreamDefaultReader<Uint8Array>;
  try {
    reader = body.getReader();
  } catch (cause) {
    // getReader() throws when another reader holds the lock.
    subscriber.error(new TypeError('fromBody: the ReadableStream is locked by another reader; a body can be read only once.', { cause }));
    return undefined;
  }
  // True once the read loop has ended by itself: from then on the stream is no longer ours to cancel.
  let finished = false;
  const release = (): void => {
    try {
      reader.releaseLock();
    } catch {
      // Already released, or a read still pending on an old runtime: nothing left to do.
    }
  };

  void (async () => {
    try {
      for (;;) {
        const result = await reader.read();
        if (subscriber.closed) return; // Unsubscribed while reading: teardown cancels.
        if (result.done) {
          finished = true;
          release();
          subscriber.complete();
          return;
        }
        subscriber.next(result.value);
        if (subscriber.closed) return; // The consumer unsubscribed in next(): read no more.
      }
    } catch (error) {
      if (subscriber.closed) return;
      finished = true;
      release();
      subscriber.error(error);
    }
  })();

  return () => {
    if (finished) return;
    finished = true;
    // cancel() first: it settles a pending read(), so releaseLock() cannot reject it.
    reader.cancel().then(release, release);
  };
}

function readIterable(body: AsyncIterable<Uint8Array>, subscriber: Subscriber<Uint8Array>): (() => void) | undefined {
  let iterator: AsyncIterator<Uint8Array>;
  try {
    iterator = body[Symbol.asyncIterator]();
  } catch (error) {
    subscriber.error(error);
    return undefined;
  }
  let finished = false;

  void (async () => {
    try {
      for (;;) {
        const result = await iterator.next();
        if (subscriber.closed) return;
        if (result.done) {
          finished = true;
          subscriber.complete();
          return;
        }
        subscriber.next(result.value);
        if (subscriber.closed) return;
      }
    } catch (error) {
      if (subscriber.closed) return;
      finished = true;
      subscriber.error(error);
    }
  })();

  return () => {
    if (finished) return;
    finished = true;
    try {
      // A pending next() may reject once the body is destroyed: nobody is listening any more.
      const returned = iterator.return?.();
      if (returned) returned.then(undefined, noop);
    } catch {
      // A throwing return() has no one left to report to.
    }
    if (isNodeReadable(body)) {
      try {
        body.destroy();
      } catch {
        // Same as above.
      }
    }
  };
}

function noop(): void {}

function isReadableStream(value: unknown): value is ReadableStream<Uint8Array> {
  return typeof value === 'object' && value !== null && typeof (value as ReadableStream).getReader === 'function';
}

function isAsyncIterable(value: unknown): value is AsyncIterable<Uint8Array> {
  return typeof value === 'object' && value !== null && typeof (value as AsyncIterable<Uint8Array>)[Symbol.asyncIterator] === 'function';
}

/** A Node.js `Readable` (duck-typed, so this module does not import `node:stream`). */
function isNodeReadable(value: unknown): value is { destroy(): unknown } {
  const v = value as { destroy?: unknown; pipe?: unknown; on?: unknown };
  return typeof v.destroy === 'function' && typeof v.pipe === 'function' && typeof v.on === 'function';
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object') return typeof value;
  return value.constructor?.name ?? 'object';
}
