/**
 * The 29 recorded Responses streams (spec/fixtures/recorded, from vercel/ai), framed as
 * SSE (`event: <type>\ndata: <line>\n\n`) and fed through parseResponseStream(). What each
 * should produce is computed here from the raw events, simply and independently of the reducer.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { from } from 'rxjs';
import { CodexStreamError, UsageLimitError } from '../../src/errors.js';
import { parseResponseStream } from '../../src/parseResponseStream.js';
import type { CodexEvent, ContentBlock, ThinkingBlock, Usage } from '../../src/types.js';
import { chunksOf, everySplit } from '../helpers/splits.js';
import { RECORDED_FIXTURES_DIR } from '../helpers/fixtures.js';
import { at } from '../helpers/at.js';

const DIR = RECORDED_FIXTURES_DIR;
const files = readdirSync(DIR)
  .filter((f) => f.endsWith('.jsonl'))
  .sort();

interface Wire {
  type: string;
  [key: string]: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

interface Run {
  events: CodexEvent[];
  error?: unknown;
  completed: boolean;
}

const encoder = new TextEncoder();
const lines = (file: string): string[] =>
  readFileSync(join(DIR, file), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
const frame = (ls: string[]): Uint8Array =>
  encoder.encode(ls.map((l) => `event: ${(JSON.parse(l) as Wire).type}\ndata: ${l}\n\n`).join(''));

function run(chunks: Uint8Array[]): Run {
  const result: Run = { events: [], completed: false };
  from(chunks)
    .pipe(parseResponseStream())
    .subscribe({ next: (e) => result.events.push(e), error: (e) => (result.error = e), complete: () => (result.completed = true) });
  return result;
}

/** Splits a file's lines into responses, each starting at a response.created. */
function responses(ls: string[]): string[][] {
  const out: string[][] = [];
  for (const l of ls) {
    if ((JSON.parse(l) as Wire).type === 'response.created' || out.length === 0) out.push([]);
    at(out, out.length - 1).push(l);
  }
  return out;
}

interface Expected {
  textDeltas: string[];
  reasoningDeltas: string[];
  toolCalls: { id: string; name: string; input: unknown }[];
  encryptedReasoning: { id: string; encryptedContent: string }[];
  usage?: Usage;
  responseId?: string;
  status?: 'completed' | 'incomplete';
  error?: { kind: 'usage-limit' | 'stream'; serverMessage: string };
}

/** What the raw events call for, read up to the first terminal or error event (the stream ends there). */
function expectationOf(ls: string[]): Expected {
  const x: Expected = { textDeltas: [], reasoningDeltas: [], toolCalls: [], encryptedReasoning: [] };
  const streamedText = new Set<string>();
  const streamedReasoning = new Set<string>();
  const calls = new Map<string, { callId: string; name: string }>();
  for (const l of ls) {
    const e = JSON.parse(l) as Wire;
    switch (e.type) {
      case 'response.output_text.delta':
        x.textDeltas.push(e.delta);
        streamedText.add(`${e.output_index}:${e.content_index}`);
        break;
      case 'response.output_text.done': {
        const key = `${e.output_index}:${e.content_index}`;
        if (e.text && !streamedText.has(key)) x.textDeltas.push(e.text);
        streamedText.add(key);
        break;
      }
      case 'response.reasoning_summary_text.delta':
      case 'response.reasoning_text.delta':
        x.reasoningDeltas.push(e.delta);
        streamedReasoning.add(`${e.type.split('.')[1]}:${e.output_index}:${e.summary_index ?? e.content_index}`);
        break;
      case 'response.reasoning_summary_text.done':
      case 'response.reasoning_text.done': {
        const key = `${e.type.split('.')[1]}:${e.output_index}:${e.summary_index ?? e.content_index}`;
        if (e.text && !streamedReasoning.has(key)) x.reasoningDeltas.push(e.text);
        streamedReasoning.add(key);
        break;
      }
      case 'response.output_item.added':
        if (e.item?.type === 'function_call') calls.set(e.item.id, { callId: e.item.call_id, name: e.item.name });
        break;
      case 'response.output_item.done':
        if (e.item?.type === 'reasoning' && e.item.encrypted_content)
          x.encryptedReasoning.push({ id: e.item.id, encryptedContent: e.item.encrypted_content });
        break;
      case 'response.function_call_arguments.done': {
        const meta = calls.get(e.item_id);
        x.toolCalls.push({
          id: e.call_id ?? meta?.callId ?? e.item_id,
          name: e.call_id ? (e.name ?? '') : (meta?.name ?? e.name ?? ''),
          input: JSON.parse(e.arguments),
        });
        break;
      }
      case 'response.completed':
      case 'response.done':
      case 'response.incomplete': {
        const u = e.response?.usage;
        if (u && typeof u.input_tokens === 'number') {
          x.usage = { inputTokens: u.input_tokens, outputTokens: u.output_tokens ?? 0 };
          if (u.input_tokens_details?.cached_tokens > 0) x.usage.cacheReadInputTokens = u.input_tokens_details.cached_tokens;
          if (u.output_tokens_details?.reasoning_tokens > 0) x.usage.reasoningTokens = u.output_tokens_details.reasoning_tokens;
        }
        x.responseId = e.response?.id;
        x.status = e.type === 'response.incomplete' || e.response?.status === 'incomplete' ? 'incomplete' : 'completed';
        return x;
      }
      case 'error': {
        const err = e.error ?? e;
        const limit = ['usage_limit_reached', 'usage_not_included', 'insufficient_quota'].some((c) => err.code === c || err.type === c);
        x.error = { kind: limit ? 'usage-limit' : 'stream', serverMessage: err.message ?? e.message };
        return x;
      }
      case 'response.failed':
        x.error = { kind: 'stream', serverMessage: e.response?.error?.message };
        return x;
    }
  }
  return x;
}

const ofType = <T extends CodexEvent['type']>(events: CodexEvent[], type: T) =>
  events.filter((e): e is Extract<CodexEvent, { type: T }> => e.type === type);

function assertMatches(result: Run, x: Expected): void {
  expect(ofType(result.events, 'text-delta').map((e) => e.delta)).toEqual(x.textDeltas);
  expect(ofType(result.events, 'reasoning-delta').map((e) => e.delta)).toEqual(x.reasoningDeltas);
  if (x.error !== undefined) {
    expect(result.error).toBeInstanceOf(x.error.kind === 'usage-limit' ? UsageLimitError : CodexStreamError);
    expect((result.error as Error).message).toContain(x.error.serverMessage);
    expect(result.completed).toBe(false);
    return;
  }
  expect(result.error).toBeUndefined();
  expect(result.completed).toBe(true);
  const toolCalls = ofType(result.events, 'tool-calls');
  if (x.toolCalls.length === 0) expect(toolCalls).toEqual([]);
  else expect(toolCalls.map((e) => e.toolCalls.map(({ id, name, input }) => ({ id, name, input })))).toEqual([x.toolCalls]);
  expect(ofType(result.events, 'usage').map((e) => e.usage)).toEqual(x.usage === undefined ? [] : [x.usage]);
  const done = ofType(result.events, 'done');
  expect(done).toEqual([{ type: 'done', status: x.status, ...(x.responseId ? { responseId: x.responseId } : {}) }]);
  expect(result.events[result.events.length - 1]).toBe(done[0]);

  const blocks: ContentBlock[] = ofType(result.events, 'content-block').map((e) => e.block);
  const texts = blocks.filter((b): b is Extract<ContentBlock, { type: 'text' }> => b.type === 'text');
  const thinking = blocks.filter((b): b is ThinkingBlock => b.type === 'thinking');
  expect(texts.map((b) => b.text).join('')).toBe(x.textDeltas.join(''));
  expect(thinking.map((b) => b.thinking).join('')).toBe(x.reasoningDeltas.join(''));
  expect(blocks.filter((b) => b.type === 'tool_use')).toEqual(x.toolCalls.map((c) => ({ type: 'tool_use', ...c })));
  for (const item of x.encryptedReasoning) {
    expect(thinking.filter((b) => b.id === item.id && b.encryptedContent === item.encryptedContent)).toHaveLength(1);
  }
}

describe('recorded fixtures', () => {
  it('are all here', () => {
    expect(files).toHaveLength(29);
  });

  describe.each(files)('%s', (file) => {
    const ls = lines(file);
    const body = frame(ls);
    const segments = responses(ls);
    const whole = run([body]);

    it('fed whole, produces what its events call for (the first response: it stops at the first terminal event)', () => {
      assertMatches(whole, expectationOf(ls));
    });

    it('each response, fed alone, produces what its own events call for', () => {
      for (const segment of segments) assertMatches(run([frame(segment)]), expectationOf(segment));
      if (segments.length > 1) {
        // The whole file ends at the first response's terminal event.
        expect(whole).toEqual(run([frame(at(segments, 0))]));
        expect(ofType(whole.events, 'done')).toHaveLength(1);
      }
    });

    it('fed in chunks of 1 to 7 bytes, gives the same events', () => {
      const want = JSON.stringify(whole);
      for (let n = 1; n <= 7; n++) {
        const result = run(chunksOf(body, n));
        if (JSON.stringify(result) !== want) expect({ n, ...result }).toEqual({ n, ...whole });
      }
    });
  });

  it.each([
    'openai-error.1.jsonl',
    'openai-custom-tool.1.jsonl',
    'openai-apply-patch-tool-delete.1.jsonl',
    'programmatic-tool-calling.2.jsonl',
  ])('%s split at every byte gives the same events', (file) => {
    const body = frame(lines(file));
    const whole = run([body]);
    const want = JSON.stringify(whole);
    for (const chunks of everySplit(body)) {
      const result = run(chunks);
      if (JSON.stringify(result) !== want) expect({ at: at(chunks, 0).length, ...result }).toEqual({ at: at(chunks, 0).length, ...whole });
    }
  });

  it('openai-error: the in-stream insufficient_quota error is a UsageLimitError, before response.failed', () => {
    const result = run([frame(lines('openai-error.1.jsonl'))]);
    expect(result.error).toBeInstanceOf(UsageLimitError);
    expect((result.error as UsageLimitError).message).toMatch(/^You have hit your ChatGPT usage limit\. You exceeded your current quota/);
    expect((result.error as UsageLimitError).partial).toBeUndefined();
    expect(result.events).toEqual([]);
  });

  it('the expectations are not vacuous: the fixtures exercise text, reasoning, encrypted reasoning, tool calls, usage and errors', () => {
    const all = files.map((f) => expectationOf(lines(f)));
    expect(all.filter((x) => x.textDeltas.length > 0).length).toBeGreaterThan(10);
    expect(all.some((x) => x.reasoningDeltas.length > 0)).toBe(true);
    expect(all.some((x) => x.encryptedReasoning.length > 0)).toBe(true);
    expect(all.some((x) => x.toolCalls.length > 0)).toBe(true);
    expect(all.some((x) => x.usage?.cacheReadInputTokens !== undefined || x.usage?.reasoningTokens !== undefined)).toBe(true);
    expect(all.filter((x) => x.error !== undefined)).toHaveLength(1);
  });
});
