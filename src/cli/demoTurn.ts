/**
 * The scripted turn the embedded mock plays: reasoning (a summary), text and a tool call, as
 * the wire events the Codex backend sends (shapes as in the recorded streams), with deltas cut
 * where a model's tokens would fall.
 */
import type { ExecutableTool } from '../agent/types.js';
import type { MockReply, textTurn } from '../testing/index.js';

/**
 * The tool the demo turn calls, offered in the request like a real agent would, and run by the
 * CLI's tool loop. Harmless: it answers from fixed demo data and touches nothing.
 */
export const DEMO_TOOL: ExecutableTool = {
  execute: (input) => {
    const { city = 'somewhere', unit = 'celsius' } = (input ?? {}) as { city?: string; unit?: string };
    return {
      city,
      temperature: unit === 'fahrenheit' ? 64 : 18,
      unit,
      conditions: 'light rain',
      source: 'codex-rx demo data, not a forecast',
    };
  },
  name: 'get_weather',
  description: 'Get the current weather for a city.',
  parameters: {
    type: 'object',
    properties: {
      city: { type: 'string', description: 'City name' },
      unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
    },
    required: ['city'],
    additionalProperties: false,
  },
};

const RESPONSE_ID = 'resp_demo0001codexrx';
const REASONING_ID = 'rs_demo0001codexrx';
const MESSAGE_ID = 'msg_demo0001codexrx';
const CALL_ITEM_ID = 'fc_demo0001codexrx';
const CALL_ID = 'call_demo0001codexrx';
const MODEL = 'gpt-5.5';

/** Splits text where tokens would: each word with the spaces before it. */
export function tokenize(text: string): string[] {
  return text.match(/\s*\S+|\s+$/g) ?? [];
}

function quote(prompt: string): string {
  const line = prompt.replace(/\s+/g, ' ').trim();
  return line.length > 120 ? `${line.slice(0, 117)}...` : line;
}

/**
 * The wire events of the demo turn.
 *
 * @param prompt The user's prompt, quoted in the reasoning so the turn visibly answers it.
 * @return The events, from `response.created` to `response.completed` (with usage).
 */
export function demoTurnEvents(prompt: string): object[] {
  const summary =
    `**Planning the reply**\n\nThe user asked: "${quote(prompt)}". This turn is played by codex-rx's ` +
    'embedded mock server, so I will explain what is streaming and show a tool call.';
  const text =
    'This reply comes from the embedded mock Codex server on 127.0.0.1. Each word travels the same ' +
    'path a live response takes: an HTTP request sent with undici, SSE framing, zod-checked events ' +
    'and the RxJS pipeline that turns them into typed CodexEvents. To show a tool call, I will ask ' +
    'for the weather in Paris.';
  const args = JSON.stringify({ city: 'Paris', unit: 'celsius' });
  const encrypted = 'gAAAAABdemo-encrypted-reasoning-for-codex-rx';

  let seq = 0;
  const ev = (type: string, fields: Record<string, unknown>): object => ({ type, sequence_number: seq++, ...fields });
  const response = (status: string, output: unknown[], usage: unknown) => ({
    id: RESPONSE_ID,
    object: 'response',
    created_at: 1_767_225_600,
    status,
    model: MODEL,
    output,
    parallel_tool_calls: false,
    store: false,
    tool_choice: 'auto',
    usage,
  });
  const reasoningItem = {
    id: REASONING_ID,
    type: 'reasoning',
    encrypted_content: encrypted,
    summary: [{ type: 'summary_text', text: summary }],
  };
  const messageItem = {
    id: MESSAGE_ID,
    type: 'message',
    status: 'completed',
    role: 'assistant',
    content: [{ type: 'output_text', annotations: [], text }],
  };
  const callItem = {
    id: CALL_ITEM_ID,
    type: 'function_call',
    status: 'completed',
    arguments: args,
    call_id: CALL_ID,
    name: DEMO_TOOL.name,
  };

  const events: object[] = [];
  events.push(ev('response.created', { response: response('in_progress', [], null) }));
  events.push(ev('response.in_progress', { response: response('in_progress', [], null) }));

  events.push(
    ev('response.output_item.added', {
      output_index: 0,
      item: { id: REASONING_ID, type: 'reasoning', encrypted_content: encrypted, summary: [] },
    }),
  );
  events.push(
    ev('response.reasoning_summary_part.added', {
      item_id: REASONING_ID,
      output_index: 0,
      summary_index: 0,
      part: { type: 'summary_text', text: '' },
    }),
  );
  for (const delta of tokenize(summary)) {
    events.push(ev('response.reasoning_summary_text.delta', { item_id: REASONING_ID, output_index: 0, summary_index: 0, delta }));
  }
  events.push(ev('response.reasoning_summary_text.done', { item_id: REASONING_ID, output_index: 0, summary_index: 0, text: summary }));
  events.push(
    ev('response.reasoning_summary_part.done', {
      item_id: REASONING_ID,
      output_index: 0,
      summary_index: 0,
      part: { type: 'summary_text', text: summary },
    }),
  );
  events.push(ev('response.output_item.done', { output_index: 0, item: reasoningItem }));

  events.push(ev('response.output_item.added', { output_index: 1, item: { ...messageItem, status: 'in_progress', content: [] } }));
  events.push(
    ev('response.content_part.added', {
      item_id: MESSAGE_ID,
      output_index: 1,
      content_index: 0,
      part: { type: 'output_text', annotations: [], text: '' },
    }),
  );
  for (const delta of tokenize(text)) {
    events.push(ev('response.output_text.delta', { item_id: MESSAGE_ID, output_index: 1, content_index: 0, delta }));
  }
  events.push(ev('response.output_text.done', { item_id: MESSAGE_ID, output_index: 1, content_index: 0, text }));
  events.push(
    ev('response.content_part.done', {
      item_id: MESSAGE_ID,
      output_index: 1,
      content_index: 0,
      part: { type: 'output_text', annotations: [], text },
    }),
  );
  events.push(ev('response.output_item.done', { output_index: 1, item: messageItem }));

  events.push(ev('response.output_item.added', { output_index: 2, item: { ...callItem, status: 'in_progress', arguments: '' } }));
  for (const delta of args.match(/.{1,6}/g) ?? []) {
    events.push(ev('response.function_call_arguments.delta', { item_id: CALL_ITEM_ID, output_index: 2, delta }));
  }
  events.push(ev('response.function_call_arguments.done', { item_id: CALL_ITEM_ID, output_index: 2, arguments: args }));
  events.push(ev('response.output_item.done', { output_index: 2, item: callItem }));

  const usage = {
    input_tokens: 1_342,
    input_tokens_details: { cached_tokens: 1_024 },
    output_tokens: 187,
    output_tokens_details: { reasoning_tokens: 64 },
    total_tokens: 1_529,
  };
  events.push(ev('response.completed', { response: response('completed', [reasoningItem, messageItem, callItem], usage) }));
  return events;
}

/**
 * The mock reply that plays the demo turn with a model's pacing: a short wait for the headers
 * (time to first byte), then the body in small chunks, about 25 words a second.
 *
 * @param prompt The user's prompt.
 * @param pace 1 for realistic pacing; 0 to send everything at once (tests).
 * @return The reply for `startMockCodexServer({ replies: [...] })`.
 */
export function demoReply(prompt: string, pace = 1): MockReply {
  const reply: MockReply = { status: 200, events: demoTurnEvents(prompt) };
  if (pace > 0) {
    reply.headersDelayMs = Math.round(350 * pace);
    reply.chunkSize = 64;
    reply.chunkDelayMs = Math.round(12 * pace);
  }
  return reply;
}

/**
 * The mock's answer once the tool result came back: text that quotes what the tool said, so the
 * loop visibly went round (request → tool call → tool run → result sent → answer).
 *
 * @param toolOutput The `function_call_output` the CLI sent.
 * @param pace As {@link demoReply}.
 * @param turn The testing kit's `textTurn` (loaded only for the demo).
 * @return The reply of the second step.
 */
export function demoAnswerReply(toolOutput: string, pace: number, turn: typeof textTurn): MockReply {
  let weather: { temperature?: number; unit?: string; conditions?: string; city?: string } = {};
  try {
    weather = JSON.parse(toolOutput) as typeof weather;
  } catch {
    // Not JSON: quoted as it is below.
  }
  const said =
    weather.temperature === undefined
      ? `the tool said: ${toolOutput}`
      : `it is ${weather.temperature}° ${weather.unit === 'fahrenheit' ? 'F' : 'C'} with ${weather.conditions} in ${weather.city}`;
  const text =
    `The get_weather tool ran in this process and ${said} (demo data). That was a whole agent loop: ` +
    'the mock asked for a tool, CodexClient.run executed it, sent the result back, and this answer used it.';
  const reply: MockReply = {
    status: 200,
    events: turn({
      responseId: 'resp_demo0002codexrx',
      text: tokenize(text),
      usage: { inputTokens: 1_410, outputTokens: 52, cacheReadInputTokens: 1_280 },
    }),
  };
  if (pace > 0) {
    reply.headersDelayMs = Math.round(250 * pace);
    reply.chunkSize = 64;
    reply.chunkDelayMs = Math.round(12 * pace);
  }
  return reply;
}
