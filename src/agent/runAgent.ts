import { EMPTY, concat, connect, defer, expand, filter, from, merge, mergeMap, of, tap, type Observable } from 'rxjs';
import { ConfigError } from '../errors.js';
import { describe } from '../client/validate.js';
import { collectResponse } from '../reduce/collectResponse.js';
import type { CodexEvent, CodexResult, ContentBlock, Message, ToolResultBlock } from '../types.js';
import { resolveAgentOptions, type ResolvedAgentOptions } from './options.js';
import { runToolCall, type ToolRunner } from './runTool.js';
import type { AgentEvent, AgentOptions, ExecutableTool, StepInfo, ToolResultEvent } from './types.js';

/** The loop's own marker between steps: never emitted to the subscriber. */
class NextStep {
  constructor(
    readonly step: number,
    readonly messages: Message[],
  ) {}
}

/**
 * The tool loop as one cold Observable: send a turn, run the tools it called, send their
 * results back, until the model answers without calling a tool.
 *
 * 1. Each step emits `step-start`, then the turn's events untouched, as they arrive.
 * 2. A step without tool calls emits `step-finish`, then `finish` with reason `done`, and completes.
 * 3. Otherwise the calls run, at most `toolConcurrency` at once, each `tool-result` emitted when
 *    its call ends. The history grows by an assistant message (the turn's blocks: reasoning,
 *    text, tool calls) and a user message of tool results in call order; `step-finish` carries
 *    it. Then `stopWhen` (true: `finish` with `stopped`) and `maxSteps` (reached: `finish` with
 *    `max-steps`) are checked, or the next step starts.
 * 4. A call that cannot run or fails is answered with an `isError` result the model reads (a
 *    one-line message); the loop goes on.
 * 5. A turn's error errors the loop, as it is.
 * 6. Unsubscribing unsubscribes the running turn and aborts every running tool's `signal`.
 *
 * ## Example
 * ```ts
 * import { CodexClient, defineTool, runAgent, userMessage } from 'codex-rx';
 * import { z } from 'zod';
 *
 * const client = new CodexClient();
 * const tools = [defineTool({ name: 'now', description: 'The time', input: z.object({}), execute: () => new Date().toISOString() })];
 * runAgent((messages) => client.stream(messages, tools), [userMessage('What time is it?')], tools).subscribe((event) => {
 *   if (event.type === 'finish') console.log(event.result.text);
 * });
 * ```
 *
 * @param turn Sends one turn: the history in, the turn's events out (cold).
 * @param messages The conversation so far.
 * @param tools The tools the model may call.
 * @param options Step limit, tool concurrency and timeout, `stopWhen`, scheduler.
 * @return A function that returns an Observable of every turn's events and the loop's own,
 * ending with `finish`.
 * @throws {ConfigError} For options out of range, or tools without a name or `execute`.
 */
export function runAgent(
  turn: (messages: Message[]) => Observable<CodexEvent>,
  messages: Message[],
  tools: ExecutableTool[],
  options?: AgentOptions,
): Observable<AgentEvent> {
  if (typeof turn !== 'function') {
    throw new ConfigError(
      `runAgent(): turn must be a function (messages) => Observable<CodexEvent>, got ${describe(turn)}. Pass a function that streams one turn, such as (messages) => client.stream(messages, tools).`,
    );
  }
  if (!Array.isArray(messages)) {
    throw new ConfigError(
      `runAgent(): messages must be an array of messages, got ${describe(messages)}. Pass an array such as [userMessage('Hello')].`,
    );
  }
  return runAgentLoop(turn, messages, indexTools(tools), resolveAgentOptions(options));
}

/** {@link runAgent} with checked arguments (`CodexClient.run` resolves its options itself). */
export function runAgentLoop(
  turn: (messages: Message[], step: number) => Observable<CodexEvent>,
  messages: readonly Message[],
  tools: ReadonlyMap<string, ExecutableTool>,
  options: ResolvedAgentOptions,
): Observable<AgentEvent> {
  const runner: ToolRunner = { tools, timeoutMs: options.toolTimeoutMs, scheduler: options.scheduler };

  const step$ = (step: number, history: Message[]): Observable<AgentEvent | NextStep> =>
    concat(
      of<AgentEvent>({ type: 'step-start', step }),
      defer(() => turn([...history], step)).pipe(
        connect((events) =>
          merge(
            events,
            events.pipe(
              collectResponse(),
              mergeMap((result) => afterTurn(step, history, result)),
            ),
          ),
        ),
      ),
    );

  const afterTurn = (step: number, history: Message[], result: CodexResult): Observable<AgentEvent | NextStep> => {
    const assistant = assistantMessage(result);
    const calls = result.toolCalls;
    if (calls.length === 0) {
      const final = assistant === undefined ? [...history] : [...history, assistant];
      return of<AgentEvent[]>(
        { type: 'step-finish', step, result, messages: [...final] },
        { type: 'finish', reason: 'done', steps: step, messages: final, result },
      );
    }
    const results = new Array<ToolResultEvent>(calls.length);
    return concat(
      from(calls.map((call, index) => ({ call, index }))).pipe(
        mergeMap(
          ({ call, index }) => runToolCall(runner, call, step).pipe(tap((event) => (results[index] = event))),
          options.toolConcurrency,
        ),
      ),
      defer(() => {
        const next = [...history, assistant!, { role: 'user', content: results.map(toolResultBlock) } satisfies Message];
        const stepFinish: AgentEvent = { type: 'step-finish', step, result, messages: [...next] };
        const info: StepInfo = { step, result, toolResults: [...results] };
        if (options.stopWhen?.(info) === true) {
          return of(stepFinish, { type: 'finish', reason: 'stopped', steps: step, messages: next, result } satisfies AgentEvent);
        }
        if (step >= options.maxSteps) {
          return of(stepFinish, { type: 'finish', reason: 'max-steps', steps: step, messages: next, result } satisfies AgentEvent);
        }
        return of(stepFinish, new NextStep(step + 1, next));
      }),
    );
  };

  return defer(() => step$(1, [...messages])).pipe(
    expand((value) => (value instanceof NextStep ? step$(value.step, value.messages) : EMPTY)),
    filter((value): value is AgentEvent => !(value instanceof NextStep)),
  );
}

/**
 * The turn as an assistant message: its blocks in order. Every tool call gets a `tool_use`
 * block even when the turn's blocks lack one, so each result sent back answers a call the
 * request carries. `undefined` for a turn with no blocks.
 */
function assistantMessage(result: CodexResult): Message | undefined {
  const content: ContentBlock[] = [...result.blocks];
  for (const call of result.toolCalls) {
    if (!content.some((block) => block.type === 'tool_use' && block.id === call.id)) {
      content.push({ type: 'tool_use', id: call.id, name: call.name, input: call.input });
    }
  }
  return content.length === 0 ? undefined : { role: 'assistant', content };
}

function toolResultBlock(event: ToolResultEvent): ToolResultBlock {
  const block: ToolResultBlock = {
    type: 'tool_result',
    toolUseId: event.callId,
    content: event.output === undefined ? null : event.output,
  };
  if (event.isError) block.isError = true;
  return block;
}

/** The tools by name; every one must have a name and an `execute`. */
export function indexTools(tools: readonly ExecutableTool[]): Map<string, ExecutableTool> {
  if (!Array.isArray(tools)) {
    throw new ConfigError(
      `The agent's tools must be an array, got ${describe(tools)}. Pass an array of tools made with defineTool (empty for none).`,
    );
  }
  const byName = new Map<string, ExecutableTool>();
  tools.forEach((tool: unknown, i) => {
    const candidate = tool as Partial<ExecutableTool> | null;
    if (typeof candidate !== 'object' || candidate === null || typeof candidate.name !== 'string') {
      throw new ConfigError(`tools[${i}] must be a tool with a name, got ${describe(tool)}. Use defineTool to make it.`);
    }
    if (typeof candidate.execute !== 'function') {
      throw new ConfigError(
        `Tool "${candidate.name}" has no execute function, and the agent loop can only offer tools it can run. Pass one with defineTool({ …, execute }), or use stream() to answer this tool yourself.`,
      );
    }
    if (byName.has(candidate.name)) {
      throw new ConfigError(`Two tools are named "${candidate.name}". Use a different name for each tool.`);
    }
    byName.set(candidate.name, candidate as ExecutableTool);
  });
  return byName;
}
