import type { MockReply, RecordedRequest } from './types.js';

/** A request of a scripted conversation, with what the client sent made easy to read. */
export interface ConversationRequest extends RecordedRequest {
  /** The body's `input` items (`[]` when there are none). */
  input: Record<string, unknown>[];
  /** The `function_call_output` items, in order: what the tools answered, by call id. */
  toolOutputs: { callId: string; output: string }[];
  /** The text of the last user message item, if any. */
  lastUserText?: string;
}

/** One exchange of a scripted conversation. */
export interface ConversationStep {
  /**
   * Checks the request this step answers. `false` (or a string saying what was wrong) answers
   * with a 400 whose message names the step, so the test fails with the reason.
   * @default undefined (any request)
   */
  match?: (request: ConversationRequest) => boolean | string;
  /** The reply, or a function of the request that builds it (e.g. text quoting a tool's output). */
  reply: MockReply | ((request: ConversationRequest) => MockReply);
}

/**
 * A mock server `handler` that plays a conversation: each request to the endpoint is answered
 * by the next step, which can check the request and build its reply from it. Give it a list
 * of steps, or one function of the request and its position (from 0).
 *
 * 1. Steps are used in order, one per request. A step whose `match` rejects the request, and
 *    a request after the last step, get an error reply (400, or 500 when the script ran out)
 *    with `x-should-retry: false`, whose message says which step and why.
 * 2. The request is handed over with its `input` items, the tools' answers (`toolOutputs`)
 *    and the last user text already picked out.
 *
 * ## Example
 * ```ts
 * import { CodexClient, defineTool, userMessage } from 'codex-rx';
 * import { fakeAccessToken, scriptedConversation, startMockCodexServer, textTurn, toolCallTurn } from 'codex-rx/testing';
 * import { lastValueFrom } from 'rxjs';
 * import { z } from 'zod';
 *
 * const server = await startMockCodexServer({
 *   handler: scriptedConversation([
 *     { reply: { events: toolCallTurn({ calls: [{ callId: 'call_1', name: 'now', arguments: ['{}'] }] }) } },
 *     {
 *       match: (request) => request.toolOutputs.length === 1 || 'expected the tool result',
 *       reply: (request) => ({ events: textTurn({ text: [`It is ${request.toolOutputs[0]!.output}.`] }) }),
 *     },
 *   ]),
 * });
 * const client = new CodexClient({ baseUrl: server.baseUrl, accessToken: fakeAccessToken() });
 * const now = defineTool({ name: 'now', description: 'The time', input: z.object({}), execute: () => '12:00' });
 * const finish = await lastValueFrom(client.run([userMessage('What time is it?')], [now]));
 * // finish.type === 'finish', finish.result.text === 'It is 12:00.'
 * await server.close();
 * ```
 *
 * @param script The steps, or a function of each request and its position.
 * @return A handler for `startMockCodexServer({ handler })`.
 */
export function scriptedConversation(
  script: readonly ConversationStep[] | ((request: ConversationRequest, index: number) => MockReply),
): (request: RecordedRequest) => MockReply {
  let next = 0;
  return (recorded) => {
    const index = next++;
    const request = readConversationRequest(recorded);
    if (typeof script === 'function') return script(request, index);
    const step = script[index];
    if (step === undefined) return refuse(500, `the scripted conversation has ${script.length} steps; request ${index + 1} has none`);
    const verdict = step.match?.(request) ?? true;
    if (verdict !== true) {
      const why = typeof verdict === 'string' ? verdict : 'its match returned false';
      return refuse(400, `request ${index + 1} does not match step ${index + 1} of the scripted conversation: ${why}`);
    }
    return typeof step.reply === 'function' ? step.reply(request) : step.reply;
  };
}

/** The request with its input items, tool outputs and last user text picked out. */
function readConversationRequest(recorded: RecordedRequest): ConversationRequest {
  const body = recorded.json as { input?: unknown } | undefined;
  const input = Array.isArray(body?.input)
    ? (body.input.filter((item) => typeof item === 'object' && item !== null) as Record<string, unknown>[])
    : [];
  const toolOutputs = input
    .filter((item) => item.type === 'function_call_output')
    .map((item) => ({ callId: String(item.call_id), output: typeof item.output === 'string' ? item.output : JSON.stringify(item.output) }));
  const request: ConversationRequest = { ...recorded, input, toolOutputs };
  for (const item of input) {
    if (item.type !== 'message' || item.role !== 'user' || !Array.isArray(item.content)) continue;
    const text = (item.content as { type?: unknown; text?: unknown }[])
      .filter((part) => part.type === 'input_text' && typeof part.text === 'string')
      .map((part) => part.text as string)
      .join('');
    request.lastUserText = text;
  }
  return request;
}

function refuse(status: number, message: string): MockReply {
  return { status, headers: { 'x-should-retry': 'false' }, json: { error: { type: 'invalid_request_error', message } } };
}
