import { from, Subject } from 'rxjs';
import { CodexStreamError, ConfigError, InvalidUtf8Error, ProtocolError, StreamTruncatedError, UsageLimitError } from '../src/errors.js';
import { parseResponseStream } from '../src/parseResponseStream.js';
import { collectResponse } from '../src/reduce/collectResponse.js';
import type { CodexEvent, CodexResult, Diagnostic } from '../src/types.js';
import { byteByByte, chunksOf, everySplit } from './helpers/splits.js';
import { at } from './helpers/at.js';

type Wire = Record<string, unknown> & { type: string };

const encoder = new TextEncoder();
const frame = (event: Wire, eol = '\n'): string => `event: ${event.type}${eol}data: ${JSON.stringify(event)}${eol}${eol}`;
const transcript = (events: Wire[], eol = '\n'): string => events.map((e) => frame(e, eol)).join('');
const bytes = (text: string): Uint8Array => encoder.encode(text);

interface Run {
  events: CodexEvent[];
  error?: unknown;
  completed: boolean;
}

function run(chunks: Uint8Array[], onDiagnostic?: (d: Diagnostic) => void): Run {
  const result: Run = { events: [], completed: false };
  from(chunks)
    .pipe(parseResponseStream(onDiagnostic ? { onDiagnostic } : undefined))
    .subscribe({
      next: (e) => result.events.push(e),
      error: (e) => (result.error = e),
      complete: () => (result.completed = true),
    });
  return result;
}

// ---- a realistic Codex turn --------------------------------------------------------------------

const summaryPieces = ['**Reading the file**', '\n\nI will open ', 'the file — ✓ naïve'];
const textPieces = ['Grüße ', 'aus Köln ', '😀', ' — 日本語の', 'テキスト!'];
const argPieces = ['{"path":', '"src/😀 ü.rs",', '"mode":"r"}'];
const encrypted = 'gAAAAABpPDIVOKrsHNZ0Gws_-EojH4yZ==';
const usage = {
  input_tokens: 1200,
  input_tokens_details: { cached_tokens: 1024 },
  output_tokens: 345,
  output_tokens_details: { reasoning_tokens: 128 },
  total_tokens: 1545,
};

function realisticTurn(): Wire[] {
  let seq = 0;
  const s = <T extends Wire>(e: T): T => ({ ...e, sequence_number: seq++ });
  const reasoningItem = { id: 'rs_1', type: 'reasoning', summary: [] as unknown[] };
  const message = { id: 'msg_1', type: 'message', status: 'in_progress', role: 'assistant', content: [] as unknown[] };
  const fc = { id: 'fc_1', type: 'function_call', status: 'in_progress', call_id: 'call_1', name: 'read_file', arguments: '' };
  const fullSummary = summaryPieces.join('');
  const fullText = textPieces.join('');
  const fullArgs = argPieces.join('');
  const response = { id: 'resp_1', status: 'in_progress', output: [] as unknown[], usage: null };
  return [
    s({ type: 'response.created', response }),
    s({ type: 'response.in_progress', response }),
    s({ type: 'response.output_item.added', output_index: 0, item: reasoningItem }),
    s({
      type: 'response.reasoning_summary_part.added',
      item_id: 'rs_1',
      output_index: 0,
      summary_index: 0,
      part: { type: 'summary_text', text: '' },
    }),
    ...summaryPieces.map((delta, i) =>
      s({
        type: 'response.reasoning_summary_text.delta',
        item_id: 'rs_1',
        output_index: 0,
        summary_index: 0,
        delta,
        obfuscation: `ob${i}`,
      }),
    ),
    s({ type: 'response.reasoning_summary_text.done', item_id: 'rs_1', output_index: 0, summary_index: 0, text: fullSummary }),
    s({
      type: 'response.reasoning_summary_part.done',
      item_id: 'rs_1',
      output_index: 0,
      summary_index: 0,
      part: { type: 'summary_text', text: fullSummary },
    }),
    s({
      type: 'response.output_item.done',
      output_index: 0,
      item: { ...reasoningItem, summary: [{ type: 'summary_text', text: fullSummary }], encrypted_content: encrypted },
    }),
    s({ type: 'response.output_item.added', output_index: 1, item: message }),
    s({
      type: 'response.content_part.added',
      item_id: 'msg_1',
      output_index: 1,
      content_index: 0,
      part: { type: 'output_text', text: '', annotations: [] },
    }),
    ...textPieces.map((delta, i) =>
      s({
        type: 'response.output_text.delta',
        item_id: 'msg_1',
        output_index: 1,
        content_index: 0,
        delta,
        logprobs: [],
        obfuscation: 'x'.repeat(i + 1),
      }),
    ),
    s({ type: 'response.output_text.done', item_id: 'msg_1', output_index: 1, content_index: 0, text: fullText, logprobs: [] }),
    s({
      type: 'response.content_part.done',
      item_id: 'msg_1',
      output_index: 1,
      content_index: 0,
      part: { type: 'output_text', text: fullText },
    }),
    s({ type: 'response.output_item.done', output_index: 1, item: { ...message, status: 'completed' } }),
    { type: 'keepalive' },
    s({ type: 'response.output_item.added', output_index: 2, item: fc }),
    ...argPieces.map((delta) =>
      s({ type: 'response.function_call_arguments.delta', item_id: 'fc_1', output_index: 2, delta, obfuscation: 'zz' }),
    ),
    s({ type: 'response.function_call_arguments.done', item_id: 'fc_1', output_index: 2, arguments: fullArgs }),
    s({ type: 'response.output_item.done', output_index: 2, item: { ...fc, status: 'completed', arguments: fullArgs } }),
    {
      type: 'codex.rate_limits',
      plan_type: 'plus',
      rate_limits: { allowed: true, limit_reached: false, primary: { used_percent: 3.5, window_minutes: 300, reset_at: 1767000000 } },
      credits: { has_credits: true, unlimited: false, balance: '0' },
    },
    s({
      type: 'response.completed',
      response: { ...response, status: 'completed', output: [{ ...reasoningItem, encrypted_content: encrypted }, message, fc], usage },
    }),
  ];
}

/** What the turn calls for, written from its pieces. */
function realisticExpectation(): CodexEvent[] {
  const call = { id: 'call_1', name: 'read_file', input: JSON.parse(argPieces.join('')), rawInputJson: argPieces.join('') };
  return [
    ...summaryPieces.map((delta): CodexEvent => ({ type: 'reasoning-delta', delta, outputIndex: 0, index: 0, kind: 'summary' })),
    ...textPieces.map((delta): CodexEvent => ({ type: 'text-delta', delta, outputIndex: 1, contentIndex: 0 })),
    ...argPieces.map((_, i): CodexEvent => {
      const raw = argPieces.slice(0, i + 1).join('');
      return {
        type: 'tool-call-delta',
        toolCall: { id: 'call_1', name: 'read_file', input: i === argPieces.length - 1 ? call.input : {}, rawInputJson: raw },
      };
    }),
    {
      type: 'rate-limits',
      rateLimits: {
        limitId: 'codex',
        primary: { usedPercent: 3.5, windowMinutes: 300, resetsAt: 1767000000 },
        credits: { hasCredits: true, unlimited: false, balance: '0' },
        planType: 'plus',
      },
    },
    { type: 'tool-calls', toolCalls: [call] },
    { type: 'usage', usage: { inputTokens: 1200, outputTokens: 345, cacheReadInputTokens: 1024, reasoningTokens: 128 } },
    { type: 'content-block', block: { type: 'thinking', thinking: summaryPieces.join(''), id: 'rs_1', encryptedContent: encrypted } },
    { type: 'content-block', block: { type: 'text', text: textPieces.join('') } },
    { type: 'content-block', block: { type: 'tool_use', id: 'call_1', name: 'read_file', input: call.input } },
    { type: 'done', status: 'completed', responseId: 'resp_1' },
  ];
}

describe('parseResponseStream', () => {
  const body = bytes(transcript(realisticTurn()) + 'data: [DONE]\n\n');
  const expected = realisticExpectation();

  it('a realistic turn, fed whole: reasoning summary + encrypted content, non-ASCII text, a function call, usage', () => {
    const result = run([body]);
    expect(result.error).toBeUndefined();
    expect(result.events).toEqual(expected);
    expect(result.completed).toBe(true);
  });

  it('the same turn fed byte by byte gives the same events', () => {
    expect(run(byteByByte(body))).toEqual({ events: expected, completed: true });
  });

  it('the same turn split at every byte gives the same events', () => {
    // Compared as JSON (cheap) for each of the ~N splits; toEqual only to report a difference.
    const want = JSON.stringify({ events: expected, completed: true });
    let splits = 0;
    for (const chunks of everySplit(body)) {
      const result = run(chunks);
      splits += 1;
      if (JSON.stringify(result) !== want) {
        expect({ split: at(chunks, 0).length, ...result }).toEqual({ split: at(chunks, 0).length, events: expected, completed: true });
      }
    }
    expect(splits).toBe(body.length - 1);
  });

  it('CRLF and CR framing give the same events', () => {
    expect(run(chunksOf(bytes(transcript(realisticTurn(), '\r\n')), 5)).events).toEqual(expected);
    expect(run(chunksOf(bytes(transcript(realisticTurn(), '\r')), 3)).events).toEqual(expected);
  });

  it('a final terminal event without its blank line is still dispatched', () => {
    const text = transcript(realisticTurn()).replace(/\n\n$/, '\n');
    expect(run([bytes(text)]).events).toEqual(expected);
  });

  it('collectResponse folds the turn', () => {
    const results: CodexResult[] = [];
    from([body])
      .pipe(parseResponseStream(), collectResponse())
      .subscribe((r) => results.push(r));
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({
      responseId: 'resp_1',
      status: 'completed',
      text: textPieces.join(''),
      reasoning: summaryPieces.join(''),
      toolCalls: [{ id: 'call_1', name: 'read_file' }],
    });
  });

  it('is synchronous over a synchronous source: done is delivered when subscribe returns', () => {
    const seen: string[] = [];
    from(chunksOf(body, 64))
      .pipe(parseResponseStream())
      .subscribe((e) => seen.push(e.type));
    expect(seen[seen.length - 1]).toBe('done');
  });

  it('unsubscribes from the body at the terminal event (bytes after it are never read)', () => {
    const body$ = new Subject<Uint8Array>();
    const result: Run = { events: [], completed: false };
    body$
      .pipe(parseResponseStream())
      .subscribe({ next: (e) => result.events.push(e), error: (e) => (result.error = e), complete: () => (result.completed = true) });
    // The body goes on after the terminal event: another delta, then bytes that are not UTF-8.
    const tail = [bytes('data: {"type":"response.output_text.delta","delta":"after"}\n\n'), new Uint8Array([0xff, 0xfe])];
    const chunks = [...chunksOf(bytes(transcript(realisticTurn())), 100), ...tail];
    let pushed = 0;
    while (body$.observed && pushed < chunks.length) body$.next(at(chunks, pushed++));
    expect(result).toEqual({ events: expected, completed: true });
    expect(body$.observed).toBe(false);
    expect(pushed).toBe(chunks.length - tail.length);
  });

  it('validates its options when created', () => {
    expect(() => parseResponseStream({ onDiagnostic: 1 } as never)).toThrow(ConfigError);
    expect(() => parseResponseStream({ nope: true } as never)).toThrow(ConfigError);
  });

  describe('bad input', () => {
    const minimal = (...middle: Wire[]): Wire[] => [
      { type: 'response.created', response: { id: 'resp_b' } },
      ...middle,
      { type: 'response.completed', response: { id: 'resp_b' } },
    ];

    it('malformed JSON is skipped and reported; the turn still completes', () => {
      const diagnostics: Diagnostic[] = [];
      const text =
        frame({ type: 'response.created', response: { id: 'resp_b' } }) +
        'data: {"type":"response.output_text.delta","delta":"x"\n\n' +
        transcript(minimal().slice(1));
      const result = run(chunksOf(bytes(text), 7), (d) => diagnostics.push(d));
      expect(result.events).toEqual([{ type: 'done', status: 'completed', responseId: 'resp_b' }]);
      expect(diagnostics).toEqual([
        expect.objectContaining({ type: 'unparsable-json', count: 1, data: '{"type":"response.output_text.delta","delta":"x"' }),
      ]);
    });

    it('a wrongly typed known event is a ProtocolError, with the partial output', () => {
      const result = run([
        bytes(
          transcript([
            { type: 'response.output_text.delta', delta: 'ok' },
            { type: 'response.output_text.delta', delta: { text: 'not a string' } },
            { type: 'response.completed', response: { id: 'r' } },
          ]),
        ),
      ]);
      expect(result.error).toBeInstanceOf(ProtocolError);
      expect(result.error).toMatchObject({
        eventType: 'response.output_text.delta',
        issues: [expect.stringMatching(/^delta: /)],
        partial: { text: 'ok' },
      });
      expect(result.events).toEqual([{ type: 'text-delta', delta: 'ok', outputIndex: 0, contentIndex: 0 }]);
    });

    it('unknown events are passed over', () => {
      const result = run([
        bytes(
          transcript(
            minimal(
              { type: 'keepalive' },
              { type: 'codex.rate_limits', primary: null },
              { type: 'response.web_search_call.searching', item_id: 'ws', output_index: 0 },
              { type: 'response.output_text.delta', delta: 'x' },
            ),
          ),
        ),
      ]);
      expect(result.events.map((e) => e.type)).toEqual(['text-delta', 'content-block', 'done']);
    });

    it('a nested in-stream usage-limit error is a UsageLimitError', () => {
      const result = run([
        bytes(
          transcript(
            minimal({
              type: 'error',
              error: { type: 'usage_limit_reached', message: 'Limit reached.', plan_type: 'pro', resets_in_seconds: 90 },
            }),
          ),
        ),
      ]);
      expect(result.error).toBeInstanceOf(UsageLimitError);
      expect((result.error as Error).message).toBe('You have hit your ChatGPT usage limit (pro). Limit reached. Try again in ~2 min.');
    });

    it('a flat error event is a CodexStreamError', () => {
      const result = run([bytes(transcript(minimal({ type: 'error', code: 'server_error', message: 'Internal error', param: null })))]);
      expect(result.error).toBeInstanceOf(CodexStreamError);
      expect(result.error).toMatchObject({ message: 'Internal error', errorCode: 'server_error', eventType: 'error' });
    });

    it('response.failed is a CodexStreamError with its message', () => {
      const result = run([
        bytes(
          transcript([
            { type: 'response.output_text.delta', delta: 'a' },
            { type: 'response.failed', response: { id: 'resp_f', error: { code: 'server_error', message: 'Model crashed' } } },
          ]),
        ),
      ]);
      expect(result.error).toBeInstanceOf(CodexStreamError);
      expect(result.error).toMatchObject({
        message: 'Model crashed',
        eventType: 'response.failed',
        partial: { responseId: 'resp_f', text: 'a' },
      });
    });

    it('a body that ends before the terminal event is a StreamTruncatedError, and [DONE] is not terminal', () => {
      const text = transcript(realisticTurn().slice(0, 13)) + 'data: [DONE]\n\n';
      const result = run(chunksOf(bytes(text), 13));
      expect(result.error).toBeInstanceOf(StreamTruncatedError);
      expect((result.error as StreamTruncatedError).partial).toEqual({
        responseId: 'resp_1',
        text: textPieces.slice(0, 1).join(''),
        reasoning: summaryPieces.join(''),
        toolCalls: [],
      });
    });

    it('a body cut in the middle of an event is truncated too', () => {
      const full = transcript(minimal({ type: 'response.output_text.delta', delta: 'hello' }));
      const cut = full.slice(0, full.lastIndexOf('"response.completed"') + 5);
      const result = run([bytes(cut)]);
      expect(result.error).toBeInstanceOf(StreamTruncatedError);
      expect((result.error as StreamTruncatedError).partial?.text).toBe('hello');
    });

    it('invalid UTF-8 after some output errors with InvalidUtf8Error carrying the partial output', () => {
      const head = bytes(frame({ type: 'response.output_text.delta', delta: 'é' }));
      const result = run([head, new Uint8Array([0x64, 0x61, 0xc3, 0x28, 0x0a])]);
      expect(result.error).toBeInstanceOf(InvalidUtf8Error);
      expect((result.error as InvalidUtf8Error).partial).toEqual({ text: 'é', reasoning: '', toolCalls: [] });
    });

    it('a 1 MB delta arrives intact, whole and in 16 KiB chunks', () => {
      const big = 'ü😀abc'.repeat(Math.ceil((1024 * 1024) / 10));
      const body = bytes(
        transcript(minimal({ type: 'response.output_text.delta', item_id: 'm', output_index: 0, content_index: 0, delta: big })),
      );
      for (const chunks of [[body], chunksOf(body, 16 * 1024)]) {
        const result = run(chunks);
        expect(result.error).toBeUndefined();
        expect(result.events).toHaveLength(3);
        const delta = result.events[0] as Extract<CodexEvent, { type: 'text-delta' }>;
        expect(delta.delta.length).toBe(big.length);
        expect(delta.delta === big).toBe(true);
      }
    });
  });
});
