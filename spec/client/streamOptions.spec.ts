import { defer, firstValueFrom, lastValueFrom, Observable, tap, toArray } from 'rxjs';
import { z } from 'zod';
import { CodexClient } from '../../src/client/CodexClient.js';
import { defineTool } from '../../src/agent/defineTool.js';
import type { AgentEvent } from '../../src/agent/types.js';
import { CodexAbortError, ConfigError, OutputValidationError, StreamTruncatedError } from '../../src/errors.js';
import { userMessage } from '../../src/messages.js';
import { jsonSchemaTextFormat } from '../../src/output/textFormat.js';
import { collectResponse } from '../../src/reduce/collectResponse.js';
import { scriptedConversation } from '../../src/testing/mock/conversation.js';
import { fakeAccessToken, startMockCodexServer, type MockCodexServer, type MockReply } from '../../src/testing/index.js';
import { textTurn, toolCallTurn } from '../../src/testing/transcripts.js';
import type { CodexEvent } from '../../src/types.js';
import { expectConfigRejection } from '../helpers/configMessage.js';

const City = z.object({ city: z.string(), population: z.number() });
const cityJson = ['{"city": "Os', 'lo", "population": 709', '000}'];

describe('per-call stream options', () => {
  let server: MockCodexServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });
  const serve = async (...replies: MockReply[]) => (server = await startMockCodexServer({ replies }));
  const client = (extra: Record<string, unknown> = {}) =>
    new CodexClient({
      baseUrl: server!.baseUrl,
      accessToken: fakeAccessToken('acc_1'),
      transport: 'sse',
      retry: { maxRetries: 2, initialBackoffMs: 1, jitter: false },
      ...extra,
    });
  const body = (i = 0) => server!.requests[i]!.json as Record<string, unknown>;

  describe('structured output', () => {
    it('sends text.format, streams partial objects, then the validated object before done; collectResponse carries it', async () => {
      await serve({ events: textTurn({ text: cityJson }) }, { events: textTurn({ text: cityJson }) });
      const events = await lastValueFrom(
        client()
          .stream([userMessage('A city')], [], { output: City })
          .pipe(toArray()),
      );
      expect(body().text).toEqual({
        format: {
          type: 'json_schema',
          name: 'output',
          schema: {
            type: 'object',
            properties: { city: { type: 'string' }, population: { type: 'number' } },
            required: ['city', 'population'],
            additionalProperties: false,
          },
          strict: true,
        },
      });
      expect(events.filter((e) => e.type === 'object-delta').map((e) => e.object)).toEqual([
        { city: 'Os' },
        { city: 'Oslo' },
        { city: 'Oslo', population: 709000 },
      ]);
      expect(events.slice(-2)).toEqual([
        { type: 'object', object: { city: 'Oslo', population: 709000 } },
        expect.objectContaining({ type: 'done' }),
      ]);
      const result = await lastValueFrom(
        client()
          .stream([userMessage('A city')], [], { output: City })
          .pipe(collectResponse()),
      );
      expect(result.object).toEqual({ city: 'Oslo', population: 709000 });
    });

    it('the object is typed by the schema (type-checked)', async () => {
      await serve({ events: textTurn({ text: cityJson }) });
      const events = await lastValueFrom(
        client()
          .stream([userMessage('A city')], [], { output: City })
          .pipe(toArray()),
      );
      for (const event of events) {
        if (event.type === 'object') {
          const population: number = event.object.population;
          // @ts-expect-error: the schema has no such field
          void event.object.country;
          expect(population).toBe(709000);
        }
        if (event.type === 'object-delta') {
          const city: string | undefined = event.object.city;
          expect(typeof city === 'string' || city === undefined).toBe(true);
        }
      }
    });

    it('text that fails the schema errors with OutputValidationError, not retried', async () => {
      await serve({ events: textTurn({ text: ['{"city": 1}'] }) });
      const error = await lastValueFrom(client().stream([userMessage('x')], [], { output: City })).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OutputValidationError);
      expect((error as OutputValidationError).text).toBe('{"city": 1}');
      expect(server!.requests).toHaveLength(1);
    });
  });

  describe('text.format strictness', () => {
    it('is strict when every field is required and only supported keywords are used; every object is then closed', () => {
      const format = jsonSchemaTextFormat(
        z.object({ a: z.array(z.object({ b: z.string().nullable() })), c: z.enum(['x', 'y']) }).meta({ title: 'My Answer!' }),
      );
      expect(format.strict).toBe(true);
      expect(format.name).toBe('My_Answer_');
      expect((format.schema.properties as { a: { items: { additionalProperties: unknown } } }).a.items.additionalProperties).toBe(false);
    });
    it.each([
      ['an optional field', z.object({ a: z.string().optional() })],
      ['a default', z.object({ a: z.string().default('x') })],
      ['an unsupported keyword', z.object({ a: z.string().min(3) })],
      ['a record', z.object({ a: z.record(z.string(), z.number()) })],
      ['a root that is not an object', z.array(z.string())],
    ])('is not strict with %s (the schema is sent as it is)', (_name, schema) => {
      const format = jsonSchemaTextFormat(schema);
      expect(format.strict).toBe(false);
      expect(format.schema).not.toHaveProperty('$schema');
    });
  });

  it('model, reasoning, textVerbosity and toolChoice override the client for that call only', async () => {
    await serve({ events: textTurn({ text: ['a'] }) }, { events: textTurn({ text: ['b'] }) });
    const c = client({ model: 'gpt-5.5', textVerbosity: 'low' });
    const tool = { name: 'f', description: 'd', parameters: { type: 'object', properties: {} } };
    await lastValueFrom(
      c.stream([userMessage('x')], [tool], {
        model: 'gpt-5.3-codex',
        reasoning: { effort: 'high', summary: 'auto' },
        textVerbosity: 'high',
        toolChoice: { type: 'function', name: 'f' },
      }),
    );
    await lastValueFrom(c.stream([userMessage('x')], [tool]));
    expect(body(0)).toMatchObject({
      model: 'gpt-5.3-codex',
      reasoning: { effort: 'high', summary: 'auto' },
      text: { verbosity: 'high' },
      tool_choice: { type: 'function', name: 'f' },
    });
    expect(body(1)).toMatchObject({ model: 'gpt-5.5', text: { verbosity: 'low' }, tool_choice: 'auto' });
    expect(body(1)).not.toHaveProperty('reasoning');
  });

  it('rejects bad call options with a ConfigError that says what to do', async () => {
    await serve();
    const c = client();
    const err = (options: unknown, tools: never[] = []) => firstValueFrom(c.stream([userMessage('x')], tools, options as never));
    const tools = [{ name: 'f', description: '', parameters: {} }] as never[];
    await expectConfigRejection(err({ toolChoice: 'required' }), 'toolChoice asks for a tool call, but the call has no tools');
    await expectConfigRejection(
      err({ toolChoice: { type: 'function', name: 'g' } }, tools),
      'toolChoice names the function "g", which is not among the tools',
    );
    await expectConfigRejection(
      err({ toolChoice: 'any' }, tools),
      `toolChoice must be 'auto', 'none', 'required' or { type: 'function', name }, got "any"`,
    );
    const typo = await expectConfigRejection(err({ modle: 'x' }), 'Unexpected stream option: modle');
    expect(typo.message).toContain('Did you mean model?');
    await expectConfigRejection(err('fast'), 'stream options must be an object, got "fast"');
    await expectConfigRejection(err({ output: { type: 'object' } }), 'output must be a zod 4 schema, got an object');
    await expectConfigRejection(err({ signal: true }), 'signal must be an AbortSignal, got true');
    await expectConfigRejection(err({ model: '' }), 'model must be a non-empty model id');
    await expectConfigRejection(
      err({ headers: { Authorization: 'Bearer other' } }),
      'options.headers: "Authorization" is set by the client itself and cannot be replaced',
    );
    expect(server!.requests).toHaveLength(0);
  });

  it("run() checks the loop's and the stream's options in one table, before anything is sent", async () => {
    await serve();
    const c = client();
    const err = (options: unknown) => firstValueFrom(defer(() => c.run([userMessage('x')], [], options as never)));
    const typo = await expectConfigRejection(err({ maxStep: 3 }), 'Unexpected run option: maxStep');
    expect(typo.message).toContain('Did you mean maxSteps?');
    expect(typo.message).toContain('toolChoice');
    await expectConfigRejection(
      err({ toolTimeoutMs: 0 }),
      'toolTimeoutMs must be a positive number of milliseconds, at most 2147483647, got 0',
    );
    await expectConfigRejection(err({ signal: 'stop' }), 'signal must be an AbortSignal, got "stop"');
    await expectConfigRejection(
      firstValueFrom(defer(() => c.run('Hi' as never, []))),
      `run(): messages must be an array of messages, got "Hi"`,
    );
    expect(server!.requests).toHaveLength(0);
  });

  describe('headers and session id', () => {
    it('sends the client headers and the call headers; user-agent may be replaced, never the auth headers', async () => {
      await serve({ events: textTurn({ text: ['a'] }) });
      await lastValueFrom(
        client({ headers: { 'X-Team': 'core', 'User-Agent': 'my-app/1' } }).stream([userMessage('x')], [], {
          headers: { 'x-request': 'r1', 'x-team': 'call' },
        }),
      );
      const headers = server!.requests[0]!.headers;
      expect(headers).toMatchObject({ 'x-team': 'call', 'x-request': 'r1', 'user-agent': 'my-app/1', 'chatgpt-account-id': 'acc_1' });
      expect(headers.authorization).toBe(`Bearer ${fakeAccessToken('acc_1')}`);
    });

    it.each(['authorization', 'ChatGPT-Account-Id', 'session_id', 'originator', 'content-type'])(
      'config headers may not set %s',
      (name) => {
        expect(() => new CodexClient({ headers: { [name]: 'x' } })).toThrow(ConfigError);
      },
    );

    it('a configured sessionId is sent as session_id and prompt_cache_key; more than 64 characters is refused', async () => {
      await serve({ events: textTurn({ text: ['a'] }) });
      const c = client({ sessionId: 'conversation-42' });
      expect(c.sessionId).toBe('conversation-42');
      await lastValueFrom(c.stream([userMessage('x')]));
      expect(server!.requests[0]!.headers.session_id).toBe('conversation-42');
      expect(body().prompt_cache_key).toBe('conversation-42');
      expect(() => new CodexClient({ sessionId: 'x'.repeat(65) })).toThrow(/sessionId must be at most 64 characters, got 65/);
      expect(() => new CodexClient({ sessionId: '' })).toThrow(ConfigError);
    });
  });

  describe('abort signal', () => {
    it('aborting mid-stream errors with CodexAbortError carrying what streamed, cancels the request and is not retried', async () => {
      const events = textTurn({ text: ['Hello', ' wor'] });
      const wire = events.slice(0, -3);
      await serve({ events: wire, stall: true });
      const controller = new AbortController();
      const seen: CodexEvent[] = [];
      const result = lastValueFrom(
        client()
          .stream([userMessage('x')], [], { signal: controller.signal })
          .pipe(
            tap((event) => {
              seen.push(event);
              if (seen.filter((e) => e.type === 'text-delta').length === 2) controller.abort();
            }),
          ),
      ).catch((e: unknown) => e);
      const error = await result;
      expect(error).toBeInstanceOf(CodexAbortError);
      expect(error).not.toBeInstanceOf(StreamTruncatedError);
      expect((error as CodexAbortError).code).toBe('aborted');
      expect((error as CodexAbortError).partial).toEqual({ text: 'Hello wor', reasoning: '', toolCalls: [] });
      await expect(server!.responseOutcome(0)).resolves.toMatchObject({ kind: 'client-closed' });
      expect(server!.requests).toHaveLength(1);
    });

    it('an already aborted signal errors at once without sending anything', async () => {
      await serve({ events: textTurn({ text: ['a'] }) });
      const error = await lastValueFrom(
        client().stream([userMessage('x')], [], { signal: AbortSignal.abort(new Error('user left')) }),
      ).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CodexAbortError);
      expect((error as Error).message).toBe('The call was aborted by its signal: user left');
      expect(server!.requests).toHaveLength(0);
    });

    it('unsubscribing stays silent, and a later abort does nothing', async () => {
      await serve({ events: textTurn({ text: ['a'] }), stall: { afterBytes: 10 } });
      const controller = new AbortController();
      let notified = false;
      const subscription = client()
        .stream([userMessage('x')], [], { signal: controller.signal })
        .subscribe({ error: () => (notified = true), complete: () => (notified = true) });
      await server!.waitForRequests(1);
      subscription.unsubscribe();
      controller.abort();
      await server!.responseOutcome(0);
      expect(notified).toBe(false);
    });

    it('aborting a run while a tool runs ends the loop with CodexAbortError and aborts the tool signal', async () => {
      server = await startMockCodexServer({
        handler: scriptedConversation([
          { reply: { events: toolCallTurn({ text: ['Waiting.'], calls: [{ callId: 'call_1', name: 'wait', arguments: ['{}'] }] }) } },
        ]),
      });
      const controller = new AbortController();
      let toolSignal: AbortSignal | undefined;
      const wait = defineTool({
        name: 'wait',
        description: 'Waits forever',
        input: z.object({}),
        execute: (_input, ctx) => {
          toolSignal = ctx.signal;
          setTimeout(() => controller.abort(), 5);
          return new Observable<string>();
        },
      });
      const error = await lastValueFrom(client().run([userMessage('x')], [wait], { signal: controller.signal })).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CodexAbortError);
      expect((error as CodexAbortError).partial).toMatchObject({
        text: 'Waiting.',
        toolCalls: [expect.objectContaining({ id: 'call_1' })],
      });
      expect(toolSignal?.aborted).toBe(true);
    });
  });

  it('run() applies output to the answer: tool steps are not checked, the final one carries the object', async () => {
    server = await startMockCodexServer({
      handler: scriptedConversation([
        { reply: { events: toolCallTurn({ calls: [{ callId: 'call_1', name: 'lookup', arguments: ['{}'] }] }) } },
        { reply: { events: textTurn({ text: cityJson }) } },
      ]),
    });
    const lookup = defineTool({ name: 'lookup', description: 'Looks up', input: z.object({}), execute: () => 'Oslo' });
    const events: AgentEvent[] = await lastValueFrom(
      client()
        .run([userMessage('x')], [lookup], { output: City, maxSteps: 3 })
        .pipe(toArray()),
    );
    const finish = events.at(-1) as Extract<AgentEvent, { type: 'finish' }>;
    expect(finish.result.object).toEqual({ city: 'Oslo', population: 709000 });
    expect(events.filter((e) => e.type === 'object')).toHaveLength(1);
    expect(server.requests.map((r) => (r.json as { text?: { format?: { name: string } } }).text?.format?.name)).toEqual([
      'output',
      'output',
    ]);
  });
});
