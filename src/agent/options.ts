import type { SchedulerLike } from 'rxjs';
import { ConfigError } from '../errors.js';
import type { AgentOptions, StepInfo } from './types.js';

/** {@link AgentOptions} with their defaults applied. */
export interface ResolvedAgentOptions {
  maxSteps: number;
  toolConcurrency: number;
  toolTimeoutMs?: number;
  stopWhen?: (step: StepInfo) => boolean;
  scheduler?: SchedulerLike;
}

const KEYS: ReadonlySet<string> = new Set(['maxSteps', 'toolConcurrency', 'toolTimeoutMs', 'stopWhen', 'scheduler']);

/** The longest delay a timer can wait. */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * Checks the agent options and applies their defaults (20 steps, 4 tools at once, no timeout).
 * `extraKeys` are keys a caller handles itself (`CodexClient.run`'s stream options).
 * @throws {ConfigError} For an unknown key or a value out of range, saying what to pass instead.
 */
export function resolveAgentOptions(options: AgentOptions | undefined, extraKeys: ReadonlySet<string> = new Set()): ResolvedAgentOptions {
  if (options === undefined) return { maxSteps: 20, toolConcurrency: 4 };
  if (typeof options !== 'object' || options === null) throw new ConfigError('Agent options must be an object (or omitted)');
  for (const key of Object.keys(options)) {
    if (!KEYS.has(key) && !extraKeys.has(key)) {
      throw new ConfigError(`Unknown agent option "${key}": use maxSteps, toolConcurrency, toolTimeoutMs, stopWhen or scheduler`);
    }
  }
  const { maxSteps = 20, toolConcurrency = 4, toolTimeoutMs, stopWhen, scheduler } = options;
  if (!Number.isSafeInteger(maxSteps) || maxSteps < 1) {
    throw new ConfigError(`maxSteps must be a whole number of turns, 1 or more (got ${String(maxSteps)})`);
  }
  if (toolConcurrency !== Infinity && (!Number.isSafeInteger(toolConcurrency) || toolConcurrency < 1)) {
    throw new ConfigError(`toolConcurrency must be a whole number, 1 or more, or Infinity (got ${String(toolConcurrency)})`);
  }
  if (toolTimeoutMs !== undefined && (typeof toolTimeoutMs !== 'number' || !(toolTimeoutMs > 0) || toolTimeoutMs > MAX_TIMER_MS)) {
    throw new ConfigError(
      `toolTimeoutMs must be a number of milliseconds between 1 and ${MAX_TIMER_MS}, or omitted for no limit (got ${String(toolTimeoutMs)})`,
    );
  }
  if (stopWhen !== undefined && typeof stopWhen !== 'function') {
    throw new ConfigError('stopWhen must be a function of the finished step that returns true to stop, or omitted');
  }
  const resolved: ResolvedAgentOptions = { maxSteps, toolConcurrency };
  if (toolTimeoutMs !== undefined) resolved.toolTimeoutMs = toolTimeoutMs;
  if (stopWhen !== undefined) resolved.stopWhen = stopWhen;
  if (scheduler !== undefined) resolved.scheduler = scheduler;
  return resolved;
}
