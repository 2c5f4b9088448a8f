import type { CodexEvent } from '../../src/types.js';
import { argsDelta, argsDone, byType, completed, ev, fcAdded, reduce, summaryDelta, textDelta, textDone } from './helpers.js';

const fcItem = (fields: Record<string, unknown>) =>
  ev({ type: 'response.output_item.done', output_index: 0, item: { type: 'function_call', id: 'fc_1', ...fields } });
const messageItem = (content: unknown[], output_index = 0) =>
  ev({ type: 'response.output_item.done', output_index, item: { type: 'message', id: 'msg_1', role: 'assistant', content } });
const reasoningItem = (fields: Record<string, unknown>, output_index = 0) =>
  ev({ type: 'response.output_item.done', output_index, item: { type: 'reasoning', id: 'rs_1', ...fields } });
const outputText = (text: string) => ({ type: 'output_text', text, annotations: [] });

/** Every emitted delta and block, so a repeat anywhere shows. */
const deltasAndBlocks = (events: CodexEvent[]) =>
  events.filter((e) => e.type === 'text-delta' || e.type === 'reasoning-delta' || e.type === 'content-block');

describe('a finished output item delivers what its deltas did not', () => {
  it('a function call with neither argument deltas nor arguments.done still yields its tool call', () => {
    const run = reduce([
      fcAdded('fc_1', 'call_1', 'read_file'),
      fcItem({ call_id: 'call_1', name: 'read_file', arguments: '{"p":1}' }),
      completed(),
    ]);
    expect(byType(run.events, 'tool-calls')[0]!.toolCalls).toEqual([
      { id: 'call_1', name: 'read_file', input: { p: 1 }, rawInputJson: '{"p":1}' },
    ]);
    expect(byType(run.events, 'content-block').map((e) => e.block)).toEqual([
      { type: 'tool_use', id: 'call_1', name: 'read_file', input: { p: 1 } },
    ]);
  });

  it('a function call seen only as a finished item (no added event) is complete too', () => {
    const run = reduce([fcItem({ call_id: 'call_9', name: 'ls', arguments: '{}' }), completed()]);
    expect(byType(run.events, 'tool-calls')[0]!.toolCalls).toEqual([{ id: 'call_9', name: 'ls', input: {}, rawInputJson: '{}' }]);
  });

  it('a function call that streamed its arguments but never got arguments.done is completed by its item', () => {
    const run = reduce([
      fcAdded('fc_1', 'call_1', 'f'),
      argsDelta('fc_1', '{"a":'),
      argsDelta('fc_1', '1}'),
      fcItem({ call_id: 'call_1', name: 'f' }),
      completed(),
    ]);
    expect(byType(run.events, 'tool-calls')[0]!.toolCalls).toEqual([{ id: 'call_1', name: 'f', input: { a: 1 }, rawInputJson: '{"a":1}' }]);
  });

  it('a function call completed by arguments.done is not completed again by its item', () => {
    const run = reduce([
      fcAdded('fc_1', 'call_1', 'f'),
      argsDelta('fc_1', '{"a":1}'),
      argsDone({ item_id: 'fc_1', arguments: '{"a":1}' }),
      fcItem({ call_id: 'call_1', name: 'f', arguments: '{"a":1}' }),
      completed(),
    ]);
    expect(byType(run.events, 'tool-calls')[0]!.toolCalls).toHaveLength(1);
    expect(byType(run.events, 'content-block')).toHaveLength(1);
  });

  it('message text that arrived only in the item is emitted as a text-delta before its block', () => {
    const run = reduce([messageItem([outputText('Hello'), { type: 'refusal', refusal: 'no' }, outputText(' there')], 1), completed()]);
    expect(deltasAndBlocks(run.events)).toEqual([
      { type: 'text-delta', delta: 'Hello', outputIndex: 1, contentIndex: 0 },
      { type: 'text-delta', delta: ' there', outputIndex: 1, contentIndex: 2 },
      { type: 'content-block', block: { type: 'text', text: 'Hello' } },
      { type: 'content-block', block: { type: 'text', text: ' there' } },
    ]);
  });

  it('message text that streamed is not repeated by the item, nor text that came with output_text.done', () => {
    const streamed = reduce([textDelta('Hel'), textDelta('lo'), messageItem([outputText('Hello')]), completed()]);
    expect(deltasAndBlocks(streamed.events)).toEqual([
      { type: 'text-delta', delta: 'Hel', outputIndex: 0, contentIndex: 0 },
      { type: 'text-delta', delta: 'lo', outputIndex: 0, contentIndex: 0 },
      { type: 'content-block', block: { type: 'text', text: 'Hello' } },
    ]);
    const byDone = reduce([textDone('Hello'), messageItem([outputText('Hello')]), completed()]);
    expect(deltasAndBlocks(byDone.events)).toEqual([
      { type: 'text-delta', delta: 'Hello', outputIndex: 0, contentIndex: 0 },
      { type: 'content-block', block: { type: 'text', text: 'Hello' } },
    ]);
  });

  it('reasoning summaries and reasoning text that arrived only in the item are emitted once', () => {
    const item = reasoningItem({
      summary: [
        { type: 'summary_text', text: 'first' },
        { type: 'summary_text', text: 'second' },
      ],
      content: [{ type: 'reasoning_text', text: 'raw' }],
      encrypted_content: 'ENC',
    });
    const run = reduce([item, item, completed()]);
    expect(deltasAndBlocks(run.events)).toEqual([
      { type: 'reasoning-delta', delta: 'first', outputIndex: 0, index: 0, kind: 'summary' },
      { type: 'reasoning-delta', delta: 'second', outputIndex: 0, index: 1, kind: 'summary' },
      { type: 'reasoning-delta', delta: 'raw', outputIndex: 0, index: 0, kind: 'text' },
      { type: 'content-block', block: { type: 'thinking', thinking: 'first', id: 'rs_1', encryptedContent: 'ENC' } },
      { type: 'content-block', block: { type: 'thinking', thinking: 'second' } },
      { type: 'content-block', block: { type: 'thinking', thinking: 'raw' } },
    ]);
  });

  it('a summary that streamed is not repeated by the item; a part that did not stream is', () => {
    const run = reduce([
      summaryDelta('first', 0, 0),
      reasoningItem({
        summary: [
          { type: 'summary_text', text: 'first' },
          { type: 'summary_text', text: 'second' },
        ],
      }),
      completed(),
    ]);
    expect(byType(run.events, 'reasoning-delta').map((e) => [e.delta, e.index])).toEqual([
      ['first', 0],
      ['second', 1],
    ]);
  });
});
