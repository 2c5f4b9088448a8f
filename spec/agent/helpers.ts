import { TestScheduler } from 'rxjs/testing';
import type { CodexEvent, ContentBlock, ToolCall } from '../../src/types.js';

/** A TestScheduler that compares with jest's deep equality. */
export function testScheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
}

/** A complete tool call with its raw JSON. */
export function toolCall(id: string, name: string, input: unknown, extra: Partial<ToolCall> = {}): ToolCall {
  return { id, name, input, rawInputJson: JSON.stringify(input), ...extra };
}

/** The tail of a turn that called tools: `tool-calls`, one `tool_use` block per call (after `before`), `done`. */
export function toolTurnTail(calls: ToolCall[], before: ContentBlock[] = [], responseId = 'resp_tools'): CodexEvent[] {
  return [
    { type: 'tool-calls', toolCalls: calls },
    ...before.map((block): CodexEvent => ({ type: 'content-block', block })),
    ...calls.map((call): CodexEvent => ({
      type: 'content-block',
      block: { type: 'tool_use', id: call.id, name: call.name, input: call.input },
    })),
    { type: 'done', status: 'completed', responseId },
  ];
}

/** The tail of a turn that answered with text: its block, then `done`. */
export function textTurnTail(text: string, responseId = 'resp_text'): CodexEvent[] {
  return [
    { type: 'content-block', block: { type: 'text', text } },
    { type: 'done', status: 'completed', responseId },
  ];
}

/** Letters for marble values: a, b, c, … for each event in order. */
export function lettered<T>(events: T[], first = 'a'): Record<string, T> {
  const out: Record<string, T> = {};
  events.forEach((event, i) => (out[String.fromCharCode(first.charCodeAt(0) + i)] = event));
  return out;
}
