import { from } from 'rxjs';
import { ProtocolError } from '../../src/errors.js';
import { collectResponse } from '../../src/reduce/collectResponse.js';
import { reduceResponse, reduceWithLimit } from '../../src/reduce/reduceResponse.js';
import type { CodexResult } from '../../src/types.js';
import type { ResponseStreamEvent } from '../../src/events/schemas.js';
import {
  argsDelta,
  argsDone,
  byType,
  collect,
  completed,
  ev,
  fcAdded,
  reasoningDelta,
  reduce,
  summaryDelta,
  textDelta,
  textDone,
} from './helpers.js';

const rateLimits = (usedPercent: number) =>
  ev({
    type: 'codex.rate_limits',
    plan_type: 'plus',
    rate_limits: { allowed: true, limit_reached: false, primary: { used_percent: usedPercent, window_minutes: 300, reset_at: 1767000000 } },
    credits: { has_credits: true, unlimited: false, balance: '0' },
  });
const snapshot = (usedPercent: number) => ({
  limitId: 'codex',
  primary: { usedPercent, windowMinutes: 300, resetsAt: 1767000000 },
  credits: { hasCredits: true, unlimited: false, balance: '0' },
  planType: 'plus',
});

describe('rate limits reported in the stream', () => {
  it('each codex.rate_limits event is emitted as a rate-limits event, where it arrives', () => {
    const run = reduce([rateLimits(10), textDelta('hi'), rateLimits(12.5), completed()]);
    expect(run.events.map((e) => e.type)).toEqual(['rate-limits', 'text-delta', 'rate-limits', 'content-block', 'done']);
    expect(byType(run.events, 'rate-limits').map((e) => e.rateLimits)).toEqual([snapshot(10), snapshot(12.5)]);
  });

  it('a codex.rate_limits event that reports nothing emits nothing', () => {
    expect(reduce([ev({ type: 'codex.rate_limits' }), completed()]).events.map((e) => e.type)).toEqual(['done']);
  });

  it('rate limits alone are not output: an error after them carries no partial', () => {
    const run = reduce([rateLimits(10), ev({ type: 'error', message: 'x' })]);
    expect((run.error as ProtocolError).partial).toBeUndefined();
  });

  it('collectResponse keeps the last snapshot as rateLimits', () => {
    const results: CodexResult[] = [];
    from([rateLimits(10), textDelta('hi'), rateLimits(40), completed()])
      .pipe(reduceResponse(), collectResponse())
      .subscribe((r) => results.push(r));
    expect(results[0]!.rateLimits).toEqual(snapshot(40));
    const none: CodexResult[] = [];
    from([completed()])
      .pipe(reduceResponse(), collectResponse())
      .subscribe((r) => none.push(r));
    expect(none[0]).not.toHaveProperty('rateLimits');
  });
});

describe('tool-call arguments that are not valid JSON', () => {
  const call = (args: string) =>
    byType(reduce([fcAdded('fc_1', 'call_1', 'f'), argsDone({ item_id: 'fc_1', arguments: args }), completed()]).events, 'tool-calls')[0]!
      .toolCalls[0]!;

  it('give the call an inputError of one line, and input {}', () => {
    const bad = call('{"path": "a.ts",\n "mode": }');
    expect(bad.input).toEqual({});
    expect(bad.rawInputJson).toBe('{"path": "a.ts",\n "mode": }');
    expect(bad.inputError).toMatch(/^The arguments of tool call call_1 are not valid JSON: \S/);
    expect(bad.inputError).not.toMatch(/\n/);
    expect(bad.inputError!.length).toBeLessThan(300);
  });

  it('valid arguments, and no arguments at all, give no inputError', () => {
    expect(call('{"a":1}')).toEqual({ id: 'call_1', name: 'f', input: { a: 1 }, rawInputJson: '{"a":1}' });
    expect(call('')).toEqual({ id: 'call_1', name: 'f', input: {}, rawInputJson: '' });
    expect(call(' \n')).not.toHaveProperty('inputError');
  });

  it('partial calls never carry one: only the complete call is judged', () => {
    const run = reduce([fcAdded('fc_1', 'call_1', 'f'), argsDelta('fc_1', '{"a":'), argsDone({ item_id: 'fc_1' }), completed()]);
    expect(byType(run.events, 'tool-call-delta')[0]!.toolCall).not.toHaveProperty('inputError');
    expect(byType(run.events, 'tool-calls')[0]!.toolCalls[0]!.inputError).toMatch(/not valid JSON/);
  });
});

describe('more text than a string can hold', () => {
  const reduceLimited = (limit: number, events: ResponseStreamEvent[]) => collect(from(events).pipe(reduceWithLimit(limit)));

  it.each([
    ['text', [textDelta('12345', 0), textDelta('67890', 1), textDelta('x', 0)], { text: '1234567890', reasoning: '' }],
    [
      'reasoning and summaries together',
      [reasoningDelta('12345'), summaryDelta('67890'), summaryDelta('x')],
      { text: '', reasoning: '1234567890' },
    ],
    ['a .done text', [textDelta('12345678', 0), textDone('abc', 1)], { text: '12345678', reasoning: '' }],
  ])('%s: a ProtocolError carrying what was emitted, never a RangeError', (_label, events, emitted) => {
    const run = reduceLimited(10, events);
    expect(run.error).toBeInstanceOf(ProtocolError);
    expect((run.error as ProtocolError).message).toMatch(/more than 10 characters/);
    expect((run.error as ProtocolError).partial).toEqual({ ...emitted, toolCalls: [] });
  });

  it("a call's arguments: a ProtocolError, with the partial output", () => {
    const run = reduceLimited(10, [
      textDelta('hi'),
      fcAdded('fc_1', 'call_1', 'f'),
      argsDelta('fc_1', '{"a":'),
      argsDelta('fc_1', '"123456"}'),
    ]);
    expect(run.error).toBeInstanceOf(ProtocolError);
    expect((run.error as ProtocolError).eventType).toBe('response.function_call_arguments.delta');
    expect((run.error as ProtocolError).partial).toEqual({ text: 'hi', reasoning: '', toolCalls: [] });
  });

  it('exactly at the limit is fine', () => {
    const run = reduceLimited(10, [textDelta('12345', 0), textDelta('67890', 1), completed()]);
    expect(run.error).toBeUndefined();
    expect(run.completed).toBe(true);
  });
});
