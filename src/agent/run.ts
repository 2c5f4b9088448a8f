import type { Observable } from 'rxjs';
import { abortWith, STREAM_OPTION_RULES } from '../client/callOptions.js';
import type { StreamOptions } from '../client/streamOptions.js';
import { describe, type OptionRules } from '../client/validate.js';
import { ConfigError } from '../errors.js';
import type { CodexEvent, Message, Tool } from '../types.js';
import { AGENT_OPTION_RULES, resolveAgentOptions } from './options.js';
import { indexTools, runAgentLoop } from './runAgent.js';
import type { AgentEvent, AgentOptions, ExecutableTool } from './types.js';

/**
 * Options of `CodexClient.run`: the loop's, and the stream options every step is sent with.
 * `output` asks every step for that JSON; the answer (the step without tool calls) is checked
 * and carries `object`. `signal` aborts the loop, in a turn or while tools run.
 */
export type RunOptions<T = unknown> = AgentOptions & StreamOptions<T>;

/** The loop's options and the stream options, in one table: unknown keys and typos are caught against both. */
const RUN_OPTION_RULES: OptionRules<RunOptions> = { ...AGENT_OPTION_RULES, ...STREAM_OPTION_RULES };

/** `CodexClient.run`: the loop over the client's `stream`, offering the same tools each step. */
export function runOnClient(
  stream: (messages: Message[], tools: Tool[], options: StreamOptions) => Observable<CodexEvent>,
  messages: Message[],
  tools: ExecutableTool[],
  options: RunOptions | undefined,
): Observable<AgentEvent> {
  if (!Array.isArray(messages)) {
    throw new ConfigError(
      `run(): messages must be an array of messages, got ${describe(messages)}. Pass an array such as [userMessage('Hello')].`,
    );
  }
  const byName = indexTools(tools);
  const resolved = resolveAgentOptions(options, 'run', RUN_OPTION_RULES);
  // The stream options go to every step's stream(), which checks them again with the client's config.
  const streamOptions: Record<string, unknown> = {};
  for (const key of Object.keys(STREAM_OPTION_RULES)) {
    const value = (options as Record<string, unknown> | undefined)?.[key];
    if (value !== undefined) streamOptions[key] = value;
  }
  const loop = runAgentLoop((history) => stream(history, tools, streamOptions), messages, byName, resolved);
  return options?.signal === undefined ? loop : loop.pipe(abortWith(options.signal));
}
