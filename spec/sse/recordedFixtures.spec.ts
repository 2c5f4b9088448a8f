import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { from } from 'rxjs';
import { decodeUtf8 } from '../../src/decode/decodeUtf8.js';
import { sseMessages } from '../../src/sse/sseMessages.js';
import { encodeUtf8, recordedFixtureToSse } from '../../src/testing/transcripts.js';
import type { SseMessage } from '../../src/types.js';
import { byteByByte, chunksOf, everySplit, sampledSplits } from '../helpers/splits.js';
import { RECORDED_FIXTURES_DIR } from '../helpers/fixtures.js';

// Every recorded stream, framed as SSE, through decodeUtf8 + sseMessages: whole, byte by byte,
// in 2-, 3- and 7-byte chunks (1-byte: LF always, CR/CRLF up to 32 KiB), and cut in two at every byte (small fixtures) or at 64 spread
// points (large ones: every split of 280 KB would be O(n²) work). LF, CRLF and CR framing.

const dir = RECORDED_FIXTURES_DIR;
const fixtures = readdirSync(dir)
  .filter((f) => f.endsWith('.jsonl'))
  .sort();
const EVERY_SPLIT_MAX_BYTES = 4096;
const BYTE_BY_BYTE_MAX_BYTES = 32 * 1024;

function parseChunks(chunks: Uint8Array[]): SseMessage[] {
  const out: SseMessage[] = [];
  let error: unknown;
  let completed = false;
  from(chunks)
    .pipe(decodeUtf8(), sseMessages())
    .subscribe({ next: (m) => out.push(m), error: (e) => (error = e), complete: () => (completed = true) });
  if (error) throw error;
  if (!completed) throw new Error('did not complete synchronously');
  return out;
}

describe('recorded fixtures through decodeUtf8 + sseMessages', () => {
  it('found the recorded fixtures', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(29);
  });

  describe.each(fixtures)('%s', (file) => {
    const jsonl = readFileSync(join(dir, file), 'utf8');
    const lines = jsonl.split('\n').filter((l) => l.trim() !== '');
    const expected: SseMessage[] = lines.map((line) => ({ event: JSON.parse(line).type as string, data: line }));
    const expectedJson = JSON.stringify(expected);
    const sse = recordedFixtureToSse(jsonl);

    /** Asserts cheaply per split; a mismatch gets a full diff with the split that caused it. */
    const check = (chunks: Uint8Array[], label: string): void => {
      const got = parseChunks(chunks);
      if (JSON.stringify(got) !== expectedJson) expect({ label, got }).toStrictEqual({ label, got: expected });
    };

    it.each([
      ['LF', '\n'],
      ['CRLF', '\r\n'],
      ['CR', '\r'],
    ])('%s framing: whole, byte by byte, and in 2-, 3- and 7-byte chunks', (_name, eol) => {
      // JSON lines hold no raw line breaks, so every "\n" in the transcript is framing.
      const bytes = encodeUtf8(eol === '\n' ? sse : sse.replace(/\n/g, eol));
      expect(parseChunks([bytes])).toStrictEqual(expected);
      // Byte by byte costs one emission per byte: all LF transcripts, the smaller CR/CRLF ones.
      if (eol === '\n' || bytes.length <= BYTE_BY_BYTE_MAX_BYTES) check(byteByByte(bytes), '1-byte chunks');
      for (const n of [2, 3, 7]) check(chunksOf(bytes, n), `${n}-byte chunks`);
    });

    it('cut in two at every byte (or at 64 spread points when large), LF and CRLF', () => {
      for (const eol of ['\n', '\r\n']) {
        const bytes = encodeUtf8(eol === '\n' ? sse : sse.replace(/\n/g, eol));
        const splits = bytes.length <= EVERY_SPLIT_MAX_BYTES ? everySplit(bytes) : sampledSplits(bytes, 64);
        for (const chunks of splits) check(chunks, `split at ${chunks[0]!.length} (${JSON.stringify(eol)})`);
      }
    });
  });
});
