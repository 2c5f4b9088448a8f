import { from, type Observable } from 'rxjs';
import { parseResponseEvent } from '../../src/events/responseEvents.js';
import type { ResponseStreamEvent } from '../../src/events/schemas.js';
import { reduceResponse } from '../../src/reduce/reduceResponse.js';
import type { CodexEvent } from '../../src/types.js';

/** A wire event as responseEvents() would emit it (schema defaults applied). */
export function ev(payload: Record<string, unknown>): ResponseStreamEvent {
  const event = parseResponseEvent(payload);
  if (event === undefined) throw new Error('test event without type');
  return event;
}

export interface Run {
  events: CodexEvent[];
  error?: unknown;
  completed: boolean;
}

/** Subscribes synchronously and records everything. */
export function collect(source: Observable<CodexEvent>): Run {
  const run: Run = { events: [], completed: false };
  source.subscribe({
    next: (e) => run.events.push(e),
    error: (e) => (run.error = e),
    complete: () => (run.completed = true),
  });
  return run;
}

export function reduce(events: ResponseStreamEvent[]): Run {
  return collect(from(events).pipe(reduceResponse()));
}

export const created = (id = 'resp_1') => ev({ type: 'response.created', response: { id, output: [], usage: null } });
export const completed = (response: Record<string, unknown> = { id: 'resp_1' }) => ev({ type: 'response.completed', response });
export const textDelta = (delta: string, output_index = 0, content_index = 0) =>
  ev({ type: 'response.output_text.delta', item_id: 'msg_1', output_index, content_index, delta });
export const textDone = (text: string, output_index = 0, content_index = 0) =>
  ev({ type: 'response.output_text.done', item_id: 'msg_1', output_index, content_index, text });
export const summaryDelta = (delta: string, output_index = 0, summary_index = 0) =>
  ev({ type: 'response.reasoning_summary_text.delta', item_id: 'rs_1', output_index, summary_index, delta });
export const summaryDone = (text: string, output_index = 0, summary_index = 0) =>
  ev({ type: 'response.reasoning_summary_text.done', item_id: 'rs_1', output_index, summary_index, text });
export const reasoningDelta = (delta: string, output_index = 0, content_index = 0) =>
  ev({ type: 'response.reasoning_text.delta', item_id: 'rs_1', output_index, content_index, delta });
export const reasoningDone = (text: string, output_index = 0, content_index = 0) =>
  ev({ type: 'response.reasoning_text.done', item_id: 'rs_1', output_index, content_index, text });
export const fcAdded = (id: string, call_id: string, name: string, output_index = 0) =>
  ev({ type: 'response.output_item.added', output_index, item: { type: 'function_call', id, call_id, name, arguments: '' } });
export const argsDelta = (item_id: string, delta: string, output_index = 0) =>
  ev({ type: 'response.function_call_arguments.delta', item_id, output_index, delta });
export const argsDone = (fields: Record<string, unknown>) => ev({ type: 'response.function_call_arguments.done', ...fields });
export const reasoningAdded = (id: string, output_index = 0) =>
  ev({ type: 'response.output_item.added', output_index, item: { type: 'reasoning', id, summary: [] } });
export const reasoningItemDone = (id: string, encrypted_content: string | undefined, output_index = 0) =>
  ev({ type: 'response.output_item.done', output_index, item: { type: 'reasoning', id, summary: [], encrypted_content } });

export const byType = <T extends CodexEvent['type']>(events: CodexEvent[], type: T) =>
  events.filter((e): e is Extract<CodexEvent, { type: T }> => e.type === type);
