import { from, take, tap } from 'rxjs';
import { parseResponseStream } from '../src/parseResponseStream.js';
import type { CodexEvent, Diagnostic } from '../src/types.js';
import { chunksOf } from './helpers/splits.js';
import { pulledSource } from './helpers/pulledSource.js';

// The stream completes at the terminal event and cancels the body; it never waits for EOF or
// [DONE]. With a synchronous body (from(chunks)), the unsubscribe that reduceResponse makes
// inside the terminal event's `next` must reach the source before its next chunk is pulled: every
// stage in between (decodeUtf8, sseMessages) has to link its subscription to the downstream one.

type Wire = Record<string, unknown> & { type: string };

const encoder = new TextEncoder();
const frame = (event: Wire): string => `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
const bytes = (text: string): Uint8Array => encoder.encode(text);

const turn: Wire[] = [
  { type: 'response.created', response: { id: 'resp_s' } },
  { type: 'response.output_text.delta', item_id: 'msg_1', output_index: 0, content_index: 0, delta: 'Grüße ' },
  { type: 'response.output_text.delta', item_id: 'msg_1', output_index: 0, content_index: 0, delta: '😀' },
  { type: 'response.completed', response: { id: 'resp_s', usage: { input_tokens: 3, output_tokens: 2, total_tokens: 5 } } },
];
const body = turn.map(frame).join('');
/** What follows the terminal event: one more delta, then bytes that are not UTF-8 (an error if read). */
const after = [bytes(frame({ type: 'response.output_text.delta', delta: 'after' })), Uint8Array.of(0xff, 0xfe)];

interface Run {
  events: CodexEvent[];
  error?: unknown;
  completed: boolean;
}

function run(source: Iterable<Uint8Array>, onRead?: () => void, onDiagnostic?: (d: Diagnostic) => void): Run {
  const result: Run = { events: [], completed: false };
  from(source)
    .pipe(
      tap(() => onRead?.()),
      parseResponseStream({ onDiagnostic }),
    )
    .subscribe({ next: (e) => result.events.push(e), error: (e) => (result.error = e), complete: () => (result.completed = true) });
  return result;
}

/** The events of the turn alone, with nothing after it: what every run below must produce. */
const expected = run([bytes(body)]);

describe('parseResponseStream over a synchronous body: it stops reading at the terminal event', () => {
  it('the turn alone ends with done and completes (the baseline for the tests below)', () => {
    expect(expected.error).toBeUndefined();
    expect(expected.completed).toBe(true);
    expect(expected.events.map((e) => e.type)).toEqual(['text-delta', 'text-delta', 'usage', 'content-block', 'done']);
  });

  it('from(generator): nothing after the chunk holding the terminal event is pulled, and the iteration is closed', () => {
    const { source, pulled, closed } = pulledSource([bytes(body), ...after]);
    expect(run(source)).toEqual(expected);
    expect(pulled).toEqual([0]);
    expect(closed()).toBe(true);
  });

  it('from(array) in 64-byte chunks: the chunk that completes the terminal event is the last one read', () => {
    const chunks = chunksOf(bytes(body), 64);
    let reads = 0;
    expect(run([...chunks, ...after], () => reads++)).toEqual(expected);
    expect(reads).toBe(chunks.length);
  });

  it('more events after the terminal one in the same chunk are not emitted, and no later chunk is read', () => {
    let reads = 0;
    const first = new Uint8Array([...bytes(body), ...after[0]!]);
    expect(run([first, ...after], () => reads++)).toEqual(expected);
    expect(reads).toBe(1);
  });

  it('a consumer that unsubscribes in the middle of a chunk gets nothing more, and no later chunk is read', () => {
    const deltas = ['a', 'b', 'c', 'd', 'e'].map((delta) => frame({ type: 'response.output_text.delta', delta }));
    const { source, pulled, closed } = pulledSource([bytes(frame(turn[0]!) + deltas.join('') + frame(turn[3]!)), ...after]);
    const seen: string[] = [];
    let completed = false;
    from(source)
      .pipe(parseResponseStream(), take(2))
      .subscribe({ next: (e) => seen.push(e.type === 'text-delta' ? e.delta : e.type), complete: () => (completed = true) });
    expect(seen).toEqual(['a', 'b']);
    expect(completed).toBe(true);
    expect(pulled).toEqual([0]);
    expect(closed()).toBe(true);
  });

  it('a diagnostic comes between the events around it, as the bytes order them, even within one chunk', () => {
    const log: string[] = [];
    const text = frame(turn[0]!) + frame(turn[1]!) + 'data: {not json\n\n' + frame(turn[2]!) + frame(turn[3]!);
    from([bytes(text)])
      .pipe(parseResponseStream({ onDiagnostic: (d) => log.push(d.type) }))
      .subscribe((e) => log.push(e.type === 'text-delta' ? e.delta : e.type));
    expect(log).toEqual(['Grüße ', 'unparsable-json', '😀', 'usage', 'content-block', 'done']);
  });

  it('after a consumer unsubscribes in the middle of a chunk, bad JSON later in that chunk is not reported', () => {
    const diagnostics: Diagnostic[] = [];
    const text = frame(turn[0]!) + frame(turn[1]!) + frame(turn[2]!) + 'data: {not json\n\n' + frame(turn[3]!);
    const seen: CodexEvent[] = [];
    from([bytes(text)])
      .pipe(parseResponseStream({ onDiagnostic: (d) => diagnostics.push(d) }), take(1))
      .subscribe((e) => seen.push(e));
    expect(seen).toEqual([expect.objectContaining({ type: 'text-delta', delta: 'Grüße ' })]);
    expect(diagnostics).toEqual([]);
  });

  it('events after the terminal one in the same chunk are not even read: bad JSON there is not reported, a malformed event is no error', () => {
    const diagnostics: Diagnostic[] = [];
    const malformed = frame({ type: 'response.output_text.delta', delta: 7 });
    const first = bytes(`${body}data: {not json\n\n${malformed}`);
    expect(run([first], undefined, (d) => diagnostics.push(d))).toEqual(expected);
    expect(diagnostics).toEqual([]);
  });
});
