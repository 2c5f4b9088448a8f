import { lastValueFrom, toArray } from 'rxjs';
import { z } from 'zod';
import { CodexClient } from '../../src/client/CodexClient.js';
import { defineTool } from '../../src/agent/defineTool.js';
import type { AgentEvent } from '../../src/agent/types.js';
import { CodexHttpError } from '../../src/errors.js';
import { userMessage } from '../../src/messages.js';
import { scriptedConversation } from '../../src/testing/mock/conversation.js';
import { fakeAccessToken, startMockCodexServer, type MockCodexServer } from '../../src/testing/index.js';
import { textTurn, toolCallTurn } from '../../src/testing/transcripts.js';

const clock = defineTool({
  name: 'clock',
  description: 'The time in a time zone',
  input: z.object({ tz: z.string() }),
  execute: ({ tz }) => `12:00 ${tz}`,
});
const wordCount = defineTool({
  name: 'word_count',
  description: 'Counts words',
  input: z.object({ text: z.string() }),
  execute: ({ text }) => ({ words: text.split(/\s+/).filter(Boolean).length }),
});

describe('CodexClient.run against the mock server', () => {
  let server: MockCodexServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });
  // Over HTTP: these check the history exactly as the client sends it, in every request.
  const client = () =>
    new CodexClient({ transport: 'sse', baseUrl: server!.baseUrl, accessToken: fakeAccessToken('acc_1'), retry: { maxRetries: 0 } });

  it('two steps: the tool call goes out as function_call after its reasoning (replayed with its id), the result as function_call_output', async () => {
    server = await startMockCodexServer({
      handler: scriptedConversation([
        {
          reply: {
            events: toolCallTurn({
              responseId: 'resp_1',
              reasoning: { summary: ['Need the time.'], encryptedContent: 'enc_1', id: 'rs_1' },
              calls: [{ callId: 'call_1', name: 'clock', arguments: ['{"tz":', '"UTC"}'] }],
            }),
            chunkSize: 13,
          },
        },
        {
          match: (request) => request.toolOutputs[0]?.output === '12:00 UTC' || `tool outputs were ${JSON.stringify(request.toolOutputs)}`,
          reply: (request) => ({ events: textTurn({ responseId: 'resp_2', text: ['It is ', request.toolOutputs[0]!.output, '.'] }) }),
        },
      ]),
    });
    const events = await lastValueFrom(
      client()
        .run([userMessage('What time is it?')], [clock])
        .pipe(toArray()),
    );
    const finish = events.at(-1) as Extract<AgentEvent, { type: 'finish' }>;
    expect(finish).toMatchObject({ type: 'finish', reason: 'done', steps: 2, result: { text: 'It is 12:00 UTC.' } });
    expect(events.filter((e) => e.type === 'tool-result')).toEqual([
      { type: 'tool-result', step: 1, callId: 'call_1', name: 'clock', output: '12:00 UTC', isError: false },
    ]);

    expect(server.requests).toHaveLength(2);
    const first = server.requests[0]!.json as { input: unknown[]; tools: unknown[] };
    expect(first.input).toEqual([{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'What time is it?' }] }]);
    expect(first.tools).toEqual([
      {
        type: 'function',
        name: 'clock',
        description: 'The time in a time zone',
        parameters: { additionalProperties: false, properties: { tz: { type: 'string' } }, required: ['tz'], type: 'object' },
      },
    ]);
    const second = server.requests[1]!.json as { input: Record<string, unknown>[] };
    expect(second.input).toEqual([
      { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'What time is it?' }] },
      { type: 'reasoning', id: 'rs_1', content: [], summary: [], encrypted_content: 'enc_1' },
      {
        type: 'function_call',
        id: expect.stringMatching(/^fc_[0-9a-f]{32}$/),
        call_id: 'call_1',
        name: 'clock',
        arguments: '{"tz":"UTC"}',
        status: 'completed',
      },
      { type: 'function_call_output', call_id: 'call_1', output: '12:00 UTC', status: 'completed' },
    ]);
  });

  it('three steps: parallel calls answered in call order, an invalid call answered with an error, the history replayed each time', async () => {
    server = await startMockCodexServer({
      handler: scriptedConversation([
        {
          reply: {
            events: toolCallTurn({
              responseId: 'resp_1',
              reasoning: { summary: ['Two things.'], encryptedContent: 'enc_1', id: 'rs_1' },
              calls: [
                { callId: 'call_a', name: 'clock', arguments: ['{"tz":"CET"}'] },
                { callId: 'call_b', name: 'word_count', arguments: ['{"text":"one two three"}'] },
              ],
            }),
          },
        },
        {
          match: (request) => request.toolOutputs.length === 2,
          reply: {
            events: toolCallTurn({
              responseId: 'resp_2',
              reasoning: { summary: ['Again.'], encryptedContent: 'enc_2', id: 'rs_2' },
              text: ['Checking once more.'],
              calls: [{ callId: 'call_c', name: 'clock', arguments: ['{"zone":"UTC"}'] }],
            }),
          },
        },
        { reply: (request) => ({ events: textTurn({ responseId: 'resp_3', text: [`Seen ${request.toolOutputs.length} results.`] }) }) },
      ]),
    });
    const finish = (await lastValueFrom(client().run([userMessage('Go')], [clock, wordCount]))) as Extract<AgentEvent, { type: 'finish' }>;
    expect(finish).toMatchObject({ reason: 'done', steps: 3, result: { text: 'Seen 3 results.' } });

    const inputs = server.requests.map((r) => (r.json as { input: Record<string, unknown>[] }).input);
    expect(
      inputs.map((input) =>
        input.map(
          (item) => `${item.type}${item.call_id ? `:${item.call_id}` : ''}${item.id && item.type === 'reasoning' ? `:${item.id}` : ''}`,
        ),
      ),
    ).toEqual([
      ['message'],
      [
        'message',
        'reasoning:rs_1',
        'function_call:call_a',
        'function_call:call_b',
        'function_call_output:call_a',
        'function_call_output:call_b',
      ],
      [
        'message',
        'reasoning:rs_1',
        'function_call:call_a',
        'function_call:call_b',
        'function_call_output:call_a',
        'function_call_output:call_b',
        'reasoning:rs_2',
        'function_call:call_c',
        'function_call_output:call_c',
      ],
    ]);
    const third = inputs[2]!;
    expect(third.filter((i) => i.type === 'function_call_output').map((i) => i.output)).toEqual([
      '12:00 CET',
      '{"words":3}',
      'Invalid input for tool "clock": tz: Invalid input: expected string, received undefined',
    ]);
    expect(third.find((i) => i.type === 'reasoning' && i.id === 'rs_2')).toEqual({
      type: 'reasoning',
      id: 'rs_2',
      content: [],
      summary: [],
      encrypted_content: 'enc_2',
    });
  });

  it('a step that does not match the script fails the loop with the reason the mock gave', async () => {
    server = await startMockCodexServer({
      handler: scriptedConversation([
        { reply: { events: toolCallTurn({ calls: [{ callId: 'call_1', name: 'clock', arguments: ['{"tz":"UTC"}'] }] }) } },
        { match: () => 'expected something else', reply: {} },
      ]),
    });
    const error = await lastValueFrom(client().run([userMessage('x')], [clock])).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CodexHttpError);
    expect((error as CodexHttpError).status).toBe(400);
    expect((error as CodexHttpError).message).toContain(
      'request 2 does not match step 2 of the scripted conversation: expected something else',
    );
  });
});
