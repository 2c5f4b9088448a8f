/**
 * Properties of the whole byte → event pipeline (parseResponseStream), checked by fast-check
 * over the recorded streams and the synthetic transcripts:
 *
 * - split invariance: any chunking of a body gives the same events (and the same error) as the
 *   whole body in one chunk;
 * - termination: however a body is damaged (bytes flipped, cut short, a stretch repeated, junk
 *   inserted), the stream ends, either complete with exactly one `done` as its last event or with
 *   a typed CodexError; never a raw error, never a second `done`, never silence.
 *
 * Runs are seeded: a failure prints its seed and path; `FC_SEED=… FC_PATH=… npx jest spec/properties`
 * replays it.
 */
import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { from, pipe, tap, type OperatorFunction } from 'rxjs';
import { decodeUtf8 } from '../../src/decode/decodeUtf8.js';
import { CodexError } from '../../src/errors.js';
import { responseEvents } from '../../src/events/responseEvents.js';
import { parseResponseStream } from '../../src/parseResponseStream.js';
import { reduceResponse } from '../../src/reduce/reduceResponse.js';
import { sseMessages } from '../../src/sse/sseMessages.js';
import { encodeUtf8, recordedFixtureToSse, sseTranscript, textTurn, toolCallTurn } from '../../src/testing/transcripts.js';
import type { CodexEvent, Diagnostic } from '../../src/types.js';
import { RECORDED_FIXTURES_DIR } from '../helpers/fixtures.js';
import { propertyParameters } from '../helpers/property.js';

// Small and medium bodies: each run parses a body a few times, and a property must stay under a few seconds.
const MAX_BODY_BYTES = 40_000;

const bodies: { name: string; bytes: Uint8Array }[] = [
  { name: 'text turn', bytes: encodeUtf8(sseTranscript(textTurn({ text: ['Hel', 'lo ', 'wörld ✓ 😀'] }))) },
  {
    name: 'tool call turn',
    bytes: encodeUtf8(sseTranscript(toolCallTurn({ calls: [{ name: 'lookup', callId: 'call_1', arguments: ['{"q":', '"x"}'] }] }))),
  },
  ...readdirSync(RECORDED_FIXTURES_DIR)
    .filter((f) => f.endsWith('.jsonl'))
    .sort()
    .map((f) => ({ name: f, bytes: encodeUtf8(recordedFixtureToSse(readFileSync(join(RECORDED_FIXTURES_DIR, f), 'utf8'))) }))
    .filter((b) => b.bytes.length <= MAX_BODY_BYTES),
];

interface Outcome {
  events: CodexEvent[];
  error?: unknown;
  completed: boolean;
}

/** Feeds the chunks synchronously through the pipeline. */
function run(chunks: Uint8Array[], pipeline: OperatorFunction<Uint8Array, CodexEvent> = parseResponseStream()): Outcome {
  const outcome: Outcome = { events: [], completed: false };
  from(chunks)
    .pipe(pipeline)
    .subscribe({
      next: (e) => outcome.events.push(e),
      error: (e) => (outcome.error = e),
      complete: () => (outcome.completed = true),
    });
  return outcome;
}

/** The body cut at the given points (each taken modulo its length; duplicates and empties dropped). */
function cut(bytes: Uint8Array, points: number[]): Uint8Array[] {
  const at = [...new Set(points.map((p) => p % (bytes.length + 1)))].sort((a, b) => a - b);
  return [0, ...at].map((start, i) => bytes.subarray(start, at[i] ?? bytes.length)).filter((c) => c.length > 0);
}

/** Comparable form of an outcome: events as JSON, the error by class, code and message. */
function comparable(outcome: Outcome): unknown {
  const error = outcome.error as CodexError | undefined;
  return {
    events: JSON.stringify(outcome.events),
    completed: outcome.completed,
    error: error === undefined ? undefined : { name: error.name, code: error.code, message: error.message },
  };
}

const body = fc.nat({ max: bodies.length - 1 }).map((i) => bodies[i]!);

describe('stream properties', () => {
  it('found bodies to work on', () => {
    expect(bodies.length).toBeGreaterThanOrEqual(10);
  });

  it('split invariance: any chunking of a body gives the events and the verdict of the whole body', () => {
    fc.assert(
      fc.property(body, fc.array(fc.nat(), { maxLength: 40 }), ({ bytes }, points) => {
        expect(comparable(run(cut(bytes, points)))).toEqual(comparable(run([bytes])));
      }),
      propertyParameters({ numRuns: 150 }),
    );
  });

  /** A damaged copy of the body. */
  const mutation = fc.oneof(
    fc.record({
      kind: fc.constant('flip' as const),
      at: fc.nat(),
      xor: fc.integer({ min: 1, max: 255 }),
      count: fc.integer({ min: 1, max: 8 }),
    }),
    fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
    fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 400 }) }),
    fc.record({ kind: fc.constant('junk' as const), at: fc.nat(), junk: fc.uint8Array({ minLength: 1, maxLength: 64 }) }),
  );
  type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

  function mutate(bytes: Uint8Array, m: Mutation): Uint8Array {
    const at = m.at % (bytes.length + 1);
    switch (m.kind) {
      case 'flip': {
        const out = Uint8Array.from(bytes);
        for (let i = 0; i < m.count && at + i < out.length; i++) out[at + i] = out[at + i]! ^ m.xor;
        return out;
      }
      case 'truncate':
        return bytes.subarray(0, at);
      case 'duplicate':
        return Buffer.concat([bytes.subarray(0, at + m.length), bytes.subarray(at)]);
      case 'junk':
        return Buffer.concat([bytes.subarray(0, at), m.junk, bytes.subarray(at)]);
    }
  }

  it('a damaged body always ends: complete with one done as its last event, or a typed CodexError', () => {
    fc.assert(
      fc.property(
        body,
        fc.array(mutation, { minLength: 1, maxLength: 3 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        ({ bytes }, mutations, points) => {
          const damaged = mutations.reduce(mutate, bytes);
          const outcome = run(cut(damaged, points));
          const dones = outcome.events.filter((e) => e.type === 'done').length;
          // Something ended it, synchronously: the source is synchronous.
          expect(outcome.completed || outcome.error !== undefined).toBe(true);
          expect(dones).toBeLessThanOrEqual(1);
          if (outcome.completed) {
            expect(dones).toBe(1);
            expect(outcome.events.at(-1)?.type).toBe('done');
          } else {
            expect(outcome.error).toBeInstanceOf(CodexError);
            expect(dones).toBe(0);
          }
        },
      ),
      propertyParameters({ numRuns: 300 }),
    );
  });

  it('parseResponseStream gives what decodeUtf8 → sseMessages → responseEvents → reduceResponse give: events, each diagnostic in its place among them, verdict', () => {
    // parseResponseStream drives the stages' parsers in one operator; the composition of the
    // public operators is the reference.
    fc.assert(
      fc.property(body, fc.array(mutation, { maxLength: 3 }), fc.array(fc.nat(), { maxLength: 20 }), ({ bytes }, mutations, points) => {
        const chunks = cut(mutations.reduce(mutate, bytes), points);
        // Diagnostics and the types of the events in one log: each diagnostic in its place.
        const fused: (Diagnostic | string)[] = [];
        const composed: (Diagnostic | string)[] = [];
        const reference = pipe(
          decodeUtf8(),
          sseMessages(),
          responseEvents({ onDiagnostic: (d) => composed.push(d) }),
          reduceResponse(),
          tap((e) => composed.push(e.type)),
        );
        const got = run(
          chunks,
          pipe(
            parseResponseStream({ onDiagnostic: (d) => fused.push(d) }),
            tap((e) => fused.push(e.type)),
          ),
        );
        expect(comparable(got)).toEqual(comparable(run(chunks, reference)));
        expect(fused).toEqual(composed);
      }),
      propertyParameters({ numRuns: 300 }),
    );
  });
});
