import type { Observable } from 'rxjs';
import { ConfigError } from '../errors.js';
import type { CodexEvent, Message, Tool } from '../types.js';
import { resolveAgentOptions } from './options.js';
import { indexTools, runAgentLoop } from './runAgent.js';
import type { AgentEvent, AgentOptions, ExecutableTool } from './types.js';

/** Options of `CodexClient.run`. */
export type RunOptions = AgentOptions;

/** `CodexClient.run`: the loop over the client's `stream`, offering the same tools each step. */
export function runOnClient(
  stream: (messages: Message[], tools: Tool[]) => Observable<CodexEvent>,
  messages: Message[],
  tools: ExecutableTool[],
  options: RunOptions | undefined,
): Observable<AgentEvent> {
  if (!Array.isArray(messages)) throw new ConfigError(`run's messages must be an array of messages, got ${typeof messages}`);
  const byName = indexTools(tools);
  const resolved = resolveAgentOptions(options);
  return runAgentLoop((history) => stream(history, tools), messages, byName, resolved);
}
