import { from, Subject } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { ProtocolError } from '../../src/errors.js';
import { expectConfigProblem } from '../helpers/configMessage.js';
import { parseResponseEvent, responseEvents } from '../../src/events/responseEvents.js';
import type { Diagnostic, SseMessage } from '../../src/types.js';
import { observableMatcher } from '../reduce/observableMatcher.js';

const msg = (payload: unknown, event?: string): SseMessage =>
  event === undefined ? { data: JSON.stringify(payload) } : { event, data: JSON.stringify(payload) };

const delta = { type: 'response.output_text.delta', item_id: 'msg_1', output_index: 0, content_index: 0, delta: 'Hi', sequence_number: 3 };
const completed = { type: 'response.completed', response: { id: 'resp_1', output: [], usage: null } };

describe('responseEvents', () => {
  let scheduler: TestScheduler;
  beforeEach(() => {
    scheduler = new TestScheduler(observableMatcher);
  });

  it('emits one typed event per message in the same frame and completes with the source', () => {
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('a--b|', { a: msg(delta, 'response.output_text.delta'), b: msg(completed) });
      expectObservable(source.pipe(responseEvents())).toBe('a--b|', { a: delta, b: completed });
      expectSubscriptions(source.subscriptions).toBe('^---!');
    });
  });

  it('skips empty data and [DONE]; neither ends the stream', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const source = cold('e-d-a-|', { e: { data: '' }, d: { data: '[DONE]' }, a: msg(delta) });
      expectObservable(source.pipe(responseEvents())).toBe('----a-|', { a: delta });
    });
  });

  it('valid JSON without a string type is ignored', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const source = cold('abcdef|', {
        a: { data: '{"no":"type"}' },
        b: { data: '{"type":7}' },
        c: { data: '[1,2]' },
        d: { data: 'null' },
        e: { data: '"response.completed"' },
        f: msg(delta),
      });
      expectObservable(source.pipe(responseEvents())).toBe('-----f|', { f: delta });
    });
  });

  it('unparsable JSON is skipped and reported with a running count', () => {
    const diagnostics: Diagnostic[] = [];
    scheduler.run(({ cold, expectObservable }) => {
      const source = cold('ab-c|', { a: { data: '{"type":' }, b: { data: 'not json' }, c: msg(delta) });
      expectObservable(source.pipe(responseEvents({ onDiagnostic: (d) => diagnostics.push(d) }))).toBe('---c|', { c: delta });
    });
    expect(diagnostics).toHaveLength(2);
    expect(diagnostics[0]).toMatchObject({ type: 'unparsable-json', data: '{"type":', count: 1 });
    expect(diagnostics[1]).toMatchObject({ type: 'unparsable-json', data: 'not json', count: 2 });
    expect(typeof (diagnostics[1] as { message: string }).message).toBe('string');
  });

  it('counts unparsable payloads per subscription', () => {
    const counts: number[] = [];
    const op = responseEvents({ onDiagnostic: (d) => counts.push((d as { count: number }).count) });
    const source = from([{ data: 'x' }, { data: 'y' }]);
    source.pipe(op).subscribe();
    source.pipe(op).subscribe();
    expect(counts).toEqual([1, 2, 1, 2]);
  });

  it('a throwing onDiagnostic errors the stream (not lost)', () => {
    const boom = new Error('hook failed');
    scheduler.run(({ cold, expectObservable }) => {
      const source = cold('a-b|', { a: { data: 'x' }, b: msg(delta) });
      const hooked = responseEvents({
        onDiagnostic: () => {
          throw boom;
        },
      });
      expectObservable(source.pipe(hooked)).toBe('#', undefined, boom);
    });
  });

  it('unknown types pass through untouched', () => {
    const keepalive = { type: 'keepalive', sequence_number: 1 };
    const rateLimits = { type: 'codex.rate_limits', primary: { used_percent: 12.5 } };
    const hosted = { type: 'response.web_search_call.searching', item_id: 'ws_1', output_index: 'weird' };
    scheduler.run(({ cold, expectObservable }) => {
      const source = cold('abc|', { a: msg(keepalive), b: msg(rateLimits), c: msg(hosted) });
      expectObservable(source.pipe(responseEvents())).toBe('abc|', { a: keepalive, b: rateLimits, c: hosted });
    });
  });

  it('a known event with wrongly typed fields is a ProtocolError with eventType and issues', () => {
    const expected = new ProtocolError(
      'OpenAI Codex sent a malformed "response.output_text.delta" event: delta: Invalid input: expected string, received number',
      { eventType: 'response.output_text.delta', issues: ['delta: Invalid input: expected string, received number'] },
    );
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('a-b-c|', { a: msg(delta), b: msg({ ...delta, delta: 42 }), c: msg(delta) });
      expectObservable(source.pipe(responseEvents())).toBe('a-#', { a: delta }, expected);
      expectSubscriptions(source.subscriptions).toBe('^-!');
    });
  });

  it('fills the defaults for missing fields of known events', () => {
    expect(parseResponseEvent({ type: 'response.output_text.done' })).toEqual({
      type: 'response.output_text.done',
      item_id: '',
      output_index: 0,
      content_index: 0,
      text: '',
    });
    expect(parseResponseEvent({ type: 'response.output_item.added', item: { type: 'function_call' } })).toMatchObject({
      output_index: 0,
      item: { type: 'function_call', id: '' },
    });
  });

  it('issues name the path of nested fields', () => {
    let error: unknown;
    try {
      parseResponseEvent({ type: 'response.completed', response: { incomplete_details: { reason: 5 } } });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as ProtocolError).eventType).toBe('response.completed');
    expect((error as ProtocolError).issues).toEqual([expect.stringMatching(/^response\.incomplete_details\.reason: /)]);
  });

  it('wrongly typed usage is read leniently, never a ProtocolError', () => {
    const event = parseResponseEvent({
      type: 'response.completed',
      response: {
        id: 'r',
        usage: {
          input_tokens: 'many',
          output_tokens: 1.5,
          input_tokens_details: 'x',
          output_tokens_details: { reasoning_tokens: -1 },
          total_tokens: 3,
        },
      },
    });
    expect(event).toEqual({
      type: 'response.completed',
      response: {
        id: 'r',
        usage: {
          input_tokens: undefined,
          output_tokens: undefined,
          input_tokens_details: undefined,
          output_tokens_details: { reasoning_tokens: undefined },
          total_tokens: 3,
        },
      },
    });
    expect(parseResponseEvent({ type: 'response.completed', response: { usage: 42 } })).toEqual({
      type: 'response.completed',
      response: { usage: undefined },
    });
  });

  it('is synchronous: an event is emitted in the call that delivers its message', () => {
    const subject = new Subject<SseMessage>();
    const seen: unknown[] = [];
    subject.pipe(responseEvents()).subscribe((e) => seen.push(e));
    subject.next(msg(delta));
    expect(seen).toEqual([delta]);
  });

  it('validates options at creation, each ConfigError saying what to change', () => {
    expectConfigProblem(() => responseEvents({ onDiagnostic: 'no' as never }), 'responseEvents option onDiagnostic must be a function');
    expectConfigProblem(
      () => responseEvents({ onDiagnostics: () => undefined } as never),
      'Unexpected responseEvents option: onDiagnostics',
    );
    expectConfigProblem(() => responseEvents(null as never), 'responseEvents options must be an object');
    expect(() => responseEvents()).not.toThrow();
    expect(() => responseEvents({})).not.toThrow();
  });
});
