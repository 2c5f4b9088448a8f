import type { SchedulerLike } from 'rxjs';
import { checkOptions, describe, isFunction, isScheduler, isTimerMs, type OptionRules } from '../client/validate.js';
import type { AgentOptions, StepInfo } from './types.js';

/** {@link AgentOptions} with their defaults applied. */
export interface ResolvedAgentOptions {
  maxSteps: number;
  toolConcurrency: number;
  toolTimeoutMs?: number;
  stopWhen?: (step: StepInfo) => boolean;
  scheduler?: SchedulerLike;
}

const DEFAULT_MAX_STEPS = 20;
const DEFAULT_TOOL_CONCURRENCY = 4;

const isWholeAtLeastOne = (value: unknown): boolean => Number.isSafeInteger(value) && (value as number) >= 1;

/** One rule per agent option: a new option without a rule does not compile. */
export const AGENT_OPTION_RULES: OptionRules<AgentOptions> = {
  maxSteps: {
    check: (v) => (isWholeAtLeastOne(v) ? undefined : `must be a whole number of turns, 1 or more, got ${describe(v)}`),
    fix: `Set maxSteps to how many turns the loop may take, or leave it out for the default (${DEFAULT_MAX_STEPS}).`,
  },
  toolConcurrency: {
    check: (v) =>
      v === Infinity || isWholeAtLeastOne(v) ? undefined : `must be a whole number, 1 or more, or Infinity, got ${describe(v)}`,
    fix: `Set toolConcurrency to how many tools may run at once, or leave it out for the default (${DEFAULT_TOOL_CONCURRENCY}).`,
  },
  toolTimeoutMs: { check: isTimerMs, fix: 'Set toolTimeoutMs to how long one tool may run, or leave it out for no limit.' },
  stopWhen: { check: isFunction, fix: 'Pass a function of the finished step that returns true to stop, or leave stopWhen out.' },
  scheduler: {
    check: isScheduler,
    fix: "Pass an rxjs scheduler (a TestScheduler in tests), or leave scheduler out for rxjs' asyncScheduler.",
  },
};

/**
 * Checks the agent options and applies their defaults (20 steps, 4 tools at once, no timeout).
 *
 * @param options The options as given (`undefined` for the defaults).
 * @param what How messages name the options (`agent`; `run` for `CodexClient.run`'s).
 * @param rules The rules: the agent's, or a table that extends them (`run` adds the stream options).
 * @throws {ConfigError} For an unknown key or a value out of range, saying what to change.
 */
export function resolveAgentOptions(
  options: unknown,
  what = 'agent',
  rules: OptionRules<AgentOptions> = AGENT_OPTION_RULES,
): ResolvedAgentOptions {
  const {
    maxSteps = DEFAULT_MAX_STEPS,
    toolConcurrency = DEFAULT_TOOL_CONCURRENCY,
    toolTimeoutMs,
    stopWhen,
    scheduler,
  } = checkOptions<AgentOptions>(options, rules, what);
  const resolved: ResolvedAgentOptions = { maxSteps, toolConcurrency };
  if (toolTimeoutMs !== undefined) resolved.toolTimeoutMs = toolTimeoutMs;
  if (stopWhen !== undefined) resolved.stopWhen = stopWhen;
  if (scheduler !== undefined) resolved.scheduler = scheduler;
  return resolved;
}
