import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { from, lastValueFrom, tap, toArray } from 'rxjs';
import { z } from 'zod';
import { OutputValidationError } from '../../src/errors.js';
import { parseObject } from '../../src/output/parseObject.js';
import { parseResponseStream } from '../../src/parseResponseStream.js';
import { encodeUtf8, recordedFixtureToSse, sseTranscript } from '../../src/testing/transcripts.js';
import type { CodexEvent } from '../../src/types.js';
import { RECORDED_FIXTURES_DIR } from '../helpers/fixtures.js';
import { everySplit } from '../helpers/splits.js';
import { testScheduler } from '../agent/helpers.js';
import { expectConfigProblem } from '../helpers/configMessage.js';

const City = z.object({ city: z.string(), population: z.number(), tags: z.array(z.string()) });
const delta = (text: string): CodexEvent => ({ type: 'text-delta', delta: text, outputIndex: 0, contentIndex: 0 });
const done: CodexEvent = { type: 'done', status: 'completed', responseId: 'resp_1' };

async function run(events: CodexEvent[], schema: z.ZodType = City): Promise<{ events: unknown[]; error?: unknown }> {
  const out: unknown[] = [];
  try {
    await lastValueFrom(
      from(events).pipe(
        parseObject(schema),
        tap((event) => out.push(event)),
      ),
    );
    return { events: out };
  } catch (error) {
    return { events: out, error };
  }
}

function bytesOf(events: object[]): Uint8Array {
  return encodeUtf8(sseTranscript(events as never));
}

describe('parseObject', () => {
  it('emits an object-delta on the frame of each text delta that changes the value, then the object before done', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const source = cold('-a----b----c----d----(e|)', {
        a: delta('{"city": "Tok'),
        b: delta('yo", "popu'),
        c: delta('lation": 37'),
        d: delta(', "tags": []}'),
        e: done,
      });
      expectObservable(source.pipe(parseObject(City))).toBe('-(aA)-(bB)-c----(dD)-(OE|)', {
        a: delta('{"city": "Tok'),
        A: { type: 'object-delta', object: { city: 'Tok' } },
        b: delta('yo", "popu'),
        B: { type: 'object-delta', object: { city: 'Tokyo' } },
        c: delta('lation": 37'),
        d: delta(', "tags": []}'),
        D: { type: 'object-delta', object: { city: 'Tokyo', population: 37, tags: [] } },
        O: { type: 'object', object: { city: 'Tokyo', population: 37, tags: [] } },
        E: done,
      });
    });
  });

  it('the object is the schema output (transforms and defaults applied), a fresh object', async () => {
    const schema = z.object({ n: z.string().transform(Number), flag: z.boolean().default(false) });
    const { events } = await run([delta('{"n": "42"}'), done], schema);
    expect(events.at(-2)).toEqual({ type: 'object', object: { n: 42, flag: false } });
    expect(Object.isFrozen((events.at(-2) as { object: object }).object)).toBe(false);
  });

  it('text whose JSON fails the schema errors with OutputValidationError carrying the text, the zod issues and partial', async () => {
    const text = '{"city": 7, "population": 1, "tags": []}';
    const { events, error } = await run([delta(text), done]);
    expect(events.map((e) => (e as CodexEvent).type)).toEqual(['text-delta', 'object-delta']);
    expect(error).toBeInstanceOf(OutputValidationError);
    const e = error as OutputValidationError;
    expect(e.code).toBe('output_validation');
    expect(e.text).toBe(text);
    expect(e.issues).toEqual([expect.objectContaining({ code: 'invalid_type', path: ['city'] })]);
    expect(e.message).toBe(
      'Structured output: the response JSON does not match the schema: city: Invalid input: expected string, received number.',
    );
    expect(e.partial).toEqual({ responseId: 'resp_1', text, reasoning: '', toolCalls: [] });
  });

  it('text that is not JSON errors with OutputValidationError and no issues; an incomplete response says so', async () => {
    const { error } = await run([
      delta('Sure! {"city": "Paris"'),
      { type: 'done', status: 'incomplete', incompleteReason: 'max_output_tokens' },
    ]);
    expect(error).toBeInstanceOf(OutputValidationError);
    expect((error as OutputValidationError).issues).toEqual([]);
    expect((error as OutputValidationError).message).toMatch(
      /^Structured output: the response text is not JSON \(.+\)\. The response ended incomplete \(max_output_tokens\): allow more output tokens or ask for less\.$/,
    );
    expect((await run([done])).error).toMatchObject({ message: 'Structured output: the response has no text.' });
  });

  it('stops emitting object-deltas once the text is not JSON', async () => {
    const { events } = await run([delta('{"city": "A"'), delta('} trailing'), delta(' more'), done]);
    expect(events.filter((e) => (e as CodexEvent).type === 'object-delta')).toEqual([{ type: 'object-delta', object: { city: 'A' } }]);
  });

  it('a turn that called tools gets no object and is not checked', async () => {
    const call = { id: 'call_1', name: 'f', input: {} };
    const { events, error } = await run([{ type: 'tool-calls', toolCalls: [call] }, done]);
    expect(error).toBeUndefined();
    expect(events).toEqual([{ type: 'tool-calls', toolCalls: [call] }, done]);
  });

  it('is cold and keeps its state per subscription', async () => {
    const source = from([delta('{"city": "A", "population": 1, "tags": []}'), done]).pipe(parseObject(City));
    const first = await lastValueFrom(source.pipe(toArray()));
    const second = await lastValueFrom(source.pipe(toArray()));
    expect(second).toEqual(first);
  });

  it('rejects something that is not a zod schema', () => {
    expectConfigProblem(() => parseObject({} as never), 'parseObject needs a zod schema, got an object');
  });

  describe('over transcripts', () => {
    const json = JSON.stringify({ city: 'Zürich ☃', population: 421_878, tags: ['lake', 'alps'] });
    const expected = JSON.parse(json);

    it('a scripted transcript fed split at every byte gives the same deltas and the same object', async () => {
      const at = { item_id: 'msg_1', output_index: 0, content_index: 0 };
      const bytes = bytesOf([
        { type: 'response.output_text.delta', ...at, delta: json.slice(0, 9) },
        { type: 'response.output_text.delta', ...at, delta: json.slice(9, 30) },
        { type: 'response.output_text.delta', ...at, delta: json.slice(30) },
        { type: 'response.completed', response: { id: 'resp_1', status: 'completed', output: [] } },
      ]);
      let reference: string | undefined;
      for (const chunks of everySplit(bytes)) {
        const events = await lastValueFrom(from(chunks).pipe(parseResponseStream(), parseObject(City), toArray()));
        const shown = JSON.stringify(events.filter((e) => e.type === 'object-delta' || e.type === 'object'));
        reference ??= shown;
        expect(shown).toBe(reference);
        expect(events.find((e) => e.type === 'object')).toEqual({ type: 'object', object: expected });
      }
    });

    it('the text split into two deltas at every character gives a partial object each time, ending in the same object', async () => {
      const fine = (await run([...json].map(delta).concat(done))).events
        .filter((e) => (e as CodexEvent).type === 'object-delta')
        .map((e) => JSON.stringify((e as { object: unknown }).object));
      for (let at = 0; at <= json.length; at++) {
        const { events, error } = await run([delta(json.slice(0, at)), delta(json.slice(at)), done]);
        expect(error).toBeUndefined();
        const deltas = events
          .filter((e) => (e as CodexEvent).type === 'object-delta')
          .map((e) => JSON.stringify((e as { object: unknown }).object));
        expect(deltas.length).toBeGreaterThan(0);
        // Each partial object is one the text passes through character by character.
        for (const d of deltas) expect(fine).toContain(d);
        expect(deltas.at(-1)).toBe(JSON.stringify(expected));
        expect(events.at(-2)).toEqual({ type: 'object', object: expected });
      }
    });

    it('a recorded stream whose text is prose fails the schema as not JSON', async () => {
      const sse = recordedFixtureToSse(readFileSync(join(RECORDED_FIXTURES_DIR, 'openai-phase.1.jsonl'), 'utf8'));
      const result = await lastValueFrom(from([encodeUtf8(sse)]).pipe(parseResponseStream(), parseObject(City), toArray())).catch(
        (e: unknown) => e,
      );
      expect(result).toBeInstanceOf(OutputValidationError);
      expect((result as OutputValidationError).text.length).toBeGreaterThan(0);
    });
  });
});
