import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { from } from 'rxjs';
import { decodeUtf8 } from '../../src/decode/decodeUtf8.js';
import { sseMessages } from '../../src/sse/sseMessages.js';
import {
  chunkBytes,
  encodeUtf8,
  recordedFixtureToSse,
  responseEventFrame,
  sseFrame,
  sseTranscript,
  textTurn,
  toolCallTurn,
  type ResponseEventLike,
} from '../../src/testing/transcripts.js';
import type { SseMessage } from '../../src/types.js';
import { RECORDED_FIXTURES_DIR } from '../helpers/fixtures.js';

/** Parses an SSE transcript with the real front half of the pipeline. */
function parseSse(text: string, chunkSize = 7): SseMessage[] {
  const out: SseMessage[] = [];
  let error: unknown;
  from(chunkBytes(encodeUtf8(text), chunkSize))
    .pipe(decodeUtf8(), sseMessages())
    .subscribe({ next: (m) => out.push(m), error: (e) => (error = e) });
  if (error) throw error;
  return out;
}

describe('codex-rx/testing transcripts', () => {
  describe('sseFrame', () => {
    it('frames event, id and data, one data line per line, and ends with a blank line', () => {
      expect(sseFrame({ data: 'x' })).toBe('data: x\n\n');
      expect(sseFrame({ event: 'e', id: '7', data: 'a\nb' })).toBe('event: e\nid: 7\ndata: a\ndata: b\n\n');
    });

    it('round-trips through sseMessages, including leading spaces, empty data and CR/CRLF inside data', () => {
      const messages: SseMessage[] = [{ data: ' padded' }, { data: '' }, { event: 'e', data: 'a\n\nb' }, { id: '9', data: 'é€😀' }];
      expect(parseSse(messages.map(sseFrame).join(''))).toStrictEqual(messages);
      // SSE turns CR and CRLF inside data into LF: framing them as line breaks is faithful.
      expect(parseSse(sseFrame({ data: 'a\r\nb\rc' }))).toStrictEqual([{ data: 'a\nb\nc' }]);
    });

    it('rejects an event or id that would break the framing', () => {
      expect(() => sseFrame({ event: 'a\nb', data: '' })).toThrow(TypeError);
      expect(() => sseFrame({ id: 'a\rb', data: '' })).toThrow(/id must not contain/);
      expect(() => sseFrame({ id: 'a\0b', data: '' })).toThrow(/NUL/);
      expect(() => sseFrame({ data: 1 } as never)).toThrow(/data must be a string/);
    });
  });

  describe('responseEventFrame / sseTranscript', () => {
    it('frames a wire event as event: <type> and its JSON', () => {
      const event = { type: 'response.output_text.delta', delta: 'hi\n' };
      expect(responseEventFrame(event)).toBe(`event: response.output_text.delta\ndata: ${JSON.stringify(event)}\n\n`);
      expect(() => responseEventFrame({} as never)).toThrow(/event.type must be a string/);
    });

    it('sseTranscript frames events in order and parses back to the same events', () => {
      const events = [
        { type: 'a', n: 1 },
        { type: 'b', s: 'x\ny' },
      ];
      const messages = parseSse(sseTranscript(events));
      expect(messages.map((m) => m.event)).toEqual(['a', 'b']);
      expect(messages.map((m) => JSON.parse(m.data))).toEqual(events);
    });
  });

  describe('bytes', () => {
    it('encodeUtf8 gives UTF-8 bytes', () => {
      expect(Array.from(encodeUtf8('a€'))).toEqual([0x61, 0xe2, 0x82, 0xac]);
    });

    it('chunkBytes cuts views of the given size, the last one shorter', () => {
      const bytes = encodeUtf8('abcdefg');
      const chunks = chunkBytes(bytes, 3);
      expect(chunks.map((c) => Buffer.from(c).toString())).toEqual(['abc', 'def', 'g']);
      expect(chunks[1]!.buffer).toBe(bytes.buffer);
      expect(chunkBytes(new Uint8Array(0), 4)).toEqual([]);
      expect(() => chunkBytes(bytes, 0)).toThrow(RangeError);
      expect(() => chunkBytes(bytes, 1.5)).toThrow(RangeError);
    });
  });

  describe('recordedFixtureToSse', () => {
    it('frames each JSON line as event: <type>, keeping the line byte for byte, skipping blank lines', () => {
      const jsonl = '{"type":"a","x":1}\n\n{"type":"b"}\r\n{"no_type":true}\n';
      expect(recordedFixtureToSse(jsonl)).toBe(
        'event: a\ndata: {"type":"a","x":1}\n\nevent: b\ndata: {"type":"b"}\n\ndata: {"no_type":true}\n\n',
      );
    });

    it('says which line is not JSON', () => {
      expect(() => recordedFixtureToSse('{"type":"a"}\nnot json\n')).toThrow(/line 2 is not JSON/);
    });

    it('frames a real recorded stream so that every line comes back', () => {
      const jsonl = readFileSync(join(RECORDED_FIXTURES_DIR, 'openai-error.1.jsonl'), 'utf8');
      const lines = jsonl.split('\n').filter((l) => l.trim() !== '');
      const messages = parseSse(recordedFixtureToSse(jsonl));
      expect(messages.map((m) => m.data)).toEqual(lines);
      expect(messages.map((m) => m.event)).toEqual(lines.map((l) => JSON.parse(l).type));
    });
  });

  describe('turn builders', () => {
    const types = (events: ResponseEventLike[]) => events.map((e) => e.type);

    it('textTurn: the wire events of a text answer, numbered, ending in response.completed with output and usage', () => {
      const events = textTurn({
        responseId: 'resp_1',
        text: ['Hel', 'lo'],
        usage: { inputTokens: 10, outputTokens: 2, cacheReadInputTokens: 4 },
      });
      expect(types(events)).toEqual([
        'response.created',
        'response.in_progress',
        'response.output_item.added',
        'response.content_part.added',
        'response.output_text.delta',
        'response.output_text.delta',
        'response.output_text.done',
        'response.content_part.done',
        'response.output_item.done',
        'response.completed',
      ]);
      expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
      expect(events.filter((e) => e.type === 'response.output_text.delta').map((e) => e.delta)).toEqual(['Hel', 'lo']);
      expect(events[4]).toMatchObject({ item_id: 'msg_0', output_index: 0, content_index: 0 });
      const completed = events.at(-1)!.response as Record<string, unknown>;
      expect(completed).toMatchObject({
        id: 'resp_1',
        status: 'completed',
        output: [{ type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Hello' }] }],
        usage: { input_tokens: 10, output_tokens: 2, total_tokens: 12, input_tokens_details: { cached_tokens: 4 } },
      });
      expect((events[0]!.response as { id: string }).id).toBe('resp_1');
    });

    it('textTurn with reasoning: the reasoning item comes first with its encrypted content and summary', () => {
      const events = textTurn({ text: ['ok'], reasoning: { summary: ['Think', 'ing'], encryptedContent: 'gAAA' } });
      expect(types(events).slice(2, 8)).toEqual([
        'response.output_item.added',
        'response.reasoning_summary_part.added',
        'response.reasoning_summary_text.delta',
        'response.reasoning_summary_text.delta',
        'response.reasoning_summary_text.done',
        'response.reasoning_summary_part.done',
      ]);
      const done = events.find((e) => e.type === 'response.output_item.done')!;
      expect(done.item).toEqual({
        id: 'rs_0',
        type: 'reasoning',
        encrypted_content: 'gAAA',
        summary: [{ type: 'summary_text', text: 'Thinking' }],
      });
      expect(events.find((e) => e.type === 'response.output_text.delta')).toMatchObject({ item_id: 'msg_1', output_index: 1 });
      expect((events.at(-1)!.response as { usage: unknown }).usage).toBeNull();
    });

    it('toolCallTurn: function call items with streamed arguments', () => {
      const events = toolCallTurn({
        calls: [{ callId: 'call_1', name: 'calc', arguments: ['{"a":', '1}'] }],
        incompleteReason: 'max_output_tokens',
      });
      expect(types(events)).toEqual([
        'response.created',
        'response.in_progress',
        'response.output_item.added',
        'response.function_call_arguments.delta',
        'response.function_call_arguments.delta',
        'response.function_call_arguments.done',
        'response.output_item.done',
        'response.incomplete',
      ]);
      expect(events[2]!.item).toEqual({
        id: 'fc_0',
        type: 'function_call',
        call_id: 'call_1',
        name: 'calc',
        status: 'in_progress',
        arguments: '',
      });
      expect(events[5]).toMatchObject({ item_id: 'fc_0', arguments: '{"a":1}' });
      expect(events.at(-1)!.response).toMatchObject({ status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } });
    });

    it('built turns survive the SSE round trip', () => {
      const events = toolCallTurn({ text: ['Let me ', 'check: é€😀'], calls: [{ callId: 'c', name: 'n', arguments: ['{}'] }] });
      expect(parseSse(sseTranscript(events), 1).map((m) => JSON.parse(m.data))).toEqual(events);
    });
  });
});
