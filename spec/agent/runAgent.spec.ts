import { from, lastValueFrom, NEVER, Observable, of, throwError, toArray } from 'rxjs';
import { z } from 'zod';
import { defineTool } from '../../src/agent/defineTool.js';
import { runAgent } from '../../src/agent/runAgent.js';
import type { AgentEvent, ExecutableTool, StepInfo, ToolContext, ToolResultEvent } from '../../src/agent/types.js';
import { CodexStreamError } from '../../src/errors.js';
import type { CodexEvent, CodexResult, ContentBlock, Message } from '../../src/types.js';
import { expectConfigProblem } from '../helpers/configMessage.js';
import { testScheduler, textTurnTail, toolCall, toolTurnTail } from './helpers.js';

const user: Message = { role: 'user', content: [{ type: 'text', text: 'What time is it?' }] };
const textDelta = (delta: string): CodexEvent => ({ type: 'text-delta', delta, outputIndex: 0, contentIndex: 0 });

function tool(name: string, execute: ExecutableTool['execute']): ExecutableTool {
  return { name, description: `The ${name} tool`, parameters: { type: 'object', properties: {} }, execute };
}

function result(fields: Partial<CodexResult>): CodexResult {
  return { status: 'completed', text: '', reasoning: '', toolCalls: [], blocks: [], ...fields };
}

/** Runs a loop whose turns and tools are all synchronous, and returns every event. */
function runSync(turns: CodexEvent[][], tools: ExecutableTool[], options = {}): { events: AgentEvent[]; sent: Message[][] } {
  const sent: Message[][] = [];
  const events: AgentEvent[] = [];
  runAgent(
    (messages) => {
      sent.push(messages);
      return from(turns[sent.length - 1] ?? []);
    },
    [user],
    tools,
    options,
  ).subscribe({ next: (event) => events.push(event), error: (error) => events.push({ type: 'error', error } as never) });
  return { events, sent };
}

const toolResults = (events: AgentEvent[]): ToolResultEvent[] => events.filter((e): e is ToolResultEvent => e.type === 'tool-result');
const finishOf = (events: AgentEvent[]) => events.find((e) => e.type === 'finish') as Extract<AgentEvent, { type: 'finish' }>;

describe('runAgent', () => {
  it('a step without tool calls: step-start on subscription, the turn events on their frames, then step-finish and finish on the last frame', () => {
    const [block, done] = textTurnTail('It is noon.');
    const turnResult = result({ responseId: 'resp_text', text: 'It is noon.', blocks: [{ type: 'text', text: 'It is noon.' }] });
    const history: Message[] = [user, { role: 'assistant', content: [{ type: 'text', text: 'It is noon.' }] }];
    testScheduler().run(({ cold, expectObservable }) => {
      const turn = () => cold('-t--(bd|)', { t: textDelta('It is noon.'), b: block!, d: done! });
      expectObservable(runAgent(turn, [user], [])).toBe('st--(bdfF|)', {
        s: { type: 'step-start', step: 1 },
        t: textDelta('It is noon.'),
        b: block,
        d: done,
        f: { type: 'step-finish', step: 1, result: turnResult, messages: history },
        F: { type: 'finish', reason: 'done', steps: 1, messages: history, result: turnResult },
      });
    });
  });

  it('passes the turn events through untouched: the same objects, in order', () => {
    const events = [textDelta('a'), ...textTurnTail('a')];
    const seen = runSync([events], []).events.filter((e) => e.type === 'text-delta' || e.type === 'content-block' || e.type === 'done');
    expect(seen).toHaveLength(3);
    seen.forEach((event, i) => expect(event).toBe(events[i]));
  });

  it('runs the called tool, sends its result back and finishes when the model answers with text', () => {
    const call = toolCall('call_1', 'clock', {});
    const [tc, use, done1] = toolTurnTail([call]);
    const [text, done2] = textTurnTail('It is 12:00.');
    const clock = tool('clock', () => '12:00');
    const afterTools: Message[] = [
      user,
      { role: 'assistant', content: [{ type: 'tool_use', id: 'call_1', name: 'clock', input: {} }] },
      { role: 'user', content: [{ type: 'tool_result', toolUseId: 'call_1', content: '12:00' }] },
    ];
    const result1 = result({
      responseId: 'resp_tools',
      toolCalls: [call],
      blocks: [{ type: 'tool_use', id: 'call_1', name: 'clock', input: {} }],
    });
    const result2 = result({ responseId: 'resp_text', text: '', blocks: [{ type: 'text', text: 'It is 12:00.' }] });
    const final: Message[] = [...afterTools, { role: 'assistant', content: [{ type: 'text', text: 'It is 12:00.' }] }];
    const sent: Message[][] = [];
    testScheduler().run(({ cold, expectObservable }) => {
      const turns = [cold('-c-u-d|', { c: tc!, u: use!, d: done1! }), cold('-----(td|)', { t: text!, d: done2! })];
      const loop = runAgent(
        (messages) => {
          sent.push(messages);
          return turns[sent.length - 1]!;
        },
        [user],
        [clock],
      );
      expectObservable(loop).toBe('sc-u-d(rfS)(tDgF|)', {
        s: { type: 'step-start', step: 1 },
        c: tc,
        u: use,
        d: done1,
        r: { type: 'tool-result', step: 1, callId: 'call_1', name: 'clock', output: '12:00', isError: false },
        f: { type: 'step-finish', step: 1, result: result1, messages: afterTools },
        S: { type: 'step-start', step: 2 },
        t: text,
        D: done2,
        g: { type: 'step-finish', step: 2, result: result2, messages: final },
        F: { type: 'finish', reason: 'done', steps: 2, messages: final, result: result2 },
      });
    });
    expect(sent).toEqual([[user], afterTools]);
  });

  it('emits tool results in completion order and sends them back in call order (parallel tools finishing out of order)', () => {
    const calls = [toolCall('call_slow', 'slow', {}), toolCall('call_fast', 'fast', {})];
    const [tc, done1] = [toolTurnTail(calls)[0]!, toolTurnTail(calls)[3]!];
    const [text, done2] = textTurnTail('ok');
    let history: Message[] | undefined;
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const slow$ = cold('----a|', { a: 'slow done' });
      const fast$ = cold('-b|', { b: { took: 1 } });
      const turns = [cold('-c-d|', { c: tc, d: done1 }), cold('-----(td|)', { t: text!, d: done2! })];
      let n = 0;
      const loop = runAgent(
        (messages) => {
          history = messages;
          return turns[n++]!;
        },
        [user],
        [tool('slow', () => slow$), tool('fast', () => fast$)],
      );
      expectObservable(loop).toBe('sc-d--R--(QfS)(tDgF|)', {
        s: { type: 'step-start', step: 1 },
        c: tc,
        d: done1,
        R: { type: 'tool-result', step: 1, callId: 'call_fast', name: 'fast', output: { took: 1 }, isError: false },
        Q: { type: 'tool-result', step: 1, callId: 'call_slow', name: 'slow', output: 'slow done', isError: false },
        f: expect.objectContaining({ type: 'step-finish', step: 1 }),
        S: { type: 'step-start', step: 2 },
        t: text,
        D: done2,
        g: expect.objectContaining({ type: 'step-finish', step: 2 }),
        F: expect.objectContaining({ type: 'finish', reason: 'done', steps: 2 }),
      });
      expectSubscriptions(slow$.subscriptions).toBe('----^----!');
      expectSubscriptions(fast$.subscriptions).toBe('----^-!');
    });
    expect(history![2]).toEqual({
      role: 'user',
      content: [
        { type: 'tool_result', toolUseId: 'call_slow', content: 'slow done' },
        { type: 'tool_result', toolUseId: 'call_fast', content: { took: 1 } },
      ],
    });
  });

  it('runs at most toolConcurrency calls at once: the next starts when one ends', () => {
    const calls = ['a', 'b', 'c'].map((id) => toolCall(`call_${id}`, 'work', { id }));
    const [tc, done1] = [toolTurnTail(calls)[0]!, toolTurnTail(calls)[4]!];
    testScheduler().run(({ cold, expectSubscriptions, flush }) => {
      const work: Record<string, ReturnType<typeof cold<string>>> = {
        a: cold('--x|', { x: 'a' }),
        b: cold('----y|', { y: 'b' }),
        c: cold('--z|', { z: 'c' }),
      };
      const turns = [cold('-c-d|', { c: tc, d: done1 }), cold('-(td|)', lettersOf(textTurnTail('ok')))];
      let n = 0;
      runAgent(() => turns[n++]!, [user], [tool('work', (input) => work[(input as { id: string }).id]!)], {
        toolConcurrency: 2,
      }).subscribe();
      flush();
      expectSubscriptions(work.a!.subscriptions).toBe('----^--!');
      expectSubscriptions(work.b!.subscriptions).toBe('----^----!');
      // c waits for a, the first to end.
      expectSubscriptions(work.c!.subscriptions).toBe('-------^--!');
    });
  });

  it('defaults to four calls at once', () => {
    const calls = [1, 2, 3, 4, 5].map((i) => toolCall(`call_${i}`, 'work', { i }));
    const started: number[] = [];
    testScheduler().run(({ cold, flush }) => {
      const turns = [from(toolTurnTail(calls)), cold('-(td|)', lettersOf(textTurnTail('ok')))];
      let n = 0;
      const work = tool('work', (input) => {
        started.push((input as { i: number }).i);
        return cold('--x|', { x: 'done' });
      });
      runAgent(() => turns[n++]!, [user], [work]).subscribe();
      expect(started).toEqual([1, 2, 3, 4]);
      flush();
      expect(started).toEqual([1, 2, 3, 4, 5]);
    });
  });

  it('answers a call that outlives toolTimeoutMs with an error result at the timeout frame, and aborts its signal', () => {
    const calls = [toolCall('call_1', 'sleep', {}), toolCall('call_2', 'quick', {})];
    const [tc, done1] = [toolTurnTail(calls)[0]!, toolTurnTail(calls)[3]!];
    let signal: AbortSignal | undefined;
    let quickSignal: AbortSignal | undefined;
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const sleep$ = cold('----------x|', { x: 'late' });
      const turns = [cold('-c-d|', { c: tc, d: done1 }), NEVER];
      let n = 0;
      const tools = [
        tool('sleep', (_input, ctx) => {
          signal = ctx.signal;
          return sleep$;
        }),
        tool('quick', (_input, ctx) => {
          quickSignal = ctx.signal;
          return cold('---q|', { q: 'fast enough' });
        }),
      ];
      expectObservable(runAgent(() => turns[n++]!, [user], tools, { toolTimeoutMs: 5 })).toBe('sc-d----Q(TfS)', {
        s: { type: 'step-start', step: 1 },
        c: tc,
        d: done1,
        Q: { type: 'tool-result', step: 1, callId: 'call_2', name: 'quick', output: 'fast enough', isError: false },
        T: { type: 'tool-result', step: 1, callId: 'call_1', name: 'sleep', output: 'Tool "sleep" timed out after 5 ms', isError: true },
        f: expect.objectContaining({ type: 'step-finish' }),
        S: { type: 'step-start', step: 2 },
      });
      expectSubscriptions(sleep$.subscriptions).toBe('----^----!');
    });
    expect(signal?.aborted).toBe(true);
    expect(quickSignal?.aborted).toBe(false);
  });

  it('unsubscribing while tools run aborts their signals and unsubscribes them', () => {
    const calls = [toolCall('call_1', 'sleep', {}), toolCall('call_2', 'sleep', {})];
    const signals: AbortSignal[] = [];
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const sleep$ = cold('----------x|', { x: 'late' });
      const turn = cold('-(cd|)', { c: toolTurnTail(calls)[0]!, d: toolTurnTail(calls)[3]! });
      const loop = runAgent(
        () => turn,
        [user],
        [
          tool('sleep', (_input, ctx) => {
            signals.push(ctx.signal);
            return sleep$;
          }),
        ],
      );
      expectObservable(loop, '------!').toBe('s(cd)', {
        s: { type: 'step-start', step: 1 },
        c: toolTurnTail(calls)[0],
        d: toolTurnTail(calls)[3],
      });
      expectSubscriptions(sleep$.subscriptions).toBe(['-^----!', '-^----!']);
    });
    expect(signals).toHaveLength(2);
    expect(signals.every((s) => s.aborted)).toBe(true);
  });

  it('unsubscribing during a turn unsubscribes the turn and starts no further step', () => {
    let turns = 0;
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const turn$ = cold('-t------(bd|)', { t: textDelta('x'), ...lettersOf(textTurnTail('x'), 'b') });
      const loop = runAgent(
        () => {
          turns++;
          return turn$;
        },
        [user],
        [],
      );
      expectObservable(loop, '---!').toBe('st', { s: { type: 'step-start', step: 1 }, t: textDelta('x') });
      expectSubscriptions(turn$.subscriptions).toBe('^--!');
    });
    expect(turns).toBe(1);
  });

  it('a turn error errors the loop as it is; the last step-finish holds the history so far', () => {
    const failure = new CodexStreamError('boom', { eventType: 'response.failed' });
    const call = toolCall('call_1', 'clock', {});
    let n = 0;
    const events: AgentEvent[] = [];
    let caught: unknown;
    runAgent(() => (n++ === 0 ? from(toolTurnTail([call])) : throwError(() => failure)), [user], [tool('clock', () => 'noon')]).subscribe({
      next: (e) => events.push(e),
      error: (e) => (caught = e),
    });
    expect(caught).toBe(failure);
    const finishes = events.filter((e) => e.type === 'step-finish');
    expect(finishes).toHaveLength(1);
    expect((finishes[0] as Extract<AgentEvent, { type: 'step-finish' }>).messages).toHaveLength(3);
    expect(events.at(-1)).toEqual({ type: 'step-start', step: 2 });
  });

  describe('a call that cannot run or fails becomes an isError result, and the loop goes on', () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    const cases: [string, ExecutableTool | undefined, Partial<ReturnType<typeof toolCall>>, string][] = [
      [
        'a tool that throws',
        tool('t', () => {
          throw new Error('disk\nfull');
        }),
        {},
        'Tool "t" failed: disk full',
      ],
      ['a tool whose Observable errors', tool('t', () => throwError(() => new TypeError('bad state'))), {}, 'Tool "t" failed: bad state'],
      ['a tool whose promise rejects with a non-error', tool('t', () => Promise.reject('nope')), {}, 'Tool "t" failed: nope'],
      ['an unknown tool', undefined, {}, 'Unknown tool "t": the tools are "other"'],
      [
        'arguments that are not JSON',
        tool('t', () => 'never runs'),
        { inputError: 'Unexpected end of JSON input', input: {} },
        'The arguments of tool "t" are not valid JSON (Unexpected end of JSON input): send one JSON object',
      ],
      [
        'an output that is not JSON',
        tool('t', () => circular),
        {},
        'Tool "t" failed: the output of tool "t" is not JSON-serialisable: circular structure. Use only JSON values in it (objects, arrays, strings, finite numbers, booleans, null).',
      ],
    ];
    it.each(cases)('%s', async (_name, t, extra, message) => {
      const call = toolCall('call_1', 't', { q: 1 }, extra);
      const tools = t === undefined ? [tool('other', () => 'x')] : [t];
      const sent: Message[][] = [];
      const events = await lastValueFrom(
        runAgent(
          (messages) => {
            sent.push(messages);
            return from(sent.length === 1 ? toolTurnTail([call]) : textTurnTail('sorry'));
          },
          [user],
          tools,
        ).pipe(toArray()),
      );
      expect(toolResults(events)).toEqual([{ type: 'tool-result', step: 1, callId: 'call_1', name: 't', output: message, isError: true }]);
      expect(sent[1]![2]).toEqual({
        role: 'user',
        content: [{ type: 'tool_result', toolUseId: 'call_1', content: message, isError: true }],
      });
      expect(finishOf(events).reason).toBe('done');
    });

    it('input that fails a defineTool schema never reaches execute; the issues are summarised on one line', () => {
      let ran = false;
      const add = defineTool({
        name: 'add',
        description: 'Adds',
        input: z.object({ a: z.number(), b: z.number() }),
        execute: ({ a, b }) => {
          ran = true;
          return a + b;
        },
      });
      const { events } = runSync([toolTurnTail([toolCall('call_1', 'add', { a: 'one' })]), textTurnTail('ok')], [add]);
      expect(ran).toBe(false);
      expect(toolResults(events)[0]).toMatchObject({
        isError: true,
        output:
          'Invalid input for tool "add": a: Invalid input: expected number, received string; b: Invalid input: expected number, received undefined',
      });
    });
  });

  it('the history grows by the turn blocks (reasoning with its encrypted content, text, tool calls) and the results in call order', () => {
    const thinking: ContentBlock = { type: 'thinking', thinking: 'plan', id: 'rs_1', encryptedContent: 'gAAA' };
    const text: ContentBlock = { type: 'text', text: 'Let me check.' };
    const calls = [toolCall('call_1', 'count', { word: 'a' }), toolCall('call_2', 'count', { word: 'b' })];
    const count = tool('count', (input) => ((input as { word: string }).word === 'a' ? { n: 1 } : 'two'));
    const { events, sent } = runSync([toolTurnTail(calls, [thinking, text]), textTurnTail('Done.')], [count]);
    expect(sent[1]).toEqual([
      user,
      {
        role: 'assistant',
        content: [thinking, text, ...calls.map((c) => ({ type: 'tool_use', id: c.id, name: c.name, input: c.input }))],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', toolUseId: 'call_1', content: { n: 1 } },
          { type: 'tool_result', toolUseId: 'call_2', content: 'two' },
        ],
      },
    ]);
    expect(finishOf(events).messages).toEqual([...sent[1]!, { role: 'assistant', content: [{ type: 'text', text: 'Done.' }] }]);
  });

  it('an Observable tool result is its last value; an empty one is sent as null', () => {
    const calls = [toolCall('call_1', 'many', {}), toolCall('call_2', 'none', {})];
    const { sent } = runSync([toolTurnTail(calls), textTurnTail('ok')], [tool('many', () => of(1, 2, 3)), tool('none', () => from([]))]);
    expect(sent[1]![2]!.content).toEqual([
      { type: 'tool_result', toolUseId: 'call_1', content: 3 },
      { type: 'tool_result', toolUseId: 'call_2', content: null },
    ]);
  });

  it('passes the call id, the step and a live signal to execute', () => {
    const contexts: ToolContext[] = [];
    runSync(
      [toolTurnTail([toolCall('call_1', 'ctx', {})]), toolTurnTail([toolCall('call_2', 'ctx', {})]), textTurnTail('ok')],
      [
        tool('ctx', (_input, ctx) => {
          contexts.push(ctx);
          expect(ctx.signal.aborted).toBe(false);
          return 'ok';
        }),
      ],
    );
    expect(contexts.map(({ callId, step }) => ({ callId, step }))).toEqual([
      { callId: 'call_1', step: 1 },
      { callId: 'call_2', step: 2 },
    ]);
    // A call that ended is not aborted afterwards.
    expect(contexts.every((ctx) => !ctx.signal.aborted)).toBe(true);
  });

  it('finishes with max-steps after maxSteps turns that all called tools; the messages hold the last results', () => {
    const always = Array.from({ length: 10 }, (_, i) => toolTurnTail([toolCall(`call_${i + 1}`, 'ping', {})]));
    const { events, sent } = runSync(always, [tool('ping', () => 'pong')], { maxSteps: 3 });
    expect(sent).toHaveLength(3);
    const finish = finishOf(events);
    expect(finish).toMatchObject({ reason: 'max-steps', steps: 3 });
    expect(finish.messages).toHaveLength(7);
    expect(finish.messages.at(-1)).toEqual({ role: 'user', content: [{ type: 'tool_result', toolUseId: 'call_3', content: 'pong' }] });
    expect(events.filter((e) => e.type === 'step-start')).toHaveLength(3);
  });

  it('defaults to twenty steps', () => {
    const always = Array.from({ length: 30 }, (_, i) => toolTurnTail([toolCall(`call_${i}`, 'ping', {})]));
    const { sent, events } = runSync(always, [tool('ping', () => 'pong')]);
    expect(sent).toHaveLength(20);
    expect(finishOf(events).reason).toBe('max-steps');
  });

  it('stopWhen sees each tool step (results in call order) and ends the loop with stopped', () => {
    const seen: StepInfo[] = [];
    const always = Array.from({ length: 5 }, (_, i) => toolTurnTail([toolCall(`call_${i + 1}`, 'ping', {})]));
    const { events, sent } = runSync(always, [tool('ping', () => 'pong')], {
      stopWhen: (info: StepInfo) => {
        seen.push(info);
        return info.step === 2;
      },
    });
    expect(sent).toHaveLength(2);
    expect(seen.map((s) => [s.step, s.toolResults.map((r) => r.callId)])).toEqual([
      [1, ['call_1']],
      [2, ['call_2']],
    ]);
    expect(finishOf(events)).toMatchObject({ reason: 'stopped', steps: 2 });
    expect(events.at(-2)).toMatchObject({ type: 'step-finish', step: 2 });
  });

  it('is cold: each subscription runs its own loop from the given messages', () => {
    let turns = 0;
    const loop = runAgent(
      () => {
        turns++;
        return from(textTurnTail('hi'));
      },
      [user],
      [],
    );
    expect(turns).toBe(0);
    loop.subscribe();
    loop.subscribe();
    expect(turns).toBe(2);
  });

  it('does not mutate the caller messages, and emitted histories are copies', () => {
    const messages = [user];
    const { events, sent } = runSync([toolTurnTail([toolCall('call_1', 'ping', {})]), textTurnTail('ok')], [tool('ping', () => 'pong')]);
    expect(messages).toEqual([user]);
    const stepFinish = events.find((e) => e.type === 'step-finish') as Extract<AgentEvent, { type: 'step-finish' }>;
    expect(stepFinish.messages).not.toBe(sent[1]);
  });

  it.each<[string, unknown, string]>([
    ['maxSteps 0', { maxSteps: 0 }, 'maxSteps must be a whole number of turns, 1 or more, got 0'],
    ['maxSteps 1.5', { maxSteps: 1.5 }, 'maxSteps must be a whole number of turns, 1 or more, got 1.5'],
    ['toolConcurrency 0', { toolConcurrency: 0 }, 'toolConcurrency must be a whole number, 1 or more, or Infinity, got 0'],
    ['toolTimeoutMs -1', { toolTimeoutMs: -1 }, 'toolTimeoutMs must be a positive number of milliseconds, at most 2147483647, got -1'],
    [
      'toolTimeoutMs past what a timer honours',
      { toolTimeoutMs: 2 ** 31 },
      'toolTimeoutMs must be a positive number of milliseconds, at most 2147483647, got 2147483648',
    ],
    ['stopWhen not a function', { stopWhen: 1 }, 'stopWhen must be a function, got 1'],
    [
      'scheduler without schedule()',
      { scheduler: { now: () => 0 } },
      'scheduler must be an rxjs SchedulerLike (with now and schedule), got an object',
    ],
    ['options not an object', 'fast', 'agent options must be an object, got "fast"'],
    ['a misspelt option', { maxStep: 3 }, 'Unexpected agent option: maxStep'],
  ])('a bad option (%s) is a ConfigError that says what is wrong, then what to change', (_name, options, problem) => {
    const turn = () => new Observable<CodexEvent>();
    const error = expectConfigProblem(() => runAgent(turn, [user], [], options as never), problem);
    if (problem.startsWith('Unexpected')) expect(error.message).toContain('Did you mean maxSteps?');
  });

  it.each<[string, () => unknown, string]>([
    [
      'no turn function',
      () => runAgent(null as never, [user], []),
      'runAgent(): turn must be a function (messages) => Observable<CodexEvent>, got null',
    ],
    [
      'messages not an array',
      () => runAgent(() => NEVER, user as never, []),
      'runAgent(): messages must be an array of messages, got an object',
    ],
    ['tools not an array', () => runAgent(() => NEVER, [user], null as never), "The agent's tools must be an array, got null"],
    [
      'a tool without a name',
      () => runAgent(() => NEVER, [user], [{ execute: () => 1 } as never]),
      'tools[0] must be a tool with a name, got an object',
    ],
    [
      'a tool without execute',
      () => runAgent(() => NEVER, [user], [{ name: 'x', description: '', parameters: {} } as never]),
      'Tool "x" has no execute function, and the agent loop can only offer tools it can run',
    ],
    ['two tools of one name', () => runAgent(() => NEVER, [user], [tool('x', () => 1), tool('x', () => 2)]), 'Two tools are named "x"'],
  ])('bad input (%s) is a ConfigError that says what is wrong, then what to change', (_name, call, problem) => {
    expectConfigProblem(call, problem);
  });

  it('accepts unlimited tool concurrency', () => {
    expect(() => runAgent(() => new Observable<CodexEvent>(), [user], [], { toolConcurrency: Infinity })).not.toThrow();
  });
});

function lettersOf(events: CodexEvent[], first = 't'): Record<string, CodexEvent> {
  const letters = first === 't' ? ['t', 'd'] : ['b', 'd'];
  return Object.fromEntries(events.map((e, i) => [letters[i], e]));
}
