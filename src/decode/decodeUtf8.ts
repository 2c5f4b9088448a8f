import { concatWith, defer, EMPTY, filter, map, of, type OperatorFunction } from 'rxjs';
import { InvalidUtf8Error } from '../errors.js';

const PREFIX = 'Invalid UTF-8 in OpenAI Codex stream';

/**
 * Decodes a stream of UTF-8 byte chunks into text, keeping characters that are split across
 * chunks whole.
 *
 * 1. One `TextDecoder('utf-8', { fatal: true })` per subscription, fed with `{ stream: true }`,
 *    so bytes of a character cut between two chunks are held until the rest arrives.
 * 2. Each chunk's text is emitted synchronously, in the chunk's frame; a chunk that only
 *    completes no character (part of a split character, or a lone BOM) emits nothing: no empty
 *    strings.
 * 3. A byte order mark at the very start of the stream is dropped; one later in
 *    the stream is kept as text.
 * 4. Invalid bytes error with `InvalidUtf8Error`, whose message gives the byte offset of the
 *    bad sequence in the stream (the Rust client silently kept going on some).
 * 5. At completion the decoder is flushed: a character left unfinished by the end of the
 *    stream is an `InvalidUtf8Error` too (the Rust client dropped it silently: docs/behaviour.md#streaming-state).
 * 6. Errors from the source pass through unchanged.
 * 7. Unsubscribing stops the source at once, even a synchronous one from inside a `next` (as
 *    `parseResponseStream` does at the terminal event): no later chunk is pulled,
 *    and the decoder is not flushed.
 *
 * ## Example
 *
 * ```ts
 * import { decodeUtf8, fromBody } from 'codex-rx';
 *
 * fromBody(response.body!).pipe(decodeUtf8()).subscribe((text) => process.stdout.write(text));
 * ```
 *
 * @return A function that returns an Observable that emits the decoded text of each chunk
 * and errors with `InvalidUtf8Error` on malformed input.
 */
export function decodeUtf8(): OperatorFunction<Uint8Array, string> {
  // Built from `map`, `filter` and `concatWith` rather than a hand-written Observable: their
  // subscribers are linked to the downstream one, so an unsubscribe from inside a `next` (e.g.
  // at the terminal event) reaches even a synchronous source before its next chunk is pulled.
  return (source) =>
    defer(() => {
      const decoder = new Utf8Decoder();
      // A throw from decode errors the stream (`map` catches it) and stops the source. The
      // flush is subscribed only when the source completes (not after an error or an unsubscribe).
      return source.pipe(
        map((chunk) => decoder.decode(chunk)),
        filter(isNotEmpty),
        concatWith(
          defer(() => {
            const text = decoder.end();
            return text === '' ? EMPTY : of(text);
          }),
        ),
      );
    });
}

/**
 * The decoder behind {@link decodeUtf8}, one per stream: a fatal, streaming `TextDecoder` that
 * also knows where in the stream a bad sequence began. `parseResponseStream` drives it directly.
 */
export class Utf8Decoder {
  readonly #decoder = new TextDecoder('utf-8', { fatal: true });
  /** Bytes decoded before the current chunk. */
  #offset = 0;
  /** The last (up to 3) bytes decoded: only the error path reads them, to point at the exact byte. */
  readonly #tail = new Uint8Array(3);
  #tailLength = 0;

  /**
   * @return The text the chunk completes ('' when it completes no character).
   * @throws {InvalidUtf8Error} On a bad byte sequence.
   */
  decode(chunk: Uint8Array): string {
    let text: string;
    try {
      text = this.#decoder.decode(chunk, { stream: true });
    } catch (error) {
      throw isEncodingError(error) ? invalidSequenceError(this.#tail.subarray(0, this.#tailLength), chunk, this.#offset, error) : error;
    }
    this.#offset += chunk.length;
    this.#tailLength = keepTail(this.#tail, this.#tailLength, chunk);
    return text;
  }

  /**
   * Flushes the decoder at the end of the stream.
   * @return The text still held back ('' when none).
   * @throws {InvalidUtf8Error} When the stream ended inside a character.
   */
  end(): string {
    try {
      return this.#decoder.decode();
    } catch (error) {
      if (!isEncodingError(error)) throw error;
      const dangling = incompleteSuffixLength(this.#tail.subarray(0, this.#tailLength));
      throw new InvalidUtf8Error(
        `${PREFIX}: the stream ended inside a multi-byte character (${dangling || 'some'} byte${dangling === 1 ? '' : 's'} at byte offset ${this.#offset - dangling})`,
        { cause: error },
      );
    }
  }
}

function isNotEmpty(text: string): boolean {
  return text !== '';
}

/**
 * Node's fatal TextDecoder throws a TypeError with this code; anything else (a chunk that is
 * not bytes) is not about the encoding. Checked by code, not `instanceof`: the TypeError comes
 * from Node's own realm, which differs from the caller's under jest or `vm`.
 */
function isEncodingError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'ERR_ENCODING_INVALID_ENCODED_DATA';
}

/** Keeps the last 3 bytes seen (the most a TextDecoder holds back between chunks). */
function keepTail(tail: Uint8Array, length: number, chunk: Uint8Array): number {
  const n = chunk.length;
  if (n >= 3) {
    tail[0] = chunk[n - 3]!;
    tail[1] = chunk[n - 2]!;
    tail[2] = chunk[n - 1]!;
    return 3;
  }
  for (let i = 0; i < n; i++) {
    if (length === 3) {
      tail[0] = tail[1]!;
      tail[1] = tail[2]!;
      length = 2;
    }
    tail[length++] = chunk[i]!;
  }
  return length;
}

function invalidSequenceError(tail: Uint8Array, chunk: Uint8Array, offset: number, cause: unknown): InvalidUtf8Error {
  // Error path only: re-validate the held-back bytes plus this chunk to find the bad sequence.
  const held = incompleteSuffixLength(tail);
  const bytes = new Uint8Array(held + chunk.length);
  bytes.set(tail.subarray(tail.length - held), 0);
  bytes.set(chunk, held);
  const at = firstInvalidIndex(bytes);
  const where = at === -1 ? `in the chunk at byte offset ${offset}` : `at byte offset ${offset - held + at}`;
  return new InvalidUtf8Error(`${PREFIX}: encountered invalid byte sequence ${where}`, { cause });
}

/** The sequence length a lead byte announces, or 0 when it cannot start a sequence. */
function sequenceLength(b: number): number {
  if (b < 0x80) return 1;
  if (b >= 0xc2 && b <= 0xdf) return 2;
  if (b >= 0xe0 && b <= 0xef) return 3;
  if (b >= 0xf0 && b <= 0xf4) return 4;
  return 0;
}

/** How many bytes at the end of `bytes` begin a character they do not finish (0–3). */
function incompleteSuffixLength(bytes: Uint8Array): number {
  for (let back = 1; back <= Math.min(3, bytes.length); back++) {
    const b = bytes[bytes.length - back]!;
    if ((b & 0xc0) === 0x80) continue; // a continuation byte: keep looking for its lead
    const need = sequenceLength(b);
    return need > back ? back : 0;
  }
  return 0;
}

/** Index of the first byte of the first ill-formed sequence (WHATWG UTF-8 decoder bounds), or -1. */
function firstInvalidIndex(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    const need = sequenceLength(b);
    if (need === 0) return i;
    if (need === 1) {
      i++;
      continue;
    }
    // The second byte's range depends on the lead byte (no overlongs, surrogates or > U+10FFFF).
    const lower = b === 0xe0 ? 0xa0 : b === 0xf0 ? 0x90 : 0x80;
    const upper = b === 0xed ? 0x9f : b === 0xf4 ? 0x8f : 0xbf;
    for (let k = 1; k < need; k++) {
      if (i + k >= bytes.length) return -1; // incomplete at the end: not an error yet
      const c = bytes[i + k]!;
      if (k === 1 ? c < lower || c > upper : (c & 0xc0) !== 0x80) return i;
    }
    i += need;
  }
  return -1;
}
