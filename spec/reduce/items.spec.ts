import { CodexStreamError, StreamTruncatedError, UsageLimitError } from '../../src/errors.js';
import { from, tap } from 'rxjs';
import { reduceResponse } from '../../src/reduce/reduceResponse.js';
import { isRetryableError } from '../../src/retry/retryWithBackoff.js';
import type { CodexEvent } from '../../src/types.js';
import { at } from '../helpers/at.js';
import {
  argsDelta,
  argsDone,
  byType,
  collect,
  completed,
  created,
  ev,
  fcAdded,
  reasoningAdded,
  reasoningDelta,
  reasoningDone,
  reasoningItemDone,
  reduce,
  summaryDelta,
  summaryDone,
  textDelta,
  textDone,
} from './helpers.js';

const done = (extra: Partial<Extract<CodexEvent, { type: 'done' }>> = {}): CodexEvent => ({
  type: 'done',
  status: 'completed',
  responseId: 'resp_1',
  ...extra,
});

describe('reduceResponse: the stream state machine', () => {
  it('the terminal event ends processing; later events are never read', () => {
    const run = reduce([textDelta('a'), completed(), textDelta('late'), completed({ id: 'resp_2' })]);
    expect(run.completed).toBe(true);
    expect(run.events).toEqual([
      { type: 'text-delta', delta: 'a', outputIndex: 0, contentIndex: 0 },
      { type: 'content-block', block: { type: 'text', text: 'a' } },
      done(),
    ]);
  });

  it('input that ends before a terminal event is a StreamTruncatedError', () => {
    const run = reduce([created(), ev({ type: 'keepalive' })]);
    expect(run.error).toBeInstanceOf(StreamTruncatedError);
    expect((run.error as Error).message).toBe('OpenAI Codex stream ended before a terminal response event');
    // Nothing was emitted, so there is nothing to keep.
    expect((run.error as StreamTruncatedError).partial).toBeUndefined();
    expect(run.events).toEqual([]);
  });

  it('after the terminal event: tool-calls once, usage, content blocks, done', () => {
    const run = reduce([
      fcAdded('fc_1', 'call_1', 'read', 1),
      argsDone({ item_id: 'fc_1', arguments: '{"p":1}' }),
      fcAdded('fc_2', 'call_2', 'write', 2),
      argsDone({ item_id: 'fc_2', arguments: '{"q":2}' }),
      textDelta('hi'),
      completed({ id: 'resp_1', usage: { input_tokens: 5, output_tokens: 2 } }),
    ]);
    expect(run.events.map((e) => e.type)).toEqual([
      'text-delta',
      'tool-calls',
      'usage',
      'content-block',
      'content-block',
      'content-block',
      'done',
    ]);
    expect(at(byType(run.events, 'tool-calls'), 0).toolCalls.map((c) => c.id)).toEqual(['call_1', 'call_2']);
  });

  describe('error and response.error events', () => {
    it.each(['error', 'response.error'])('%s: nested error.message first, with eventType and errorCode', (type) => {
      const run = reduce([ev({ type, message: 'flat', error: { type: 'server_error', code: 'boom', message: 'nested' } })]);
      expect(run.error).toBeInstanceOf(CodexStreamError);
      expect(run.error).toMatchObject({ message: 'nested', eventType: type, errorCode: 'boom' });
    });

    it('flat shape: payload.message, code', () => {
      const run = reduce([ev({ type: 'error', code: 'server_error', message: 'The server had an error', param: null })]);
      expect(run.error).toBeInstanceOf(CodexStreamError);
      expect(run.error).toMatchObject({ message: 'The server had an error', eventType: 'error', errorCode: 'server_error' });
    });

    it('nested error without message falls back to payload.message, then to the fixed text', () => {
      expect((reduce([ev({ type: 'error', message: 'outer', error: { type: 'x' } })]).error as Error).message).toBe('outer');
      const run = reduce([ev({ type: 'response.error' })]);
      expect(run.error).toBeInstanceOf(CodexStreamError);
      expect((run.error as Error).message).toBe('OpenAI Codex stream returned an error event');
    });

    it('nested error.type is the errorCode when there is no code', () => {
      expect(reduce([ev({ type: 'error', error: { type: 'invalid_request_error', message: 'bad' } })]).error).toMatchObject({
        errorCode: 'invalid_request_error',
      });
    });
  });

  describe('error events of unusual shapes are read leniently: a CodexStreamError, never a ProtocolError', () => {
    const fallback = 'OpenAI Codex stream returned an error event';
    it.each([
      ['error a string', { type: 'error', error: 'boom' }, fallback],
      ['error a string, with payload.message', { type: 'error', error: 'boom', message: 'outer' }, 'outer'],
      ['error.message a number', { type: 'error', error: { message: 42 } }, fallback],
      ['error.message a number, with payload.message', { type: 'response.error', error: { message: 42 }, message: 'outer' }, 'outer'],
      ['payload.message a number', { type: 'error', message: 7 }, fallback],
      ['error an array, code an object', { type: 'error', error: ['x'], code: { a: 1 } }, fallback],
      ['error.code and error.type objects', { type: 'error', error: { code: {}, type: [], message: 'nested' } }, 'nested'],
    ])('error event with %s', (_label, payload, message) => {
      const run = reduce([textDelta('so far'), ev(payload)]);
      expect(run.error).toBeInstanceOf(CodexStreamError);
      expect(run.error).toMatchObject({ message, eventType: payload.type, errorCode: undefined });
      expect(isRetryableError(run.error)).toBe(true);
      expect((run.error as CodexStreamError).partial).toEqual({ text: 'so far', reasoning: '', toolCalls: [] });
    });

    it.each([
      ['response.error a string', { response: { id: 'resp_9', error: 'boom' } }],
      ['response.error.message a number', { response: { id: 'resp_9', error: { message: 3, code: 5 } } }],
      ['response a string', { response: 'failed' }],
      ['response.id a number', { response: { id: 9, error: null } }],
    ])('response.failed with %s → "OpenAI Codex response failed"', (_label, fields) => {
      const run = reduce([ev({ type: 'response.failed', ...fields })]);
      expect(run.error).toBeInstanceOf(CodexStreamError);
      expect(run.error).toMatchObject({ message: 'OpenAI Codex response failed', eventType: 'response.failed' });
      expect(isRetryableError(run.error)).toBe(true);
    });
  });

  it('response.failed uses response.error.message, else a fixed text', () => {
    const failed = reduce([
      ev({ type: 'response.failed', response: { id: 'resp_9', error: { code: 'server_error', message: 'It broke' } } }),
    ]);
    expect(failed.error).toBeInstanceOf(CodexStreamError);
    expect(failed.error).toMatchObject({ message: 'It broke', eventType: 'response.failed', errorCode: 'server_error' });
    const bare = reduce([ev({ type: 'response.failed', response: { id: 'resp_9', error: null } })]);
    expect(bare.error).toBeInstanceOf(CodexStreamError);
    expect((bare.error as Error).message).toBe('OpenAI Codex response failed');
    expect((reduce([ev({ type: 'response.failed' })]).error as Error).message).toBe('OpenAI Codex response failed');
  });

  it('only function_call items with a non-empty id give metadata', () => {
    const run = reduce([
      fcAdded('', 'call_x', 'nameless'),
      argsDelta('', '{}'),
      ev({ type: 'response.output_item.added', output_index: 0, item: { type: 'message', id: 'msg_1' } }),
      argsDelta('msg_1', '{}'),
      fcAdded('fc_1', 'call_1', 'read_file', 3),
      argsDelta('fc_1', '{"a"'),
      completed(),
    ]);
    expect(byType(run.events, 'tool-call-delta')).toEqual([
      { type: 'tool-call-delta', toolCall: { id: 'call_1', name: 'read_file', input: {}, rawInputJson: '{"a"' } },
    ]);
  });

  it('each text delta is emitted at once with its indices, even an empty one', () => {
    const run = reduce([textDelta('He', 1, 2), textDelta('', 1, 2), textDelta('llo', 1, 2), completed()]);
    expect(byType(run.events, 'text-delta')).toEqual([
      { type: 'text-delta', delta: 'He', outputIndex: 1, contentIndex: 2 },
      { type: 'text-delta', delta: '', outputIndex: 1, contentIndex: 2 },
      { type: 'text-delta', delta: 'llo', outputIndex: 1, contentIndex: 2 },
    ]);
    expect(byType(run.events, 'content-block')).toEqual([{ type: 'content-block', block: { type: 'text', text: 'Hello' } }]);
  });

  it('output_text.done emits its text only when nothing was streamed for its part', () => {
    const run = reduce([
      textDelta('streamed', 0, 0),
      textDone('streamed', 0, 0), // already streamed: no duplicate
      textDone('only done', 1, 0), // never streamed: emitted once
      textDone('only done', 1, 0), // second done: key now streamed
      textDone('', 2, 0), // empty: nothing
      completed(),
    ]);
    expect(byType(run.events, 'text-delta').map((e) => [e.delta, e.outputIndex])).toEqual([
      ['streamed', 0],
      ['only done', 1],
    ]);
    expect(byType(run.events, 'content-block').map((e) => e.block)).toEqual([
      { type: 'text', text: 'streamed' },
      { type: 'text', text: 'only done' },
    ]);
  });

  it('a .done never replaces text that streamed', () => {
    const run = reduce([textDelta('abc'), textDone('something else'), completed()]);
    expect(at(byType(run.events, 'content-block'), 0).block).toEqual({ type: 'text', text: 'abc' });
  });

  it('reasoning_text delta and done behave as text but give thinking blocks', () => {
    const run = reduce([reasoningDelta('think', 0, 0), reasoningDone('think', 0, 0), reasoningDone('other', 0, 1), completed()]);
    expect(byType(run.events, 'reasoning-delta')).toEqual([
      { type: 'reasoning-delta', delta: 'think', outputIndex: 0, index: 0, kind: 'text' },
      { type: 'reasoning-delta', delta: 'other', outputIndex: 0, index: 1, kind: 'text' },
    ]);
    expect(byType(run.events, 'content-block').map((e) => e.block)).toEqual([
      { type: 'thinking', thinking: 'think' },
      { type: 'thinking', thinking: 'other' },
    ]);
  });

  it('summaries are kept apart from reasoning text at the same indices', () => {
    const run = reduce([
      reasoningDelta('raw', 0, 0),
      summaryDelta('sum', 0, 0),
      summaryDone('sum', 0, 0),
      reasoningDone('raw', 0, 0),
      completed(),
    ]);
    expect(byType(run.events, 'reasoning-delta').map((e) => [e.delta, e.kind])).toEqual([
      ['raw', 'text'],
      ['sum', 'summary'],
    ]);
    expect(byType(run.events, 'content-block').map((e) => e.block)).toEqual([
      { type: 'thinking', thinking: 'raw' },
      { type: 'thinking', thinking: 'sum' },
    ]);
  });

  it('a partial call per argument delta when metadata exists; input {} until the JSON is whole', () => {
    const run = reduce([
      argsDelta('fc_0', '{"x":1}'), // no metadata: buffered, no event
      fcAdded('fc_1', 'call_1', 'read_file'),
      argsDelta('fc_1', '{"path":'),
      argsDelta('fc_1', '"src/lib.rs"'),
      argsDelta('fc_1', '}'),
      completed(),
    ]);
    expect(byType(run.events, 'tool-call-delta').map((e) => e.toolCall)).toEqual([
      { id: 'call_1', name: 'read_file', input: {}, rawInputJson: '{"path":' },
      { id: 'call_1', name: 'read_file', input: {}, rawInputJson: '{"path":"src/lib.rs"' },
      { id: 'call_1', name: 'read_file', input: { path: 'src/lib.rs' }, rawInputJson: '{"path":"src/lib.rs"}' },
    ]);
    // Partial calls are not completed calls.
    expect(byType(run.events, 'tool-calls')).toEqual([]);
  });

  describe('function_call_arguments.done', () => {
    it('arguments from the payload, else the buffer, else "{}"', () => {
      const run = reduce([
        fcAdded('fc_1', 'call_1', 'a'),
        argsDelta('fc_1', '{"buffered":true}'),
        argsDone({ item_id: 'fc_1', arguments: '{"payload":true}' }),
        fcAdded('fc_2', 'call_2', 'b'),
        argsDelta('fc_2', '{"buffered":2}'),
        argsDone({ item_id: 'fc_2' }),
        fcAdded('fc_3', 'call_3', 'c'),
        argsDone({ item_id: 'fc_3' }),
        completed(),
      ]);
      expect(at(byType(run.events, 'tool-calls'), 0).toolCalls).toEqual([
        { id: 'call_1', name: 'a', input: { payload: true }, rawInputJson: '{"payload":true}' },
        { id: 'call_2', name: 'b', input: { buffered: 2 }, rawInputJson: '{"buffered":2}' },
        { id: 'call_3', name: 'c', input: {}, rawInputJson: '{}' },
      ]);
    });

    it('text after the first complete JSON value makes the final input {} and reports inputError', () => {
      const run = reduce([
        fcAdded('fc_1', 'call_1', 'a'),
        argsDelta('fc_1', '{"a":1}'),
        argsDelta('fc_1', '{"b":2}'),
        argsDone({ item_id: 'fc_1' }), // the buffer
        fcAdded('fc_2', 'call_2', 'b'),
        argsDelta('fc_2', '{"a":1}'),
        argsDelta('fc_2', 'garbage'),
        argsDone({ item_id: 'fc_2', arguments: '{"a":1}garbage' }), // the payload, equal to the buffer
        completed(),
      ]);
      expect(at(byType(run.events, 'tool-calls'), 0).toolCalls).toEqual([
        { id: 'call_1', name: 'a', input: {}, rawInputJson: '{"a":1}{"b":2}', inputError: expect.stringContaining('not valid JSON') },
        { id: 'call_2', name: 'b', input: {}, rawInputJson: '{"a":1}garbage', inputError: expect.stringContaining('not valid JSON') },
      ]);
      expect(byType(run.events, 'content-block').map((e) => e.block)).toEqual([
        { type: 'tool_use', id: 'call_1', name: 'a', input: {} },
        { type: 'tool_use', id: 'call_2', name: 'b', input: {} },
      ]);
      // A partial call's input is the parsed buffer or {}: no longer the first value once text follows it.
      expect(byType(run.events, 'tool-call-delta').map((e) => e.toolCall.input)).toEqual([{ a: 1 }, {}, { a: 1 }, {}]);
    });

    it('id and name: payload call_id (+ payload name), else stored metadata, else the item id', () => {
      const run = reduce([
        fcAdded('fc_1', 'call_meta', 'meta_name'),
        argsDone({ item_id: 'fc_1', call_id: 'call_payload', arguments: '{}' }), // payload wins, name from payload ("")
        argsDone({ item_id: 'fc_1', arguments: '{}' }), // metadata
        argsDone({ item_id: 'fc_unknown', name: 'n', arguments: 'not json' }), // item id; unparsable → {}
        completed(),
      ]);
      expect(at(byType(run.events, 'tool-calls'), 0).toolCalls).toEqual([
        { id: 'call_payload', name: '', input: {}, rawInputJson: '{}' },
        { id: 'call_meta', name: 'meta_name', input: {}, rawInputJson: '{}' },
        { id: 'fc_unknown', name: 'n', input: {}, rawInputJson: 'not json', inputError: expect.stringContaining('not valid JSON') },
      ]);
    });

    it('no de-duplication: the same call completed twice is reported twice', () => {
      const run = reduce([
        fcAdded('fc_1', 'call_1', 'a'),
        argsDone({ item_id: 'fc_1', arguments: '{}' }),
        argsDone({ item_id: 'fc_1', arguments: '{}' }),
        completed(),
      ]);
      expect(at(byType(run.events, 'tool-calls'), 0).toolCalls).toHaveLength(2);
      expect(byType(run.events, 'content-block')).toHaveLength(2);
    });

    it('output_item.added then arguments.done gives one completed call', () => {
      const run = reduce([
        fcAdded('fc_1', 'call_1', 'read_file', 1),
        argsDone({ item_id: 'fc_1', arguments: '{"path":"src/lib.rs"}' }),
        completed(),
      ]);
      expect(byType(run.events, 'tool-calls')).toEqual([
        {
          type: 'tool-calls',
          toolCalls: [{ id: 'call_1', name: 'read_file', input: { path: 'src/lib.rs' }, rawInputJson: '{"path":"src/lib.rs"}' }],
        },
      ]);
    });
  });

  describe('terminal events', () => {
    it.each(['response.completed', 'response.done', 'response.incomplete'])('%s is terminal and sets id and usage', (type) => {
      const run = reduce([ev({ type, response: { id: 'resp_t', usage: { input_tokens: 3 } } }), textDelta('never')]);
      expect(run.completed).toBe(true);
      expect(byType(run.events, 'usage')).toEqual([{ type: 'usage', usage: { inputTokens: 3, outputTokens: 0 } }]);
      expect(at(byType(run.events, 'done'), 0).responseId).toBe('resp_t');
      expect(byType(run.events, 'text-delta')).toEqual([]);
    });

    it("done.responseId is the terminal response's id only, never response.created's", () => {
      const withId = reduce([created('resp_created'), textDelta('x'), completed({ id: 'resp_final' })]);
      expect(withId.events.at(-1)).toEqual({ type: 'done', status: 'completed', responseId: 'resp_final' });
      const withoutId = reduce([created('resp_created'), textDelta('x'), completed({ output: [] })]);
      expect(withoutId.events.at(-1)).toEqual({ type: 'done', status: 'completed' });
      const noResponse = reduce([created('resp_created'), textDelta('x'), ev({ type: 'response.done' })]);
      expect(noResponse.events.at(-1)).toEqual({ type: 'done', status: 'completed' });
      const nullResponse = reduce([created('resp_created'), ev({ type: 'response.incomplete', response: null })]);
      expect(nullResponse.events.at(-1)).toEqual({ type: 'done', status: 'incomplete' });
      // partial.responseId on an error is codex-rx's own field: response.created's id still serves.
      const failed = reduce([created('resp_created'), textDelta('x'), ev({ type: 'error', message: 'm' })]);
      expect((failed.error as CodexStreamError).partial?.responseId).toBe('resp_created');
    });

    it('is terminal even without a response object', () => {
      const run = reduce([ev({ type: 'response.done' })]);
      expect(run.events).toEqual([{ type: 'done', status: 'completed' }]);
      expect(run.completed).toBe(true);
    });

    it('a delta without indices, then response.incomplete with usage', () => {
      const run = reduce([
        ev({ type: 'response.output_text.delta', delta: 'Hello' }),
        ev({ type: 'response.incomplete', response: { usage: { input_tokens: 1, output_tokens: 2 } } }),
      ]);
      expect(run.events[0]).toEqual({ type: 'text-delta', delta: 'Hello', outputIndex: 0, contentIndex: 0 });
      expect(byType(run.events, 'usage')).toHaveLength(1);
      expect(run.completed).toBe(true);
    });
  });

  it('other event types are ignored', () => {
    const run = reduce([
      ev({ type: 'keepalive' }),
      ev({ type: 'codex.rate_limits', primary: {} }),
      ev({ type: 'response.content_part.added', item_id: 'm', output_index: 0, content_index: 0, part: { type: 'output_text', text: '' } }),
      ev({ type: 'response.reasoning_summary_part.added', output_index: 0, summary_index: 0 }),
      completed(),
    ]);
    expect(run.events).toEqual([done()]);
  });

  it('blocks in first-registration order across kinds, not by output_index', () => {
    const run = reduce([
      textDelta('text at 3', 3, 0),
      summaryDelta('summary at 0', 0, 0),
      fcAdded('fc_1', 'call_1', 'tool', 1),
      argsDone({ item_id: 'fc_1', arguments: '{}' }),
      textDelta('more text at 3', 3, 0), // already registered: stays first
      reasoningDelta('reasoning at 0', 0, 0),
      completed(),
    ]);
    expect(byType(run.events, 'content-block').map((e) => e.block)).toEqual([
      { type: 'text', text: 'text at 3more text at 3' },
      { type: 'thinking', thinking: 'summary at 0' },
      { type: 'tool_use', id: 'call_1', name: 'tool', input: {} },
      { type: 'thinking', thinking: 'reasoning at 0' },
    ]);
  });

  it('empty parts give no block', () => {
    const run = reduce([textDelta('', 0, 0), textDone('', 1, 0), summaryDone('', 0, 0), reasoningDelta('', 0, 0), completed()]);
    expect(byType(run.events, 'content-block')).toEqual([]);
  });

  it('usage needs an integer input_tokens', () => {
    expect(byType(reduce([completed({ id: 'r', usage: { output_tokens: 5 } })]).events, 'usage')).toEqual([]);
    expect(byType(reduce([completed({ id: 'r', usage: null })]).events, 'usage')).toEqual([]);
    expect(byType(reduce([completed({ id: 'r' })]).events, 'usage')).toEqual([]);
  });

  it('output tokens default to 0; cached and reasoning tokens only when > 0', () => {
    const full = reduce([
      completed({
        id: 'r',
        usage: {
          input_tokens: 100,
          output_tokens: 50,
          input_tokens_details: { cached_tokens: 25 },
          output_tokens_details: { reasoning_tokens: 10 },
          total_tokens: 150,
        },
      }),
    ]);
    expect(at(byType(full.events, 'usage'), 0).usage).toEqual({
      inputTokens: 100,
      outputTokens: 50,
      cacheReadInputTokens: 25,
      reasoningTokens: 10,
    });
    const zeros = reduce([
      completed({
        id: 'r',
        usage: { input_tokens: 7, input_tokens_details: { cached_tokens: 0 }, output_tokens_details: { reasoning_tokens: 0 } },
      }),
    ]);
    expect(at(byType(zeros.events, 'usage'), 0).usage).toEqual({ inputTokens: 7, outputTokens: 0 });
  });
  describe('wrongly typed usage is no usage (or a default), never a ProtocolError', () => {
    it.each([1.5, -1, '10', null, true, { n: 1 }])('input_tokens %p → no usage event, and the turn still succeeds', (inputTokens) => {
      const run = reduce([textDelta('hi'), completed({ id: 'r', usage: { input_tokens: inputTokens, output_tokens: 5 } })]);
      expect(run.error).toBeUndefined();
      expect(run.completed).toBe(true);
      expect(byType(run.events, 'usage')).toEqual([]);
      expect(run.events.at(-1)).toEqual({ type: 'done', status: 'completed', responseId: 'r' });
    });

    it.each([1.5, -3, '5', null])('output_tokens %p → 0', (outputTokens) => {
      const run = reduce([completed({ id: 'r', usage: { input_tokens: 4, output_tokens: outputTokens } })]);
      expect(run.error).toBeUndefined();
      expect(at(byType(run.events, 'usage'), 0).usage).toEqual({ inputTokens: 4, outputTokens: 0 });
    });

    it.each([2.5, -2, '7', null, 0])('cached / reasoning tokens %p → absent', (tokens) => {
      const run = reduce([
        completed({
          id: 'r',
          usage: {
            input_tokens: 4,
            output_tokens: 2,
            input_tokens_details: { cached_tokens: tokens },
            output_tokens_details: { reasoning_tokens: tokens },
          },
        }),
      ]);
      expect(run.error).toBeUndefined();
      expect(at(byType(run.events, 'usage'), 0).usage).toEqual({ inputTokens: 4, outputTokens: 2 });
    });

    it('a usage or details member that is not an object is read as missing', () => {
      expect(byType(reduce([completed({ id: 'r', usage: 'lots' })]).events, 'usage')).toEqual([]);
      expect(byType(reduce([completed({ id: 'r', usage: [1, 2] })]).events, 'usage')).toEqual([]);
      const run = reduce([completed({ id: 'r', usage: { input_tokens: 3, input_tokens_details: 'x', output_tokens_details: 9 } })]);
      expect(at(byType(run.events, 'usage'), 0).usage).toEqual({ inputTokens: 3, outputTokens: 0 });
    });
  });
});

describe('reduceResponse: where codex-rx goes beyond the Rust client', () => {
  it('completes at the terminal event, without waiting for [DONE] or the end of input', () => {
    // (The marble spec shows upstream is unsubscribed at that frame.)
    const run = reduce([completed()]);
    expect(run.completed).toBe(true);
  });

  describe('in-stream usage limits, nested and flat', () => {
    it('nested error with plan and reset → UsageLimitError', () => {
      const run = reduce([
        textDelta('partial answer'),
        ev({
          type: 'error',
          error: {
            type: 'usage_limit_reached',
            message: 'The usage limit has been reached',
            plan_type: 'Plus',
            resets_at: 1_900_000_000,
            resets_in_seconds: 1800,
          },
        }),
      ]);
      expect(run.error).toBeInstanceOf(UsageLimitError);
      expect(run.error).toMatchObject({
        message: 'You have hit your ChatGPT usage limit (plus). The usage limit has been reached Try again in ~30 min.',
        planType: 'plus',
        resetsAt: 1_900_000_000,
        resetsInSeconds: 1800,
        partial: { text: 'partial answer', reasoning: '', toolCalls: [] },
      });
      expect((run.error as UsageLimitError).status).toBeUndefined();
    });

    it.each(['usage_limit_reached', 'usage_not_included', 'insufficient_quota'])('flat code %s → UsageLimitError', (code) => {
      const run = reduce([ev({ type: 'response.error', code, message: 'No quota' })]);
      expect(run.error).toBeInstanceOf(UsageLimitError);
      expect((run.error as Error).message).toBe('You have hit your ChatGPT usage limit. No quota');
    });

    it('rate_limit_exceeded in-stream stays a CodexStreamError (retryable)', () => {
      const run = reduce([ev({ type: 'error', error: { code: 'rate_limit_exceeded', message: 'slow down' } })]);
      expect(run.error).toBeInstanceOf(CodexStreamError);
      expect(run.error).not.toBeInstanceOf(UsageLimitError);
    });

    it('response.failed with a usage-limit code is a UsageLimitError too', () => {
      const run = reduce([
        ev({
          type: 'response.failed',
          response: { id: 'resp_q', error: { code: 'insufficient_quota', message: 'You exceeded your current quota' } },
        }),
      ]);
      expect(run.error).toBeInstanceOf(UsageLimitError);
      expect((run.error as Error).message).toBe('You have hit your ChatGPT usage limit. You exceeded your current quota');
    });
  });

  describe('encrypted reasoning', () => {
    it('captured from output_item.done; the first summary part carries id and encryptedContent', () => {
      const run = reduce([
        reasoningAdded('rs_A', 0),
        summaryDelta('part one', 0, 0),
        summaryDelta('part two', 0, 1),
        reasoningItemDone('rs_A', 'ENC_A', 0),
        textDelta('answer', 1, 0),
        completed(),
      ]);
      expect(byType(run.events, 'content-block').map((e) => e.block)).toEqual([
        { type: 'thinking', thinking: 'part one', id: 'rs_A', encryptedContent: 'ENC_A' },
        { type: 'thinking', thinking: 'part two' },
        { type: 'text', text: 'answer' },
      ]);
    });

    it("the added item's preliminary encrypted content is not kept; done's wins over the final output's", () => {
      const added = ev({
        type: 'response.output_item.added',
        output_index: 0,
        item: { type: 'reasoning', id: 'rs_G', encrypted_content: 'ENC_EARLY' },
      });
      const early = reduce([added, textDelta('a', 1), completed()]);
      // Nothing but the preliminary blob: no block (it predates the reasoning).
      expect(byType(early.events, 'content-block').map((e) => e.block)).toEqual([{ type: 'text', text: 'a' }]);
      const run = reduce([
        added,
        reasoningItemDone('rs_G', 'ENC_DONE', 0),
        completed({ id: 'resp_1', output: [{ type: 'reasoning', id: 'rs_G', encrypted_content: 'ENC_FINAL' }] }),
      ]);
      expect(at(byType(run.events, 'content-block'), 0).block).toEqual({
        type: 'thinking',
        thinking: '',
        id: 'rs_G',
        encryptedContent: 'ENC_DONE',
      });
      const finalOnly = reduce([
        added,
        completed({ id: 'resp_1', output: [{ type: 'reasoning', id: 'rs_G', encrypted_content: 'ENC_FINAL' }] }),
      ]);
      expect(at(byType(finalOnly.events, 'content-block'), 0).block).toEqual({
        type: 'thinking',
        thinking: '',
        id: 'rs_G',
        encryptedContent: 'ENC_FINAL',
      });
    });

    it('encrypted reasoning without text still yields a block, where the item was first seen', () => {
      const run = reduce([reasoningAdded('rs_B', 0), textDelta('answer', 1, 0), reasoningItemDone('rs_B', 'ENC_B', 0), completed()]);
      expect(byType(run.events, 'content-block').map((e) => e.block)).toEqual([
        { type: 'thinking', thinking: '', id: 'rs_B', encryptedContent: 'ENC_B' },
        { type: 'text', text: 'answer' },
      ]);
    });

    it('an output_item.done without output_index is matched to its item by id, not stored at index 0', () => {
      const run = reduce([
        reasoningAdded('rs_A', 2),
        summaryDelta('thought', 2),
        ev({ type: 'response.output_item.done', item: { type: 'reasoning', id: 'rs_A', summary: [], encrypted_content: 'enc_A' } }),
        completed(),
      ]);
      expect(byType(run.events, 'content-block').map((e) => e.block)).toEqual([
        { type: 'thinking', thinking: 'thought', id: 'rs_A', encryptedContent: 'enc_A' },
      ]);
    });

    it('backfilled from response.completed.response.output', () => {
      const run = reduce([
        reasoningAdded('rs_C', 0),
        summaryDelta('why', 0, 0),
        textDelta('answer', 1, 0),
        completed({
          id: 'resp_1',
          output: [
            { type: 'reasoning', id: 'rs_C', summary: [{ type: 'summary_text', text: 'why' }], encrypted_content: 'ENC_C' },
            { type: 'message', id: 'msg_1', content: [] },
          ],
        }),
      ]);
      expect(at(byType(run.events, 'content-block'), 0).block).toEqual({
        type: 'thinking',
        thinking: 'why',
        id: 'rs_C',
        encryptedContent: 'ENC_C',
      });
    });

    it('a reasoning item seen only in the final output is appended at the end', () => {
      const run = reduce([
        textDelta('answer', 1, 0),
        completed({ id: 'resp_1', output: [{ type: 'reasoning', id: 'rs_D', encrypted_content: 'ENC_D' }, { type: 'message' }] }),
      ]);
      expect(byType(run.events, 'content-block').map((e) => e.block)).toEqual([
        { type: 'text', text: 'answer' },
        { type: 'thinking', thinking: '', id: 'rs_D', encryptedContent: 'ENC_D' },
      ]);
    });

    it('a reasoning item without encrypted content and without text gives no block; with text its id is kept', () => {
      expect(
        byType(reduce([reasoningAdded('rs_E', 0), reasoningItemDone('rs_E', undefined, 0), completed()]).events, 'content-block'),
      ).toEqual([]);
      const withText = reduce([reasoningAdded('rs_F', 0), reasoningDelta('raw', 0, 0), completed()]);
      expect(at(byType(withText.events, 'content-block'), 0).block).toEqual({ type: 'thinking', thinking: 'raw', id: 'rs_F' });
    });
  });

  describe('response.incomplete', () => {
    it('done has status incomplete and the reason', () => {
      const run = reduce([
        textDelta('cut'),
        ev({
          type: 'response.incomplete',
          response: { id: 'resp_1', status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } },
        }),
      ]);
      expect(run.events[run.events.length - 1]).toEqual({
        type: 'done',
        status: 'incomplete',
        responseId: 'resp_1',
        incompleteReason: 'max_output_tokens',
      });
    });

    it('response.output null is tolerated', () => {
      const run = reduce([ev({ type: 'response.incomplete', response: { id: 'resp_1', output: null, incomplete_details: null } })]);
      expect(run.events).toEqual([{ type: 'done', status: 'incomplete', responseId: 'resp_1' }]);
    });

    it('response.done whose response says incomplete is incomplete too', () => {
      const run = reduce([
        ev({ type: 'response.done', response: { status: 'incomplete', incomplete_details: { reason: 'content_filter' } } }),
      ]);
      expect(run.events).toEqual([{ type: 'done', status: 'incomplete', incompleteReason: 'content_filter' }]);
    });
  });

  describe('partial tool calls in linear time', () => {
    afterEach(() => jest.restoreAllMocks());

    it('parses the argument buffer once, when it closes, not on every delta', () => {
      const pieces = ['{"code":"', ...Array.from({ length: 2000 }, (_, i) => `function f${i}() { return [${i}]; }\\n`), '"}'];
      const events = [
        fcAdded('fc_1', 'call_1', 'write'),
        ...pieces.map((p) => argsDelta('fc_1', p)),
        argsDone({ item_id: 'fc_1' }),
        completed(),
      ];
      const parse = jest.spyOn(JSON, 'parse');
      const run = reduce(events);
      // Once when the buffer closes, once for the final arguments, once for the
      // tool_use block's own copy: a constant per call, not one per delta.
      expect(parse.mock.calls.length).toBe(3);
      const deltas = byType(run.events, 'tool-call-delta');
      expect(deltas).toHaveLength(pieces.length);
      const whole = pieces.join('');
      expect(at(deltas, deltas.length - 1).toolCall).toEqual({
        id: 'call_1',
        name: 'write',
        input: JSON.parse(whole),
        rawInputJson: whole,
      });
      expect(at(deltas, deltas.length - 2).toolCall.input).toEqual({});
      expect(at(at(byType(run.events, 'tool-calls'), 0).toolCalls, 0).input).toEqual(JSON.parse(whole));
    });

    it('emitted tool calls share no mutable objects (a consumer mutating one changes no other)', () => {
      const events = [
        fcAdded('fc_1', 'call_1', 'edit'),
        argsDelta('fc_1', '{"path":"a.ts",'),
        argsDelta('fc_1', '"ops":[1]}'),
        argsDelta('fc_1', ' '), // whitespace after the closed value: still whole
        argsDone({ item_id: 'fc_1' }),
        completed(),
      ];
      const seen: CodexEvent[] = [];
      const run = collect(
        from(events).pipe(
          reduceResponse(),
          tap((e) => {
            seen.push(e);
            // A consumer that edits what it receives, as soon as it receives it.
            if (e.type === 'tool-call-delta') (e.toolCall.input as Record<string, unknown>).path = 'mutated-by-delta';
            if (e.type === 'tool-calls') (at(e.toolCalls, 0).input as { ops: number[] }).ops.push(99);
          }),
        ),
      );
      expect(run.completed).toBe(true);
      const deltas = byType(seen, 'tool-call-delta');
      expect(deltas).toHaveLength(3);
      expect(at(deltas, 1).toolCall.input).not.toBe(at(deltas, 2).toolCall.input);
      expect(at(deltas, 2).toolCall.input).toEqual({ path: 'mutated-by-delta', ops: [1] });
      const final = at(at(byType(seen, 'tool-calls'), 0).toolCalls, 0);
      expect(final.input).toEqual({ path: 'a.ts', ops: [1, 99] });
      const block = at(byType(seen, 'content-block'), 0).block;
      expect(block).toEqual({ type: 'tool_use', id: 'call_1', name: 'edit', input: { path: 'a.ts', ops: [1] } });
    });

    it('rawInputJson is the raw text so far; a bracket inside a string does not fool it', () => {
      const run = reduce([fcAdded('fc_1', 'c', 'n'), argsDelta('fc_1', '{"s":"}'), argsDelta('fc_1', '"}')]);
      const deltas = byType(run.events, 'tool-call-delta').map((e) => e.toolCall);
      expect(deltas.map((c) => c.rawInputJson)).toEqual(['{"s":"}', '{"s":"}"}']);
      expect(deltas.map((c) => c.input)).toEqual([{}, { s: '}' }]);
    });
  });

  describe('partial state on errors', () => {
    it('a stream error after output carries text, reasoning, completed tool calls and the response id', () => {
      const run = reduce([
        created('resp_P'),
        summaryDelta('thinking '),
        textDelta('Hello '),
        textDelta('wor'),
        fcAdded('fc_1', 'call_1', 'tool'),
        argsDone({ item_id: 'fc_1', arguments: '{"a":1}' }),
        ev({ type: 'error', message: 'stream broke' }),
      ]);
      expect(run.error).toBeInstanceOf(CodexStreamError);
      expect((run.error as CodexStreamError).partial).toEqual({
        responseId: 'resp_P',
        text: 'Hello wor',
        reasoning: 'thinking ',
        toolCalls: [{ id: 'call_1', name: 'tool', input: { a: 1 }, rawInputJson: '{"a":1}' }],
      });
    });

    it('partial text and reasoning are everything emitted, in order, across interleaved keys and .done events', () => {
      // After every prefix of this stream, partial.text / .reasoning equal the concatenated emitted deltas.
      const events = [
        textDelta('A1', 0, 0),
        summaryDelta('r1', 1, 0),
        textDelta('A2', 0, 0),
        textDelta('', 2, 0),
        textDone('not emitted: nothing streamed but empty', 2, 0),
        textDelta('B1', 2, 0),
        textDone('C', 3, 0),
        textDelta('C2', 3, 0),
        summaryDelta('r2', 1, 0),
        reasoningDone('R', 4, 0),
        summaryDone('ignored', 1, 0),
        textDelta('A3', 0, 0),
      ];
      for (let n = 1; n <= events.length; n++) {
        const run = reduce([...events.slice(0, n), ev({ type: 'error', message: 'x' })]);
        const text = byType(run.events, 'text-delta')
          .map((e) => e.delta)
          .join('');
        const reasoning = byType(run.events, 'reasoning-delta')
          .map((e) => e.delta)
          .join('');
        expect((run.error as CodexStreamError).partial).toEqual({ text, reasoning, toolCalls: [] });
      }
      const all = reduce([...events, ev({ type: 'error', message: 'x' })]);
      expect((all.error as CodexStreamError).partial).toEqual({ text: 'A1A2B1CC2A3', reasoning: 'r1r2R', toolCalls: [] });
    });

    it('a truncated stream after output carries the partial state', () => {
      const run = reduce([textDelta('so far')]);
      expect(run.error).toBeInstanceOf(StreamTruncatedError);
      expect((run.error as StreamTruncatedError).partial).toEqual({ text: 'so far', reasoning: '', toolCalls: [] });
    });

    it('no partial when nothing was emitted', () => {
      const run = reduce([created('resp_1'), ev({ type: 'error', message: 'x' })]);
      expect(run.error).toBeInstanceOf(CodexStreamError);
      expect((run.error as CodexStreamError).partial).toBeUndefined();
    });
  });
});
