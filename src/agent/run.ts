import type { Observable } from 'rxjs';
import { abortWith } from '../client/callOptions.js';
import type { StreamOptions } from '../client/streamOptions.js';
import { ConfigError } from '../errors.js';
import type { CodexEvent, Message, Tool } from '../types.js';
import { resolveAgentOptions } from './options.js';
import { indexTools, runAgentLoop } from './runAgent.js';
import type { AgentEvent, AgentOptions, ExecutableTool } from './types.js';

/**
 * Options of `CodexClient.run`: the loop's, and the stream options every step is sent with.
 * `output` asks every step for that JSON; the answer (the step without tool calls) is checked
 * and carries `object`. `signal` aborts the loop, in a turn or while tools run.
 */
export type RunOptions<T = unknown> = AgentOptions & StreamOptions<T>;

const STREAM_KEYS: ReadonlySet<string> = new Set(['output', 'signal', 'toolChoice', 'model', 'reasoning', 'textVerbosity', 'headers']);

/** `CodexClient.run`: the loop over the client's `stream`, offering the same tools each step. */
export function runOnClient(
  stream: (messages: Message[], tools: Tool[], options: StreamOptions) => Observable<CodexEvent>,
  messages: Message[],
  tools: ExecutableTool[],
  options: RunOptions | undefined,
): Observable<AgentEvent> {
  if (!Array.isArray(messages)) throw new ConfigError(`run's messages must be an array of messages, got ${typeof messages}`);
  const byName = indexTools(tools);
  const agentOptions: Record<string, unknown> = {};
  const streamOptions: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options ?? {})) (STREAM_KEYS.has(key) ? streamOptions : agentOptions)[key] = value;
  const resolved = resolveAgentOptions(agentOptions);
  const loop = runAgentLoop((history) => stream(history, tools, streamOptions), messages, byName, resolved);
  return options?.signal === undefined ? loop : loop.pipe(abortWith(options.signal));
}
