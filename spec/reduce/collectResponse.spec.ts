import { from } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { CodexStreamError, StreamTruncatedError } from '../../src/errors.js';
import { collectResponse } from '../../src/reduce/collectResponse.js';
import { reduceResponse } from '../../src/reduce/reduceResponse.js';
import type { CodexEvent, CodexResult } from '../../src/types.js';
import { collect as collectRun, completed, fcAdded, argsDone, summaryDelta, textDelta, ev } from './helpers.js';
import { observableMatcher } from './observableMatcher.js';

const call = { id: 'call_1', name: 'f', input: { a: 1 }, rawInputJson: '{"a":1}' };
const values = {
  r: { type: 'reasoning-delta', delta: 'why ', outputIndex: 0, index: 0, kind: 'summary' },
  s: { type: 'reasoning-delta', delta: 'not', outputIndex: 0, index: 1, kind: 'summary' },
  a: { type: 'text-delta', delta: 'Hel', outputIndex: 1, contentIndex: 0 },
  b: { type: 'text-delta', delta: 'lo', outputIndex: 1, contentIndex: 0 },
  c: { type: 'tool-calls', toolCalls: [call] },
  u: { type: 'usage', usage: { inputTokens: 9, outputTokens: 3, reasoningTokens: 1 } },
  k: { type: 'content-block', block: { type: 'thinking', thinking: 'why ' } },
  l: { type: 'content-block', block: { type: 'text', text: 'Hello' } },
  d: { type: 'done', status: 'incomplete', responseId: 'resp_1', incompleteReason: 'max_output_tokens' },
} satisfies Record<string, CodexEvent>;

describe('collectResponse', () => {
  let scheduler: TestScheduler;
  beforeEach(() => {
    scheduler = new TestScheduler(observableMatcher);
  });

  it('folds the events into one result emitted at completion', () => {
    const expected: CodexResult = {
      responseId: 'resp_1',
      status: 'incomplete',
      incompleteReason: 'max_output_tokens',
      text: 'Hello',
      reasoning: 'why not',
      toolCalls: [call],
      usage: { inputTokens: 9, outputTokens: 3, reasoningTokens: 1 },
      blocks: [
        { type: 'thinking', thinking: 'why ' },
        { type: 'text', text: 'Hello' },
      ],
    };
    scheduler.run(({ cold, expectObservable }) => {
      const source = cold('rs-a-b-(cukld|)', values);
      expectObservable(source.pipe(collectResponse())).toBe('-------(x|)', { x: expected });
    });
  });

  it('omits responseId, incompleteReason and usage when the events had none', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const source = cold<CodexEvent>('a-(d|)', { a: values.a, d: { type: 'done', status: 'completed' } });
      expectObservable(source.pipe(collectResponse())).toBe('--(x|)', {
        x: { status: 'completed', text: 'Hel', reasoning: '', toolCalls: [], blocks: [] },
      });
    });
  });

  it('errors pass through unchanged, in their frame', () => {
    const error = new CodexStreamError('boom', { eventType: 'error' }, { partial: { text: 'Hel', reasoning: '', toolCalls: [] } });
    scheduler.run(({ cold, expectObservable }) => {
      expectObservable(cold('a-#', values, error).pipe(collectResponse())).toBe('--#', undefined, error);
    });
  });

  it('events that complete without done are a StreamTruncatedError', () => {
    scheduler.run(({ cold, expectObservable }) => {
      expectObservable(cold('a-|', values).pipe(collectResponse())).toBe(
        '--#',
        undefined,
        new StreamTruncatedError('OpenAI Codex event stream completed without a done event'),
      );
      expectObservable(cold<CodexEvent>('|').pipe(collectResponse())).toBe(
        '#',
        undefined,
        new StreamTruncatedError('OpenAI Codex event stream completed without a done event'),
      );
    });
  });

  it('each subscription starts from an empty result', () => {
    const source = from([values.a, values.d]).pipe(collectResponse());
    const first = collectRun(source as never).events[0] as unknown as CodexResult;
    const second = collectRun(source as never).events[0] as unknown as CodexResult;
    expect(first.text).toBe('Hel');
    expect(second.text).toBe('Hel');
  });

  it('after reduceResponse: text and reasoning are the concatenated deltas, toolCalls and blocks the final ones', () => {
    const events = [
      summaryDelta('think'),
      textDelta('A', 1),
      textDelta('B', 1),
      fcAdded('fc_1', 'call_1', 'f', 2),
      argsDone({ item_id: 'fc_1', arguments: '{"a":1}' }),
      completed({ id: 'resp_2', usage: { input_tokens: 1 } }),
      ev({ type: 'keepalive' }),
    ];
    const results: CodexResult[] = [];
    from(events)
      .pipe(reduceResponse(), collectResponse())
      .subscribe((r) => results.push(r));
    expect(results).toEqual([
      {
        responseId: 'resp_2',
        status: 'completed',
        text: 'AB',
        reasoning: 'think',
        toolCalls: [call],
        usage: { inputTokens: 1, outputTokens: 0 },
        blocks: [
          { type: 'thinking', thinking: 'think' },
          { type: 'text', text: 'AB' },
          { type: 'tool_use', id: 'call_1', name: 'f', input: { a: 1 } },
        ],
      },
    ]);
  });
});
