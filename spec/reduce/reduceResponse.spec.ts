import { defer, from, of, retry, Subject, tap, throwError } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { CodexStreamError, IdleTimeoutError, InvalidUtf8Error, StreamTruncatedError } from '../../src/errors.js';
import type { ResponseStreamEvent } from '../../src/events/schemas.js';
import { reduceResponse } from '../../src/reduce/reduceResponse.js';
import type { CodexEvent } from '../../src/types.js';
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
  reasoningItemDone,
  reduce,
  summaryDelta,
  summaryDone,
  textDelta,
  textDone,
} from './helpers.js';
import { observableMatcher } from './observableMatcher.js';

const a = textDelta('Hel');
const b = textDelta('lo');
const t = completed({ id: 'resp_1', usage: { input_tokens: 4, output_tokens: 2 } });

const A: CodexEvent = { type: 'text-delta', delta: 'Hel', outputIndex: 0, contentIndex: 0 };
const B: CodexEvent = { type: 'text-delta', delta: 'lo', outputIndex: 0, contentIndex: 0 };
const U: CodexEvent = { type: 'usage', usage: { inputTokens: 4, outputTokens: 2 } };
const K: CodexEvent = { type: 'content-block', block: { type: 'text', text: 'Hello' } };
const D: CodexEvent = { type: 'done', status: 'completed', responseId: 'resp_1' };

describe('reduceResponse (marbles)', () => {
  let scheduler: TestScheduler;
  beforeEach(() => {
    scheduler = new TestScheduler(observableMatcher);
  });

  it('emits deltas in their frame and the terminal batch in the terminal frame, then completes', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const source = cold('-a-b--t-|', { a, b, t });
      expectObservable(source.pipe(reduceResponse())).toBe('-a-b--(ukd|)', { a: A, b: B, u: U, k: K, d: D });
    });
  });

  it('unsubscribes upstream at the terminal event (the body is cancelled)', () => {
    scheduler.run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('--a--t--b--|', { a, b, t });
      expectObservable(source.pipe(reduceResponse())).toBe('--a--(ukd|)', {
        a: { ...A, delta: 'Hel' },
        u: U,
        k: { ...K, block: { type: 'text', text: 'Hel' } },
        d: D,
      });
      expectSubscriptions(source.subscriptions).toBe('^----!');
    });
  });

  it('completion before a terminal event errors with StreamTruncatedError (with partial)', () => {
    const expected = new StreamTruncatedError('OpenAI Codex stream ended before a terminal response event', {
      partial: { text: 'Hello', reasoning: '', toolCalls: [] },
    });
    scheduler.run(({ cold, expectObservable }) => {
      const source = cold('a-b-|', { a, b });
      expectObservable(source.pipe(reduceResponse())).toBe('a-b-#', { a: A, b: B }, expected);
    });
  });

  it('an error event errors in its frame, with partial, and unsubscribes upstream', () => {
    const expected = new CodexStreamError(
      'overloaded',
      { eventType: 'error', errorCode: 'server_is_overloaded' },
      {
        partial: { responseId: 'resp_0', text: 'Hel', reasoning: '', toolCalls: [] },
      },
    );
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const e = ev({ type: 'error', error: { code: 'server_is_overloaded', message: 'overloaded' } });
      const source = cold('c-a-e-b-t|', { c: created('resp_0'), a, e, b, t });
      expectObservable(source.pipe(reduceResponse())).toBe('--a-#', { a: A }, expected);
      expectSubscriptions(source.subscriptions).toBe('^---!');
    });
  });

  it('an upstream codex error passes through with partial attached', () => {
    const upstream = new IdleTimeoutError('no bytes for 300000 ms', { phase: 'body', timeoutMs: 300000 });
    const expected = new IdleTimeoutError(
      'no bytes for 300000 ms',
      { phase: 'body', timeoutMs: 300000 },
      {
        partial: { text: 'Hel', reasoning: '', toolCalls: [] },
      },
    );
    scheduler.run(({ cold, expectObservable }) => {
      const source = cold('a--#', { a }, upstream);
      expectObservable(source.pipe(reduceResponse())).toBe('a--#', { a: A }, expected);
    });
  });

  it('an upstream error before any output passes through unchanged; a foreign error is never touched', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const utf8 = new InvalidUtf8Error('Invalid UTF-8 at byte 3');
      expectObservable(cold<ResponseStreamEvent>('--#', undefined, utf8).pipe(reduceResponse())).toBe(
        '--#',
        undefined,
        new InvalidUtf8Error('Invalid UTF-8 at byte 3'),
      );
      const foreign = new TypeError('not ours');
      expectObservable(cold('a-#', { a }, foreign).pipe(reduceResponse())).toBe('a-#', { a: A }, new TypeError('not ours'));
    });
  });

  it('an existing partial on an upstream error is kept', () => {
    const own = { text: 'earlier', reasoning: '', toolCalls: [] };
    const run = collect(
      throwError(() => new IdleTimeoutError('x', { phase: 'body', timeoutMs: 1 }, { partial: own })).pipe(reduceResponse()),
    );
    expect((run.error as IdleTimeoutError).partial).toBe(own);
  });

  it('tool-call deltas are emitted in their frames; tool-calls once after the terminal event', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const source = cold('f-x-y-z-t|', {
        f: fcAdded('fc_1', 'call_1', 'run'),
        x: argsDelta('fc_1', '{"n":'),
        y: argsDelta('fc_1', '1}'),
        z: argsDone({ item_id: 'fc_1', arguments: '{"n":1}' }),
        t: completed({ id: 'resp_1' }),
      });
      const call = { id: 'call_1', name: 'run', input: { n: 1 }, rawInputJson: '{"n":1}' };
      expectObservable(source.pipe(reduceResponse())).toBe('--x-y---(cbd|)', {
        x: { type: 'tool-call-delta', toolCall: { id: 'call_1', name: 'run', input: {}, rawInputJson: '{"n":' } },
        y: { type: 'tool-call-delta', toolCall: call },
        c: { type: 'tool-calls', toolCalls: [call] },
        b: { type: 'content-block', block: { type: 'tool_use', id: 'call_1', name: 'run', input: { n: 1 } } },
        d: D,
      });
    });
  });

  it('is synchronous: done has been delivered when subscribe returns over a synchronous source', () => {
    const seen: string[] = [];
    from([a, b, t])
      .pipe(reduceResponse())
      .subscribe((e) => seen.push(e.type));
    expect(seen).toEqual(['text-delta', 'text-delta', 'usage', 'content-block', 'done']);
  });

  it('emits each delta in the call that delivers its event (no buffering)', () => {
    const subject = new Subject<ReturnType<typeof ev>>();
    const seen: string[] = [];
    subject.pipe(reduceResponse()).subscribe((e) => seen.push(e.type));
    subject.next(a);
    expect(seen).toEqual(['text-delta']);
    subject.next(t);
    expect(seen).toEqual(['text-delta', 'usage', 'content-block', 'done']);
    expect(subject.observed).toBe(false);
  });

  it('state does not leak across resubscriptions (retry replays from a clean state)', () => {
    let attempt = 0;
    const source = defer(() => {
      attempt += 1;
      return attempt === 1 ? from([a, b]) : from([a, b, t]);
    });
    const run = collect(source.pipe(reduceResponse(), retry(1)));
    const blocks = run.events.filter((e) => e.type === 'content-block');
    // Second attempt starts clean: the text block is "Hello", not "HelloHello".
    expect(blocks).toEqual([K]);
  });
});

describe('interleaved parts', () => {
  it('text, reasoning and arguments that switch back and forth keep each buffer whole, blocks in first-seen order', () => {
    const run = reduce([
      summaryDelta('Th', 0, 0),
      textDelta('He', 1, 0),
      summaryDelta('in', 0, 0),
      fcAdded('fc_1', 'call_1', 'f', 2),
      argsDelta('fc_1', '{"a":'),
      textDelta('llo', 1, 0),
      textDelta('x', 1, 1),
      argsDelta('fc_1', '1}'),
      summaryDelta('k', 0, 0),
      summaryDone('ignored: streamed', 0, 0),
      textDone('ignored: streamed', 1, 0),
      textDone('late', 3, 0),
      argsDone({ item_id: 'fc_1' }),
      completed(),
    ]);
    expect(run.error).toBeUndefined();
    expect(byType(run.events, 'tool-call-delta').map((e) => e.toolCall.rawInputJson)).toEqual(['{"a":', '{"a":1}']);
    expect(byType(run.events, 'tool-calls')[0]!.toolCalls).toEqual([{ id: 'call_1', name: 'f', input: { a: 1 }, rawInputJson: '{"a":1}' }]);
    expect(byType(run.events, 'content-block').map((e) => e.block)).toEqual([
      { type: 'thinking', thinking: 'Think' },
      { type: 'text', text: 'Hello' },
      { type: 'text', text: 'x' },
      { type: 'text', text: 'late' },
      { type: 'tool_use', id: 'call_1', name: 'f', input: { a: 1 } },
    ]);
  });

  it('metadata that arrives while a call streams is used from its next delta on', () => {
    const run = reduce([
      argsDelta('fc_1', '{"a"'),
      fcAdded('fc_1', 'call_1', 'first', 0),
      argsDelta('fc_1', ':1'),
      fcAdded('fc_1', 'call_2', 'second', 0),
      argsDelta('fc_1', '}'),
      argsDone({ item_id: 'fc_1' }),
      completed(),
    ]);
    expect(run.error).toBeUndefined();
    expect(byType(run.events, 'tool-call-delta').map((e) => [e.toolCall.id, e.toolCall.name, e.toolCall.rawInputJson])).toEqual([
      ['call_1', 'first', '{"a":1'],
      ['call_2', 'second', '{"a":1}'],
    ]);
  });

  it('a .done for a part that is no longer streaming still sees that nothing needs repeating', () => {
    const run = reduce([textDelta('a', 0, 0), textDelta('b', 1, 0), textDone('a', 0, 0), textDone('c', 2, 0), completed()]);
    expect(byType(run.events, 'text-delta').map((e) => e.delta)).toEqual(['a', 'b', 'c']);
  });
});

describe('state per subscription, copied on emit', () => {
  const turn = () => [
    created('resp_1'),
    reasoningAdded('rs_1', 0),
    summaryDelta('why', 0, 0),
    reasoningItemDone('rs_1', 'ENC', 0),
    textDelta('x', 1, 0),
    fcAdded('fc_1', 'call_1', 'f', 2),
    argsDelta('fc_1', '{"a":[1],'),
    argsDelta('fc_1', '"b":{"c":2}}'),
    argsDone({ item_id: 'fc_1' }),
    textDelta('y', 1, 0),
  ];
  const terminal = completed({
    id: 'resp_1',
    output: [{ type: 'reasoning', id: 'rs_1', encrypted_content: 'ENC' }],
    usage: { input_tokens: 1, output_tokens: 2 },
  });

  /** Changes everything reachable from `value` that can change. */
  function vandalise(value: unknown): void {
    if (typeof value !== 'object' || value === null) return;
    if (Array.isArray(value)) {
      for (const item of value) vandalise(item);
      value.push('vandalised');
      return;
    }
    for (const [key, field] of Object.entries(value)) {
      vandalise(field);
      if (typeof field === 'string' || typeof field === 'number') (value as Record<string, unknown>)[key] = `vandalised ${key}`;
    }
    (value as Record<string, unknown>).extra = 'vandalised';
  }

  function run(events: ResponseStreamEvent[], mutate: boolean): { seen: string[]; error?: unknown } {
    const seen: string[] = [];
    let error: unknown;
    from(events)
      .pipe(reduceResponse())
      .subscribe({
        next: (event) => {
          seen.push(JSON.stringify(event));
          if (mutate) vandalise(event);
        },
        error: (e) => (error = e),
      });
    return { seen, error };
  }

  it('a consumer that mutates every event it receives, deeply, changes no later event', () => {
    const clean = run([...turn(), terminal], false);
    expect(clean.seen.at(-1)).toBe(JSON.stringify(D));
    expect(run([...turn(), terminal], true).seen).toEqual(clean.seen);
  });

  it("a consumer that mutates every event changes no error's partial", () => {
    const failing = [...turn(), ev({ type: 'error', message: 'broke' })];
    const clean = run(failing, false);
    const mutated = run(failing, true);
    expect(mutated.seen).toEqual(clean.seen);
    expect((mutated.error as CodexStreamError).partial).toEqual((clean.error as CodexStreamError).partial);
    expect((clean.error as CodexStreamError).partial).toEqual({
      responseId: 'resp_1',
      text: 'xy',
      reasoning: 'why',
      toolCalls: [{ id: 'call_1', name: 'f', input: { a: [1], b: { c: 2 } }, rawInputJson: '{"a":[1],"b":{"c":2}}' }],
    });
  });

  it('two subscriptions to one reduced stream keep separate state', () => {
    const subject = new Subject<ResponseStreamEvent>();
    const reduced = subject.pipe(reduceResponse());
    const first: CodexEvent[] = [];
    const second: CodexEvent[] = [];
    reduced.subscribe((e) => first.push(e));
    subject.next(textDelta('early '));
    reduced.subscribe((e) => second.push(e));
    subject.next(textDelta('late'));
    subject.next(completed());
    expect(byType(first, 'content-block').map((e) => e.block)).toEqual([{ type: 'text', text: 'early late' }]);
    expect(byType(second, 'content-block').map((e) => e.block)).toEqual([{ type: 'text', text: 'late' }]);
  });

  it('events after the terminal one are never read', () => {
    let pulled = 0;
    const source = defer(() => from([textDelta('a'), completed(), textDelta('late'), ev({ type: 'error', message: 'x' })])).pipe(
      tap(() => (pulled += 1)),
    );
    const run = collect(source.pipe(reduceResponse()));
    expect(run.completed).toBe(true);
    expect(run.error).toBeUndefined();
    expect(pulled).toBe(2);
  });

  it('reduceResponse without input at all is truncated', () => {
    const run = collect(of().pipe(reduceResponse()));
    expect(run.error).toBeInstanceOf(StreamTruncatedError);
  });
});
