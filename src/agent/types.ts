import type { Observable, SchedulerLike } from 'rxjs';
import type { CodexEvent, CodexResult, Message, Tool } from '../types.js';

/** What a tool's `execute` learns about the call it serves. */
export interface ToolContext {
  /** The call id (`call_…`) the result answers. */
  callId: string;
  /** The agent step the call belongs to, counted from 1. */
  step: number;
  /** Aborted when the call times out or the loop is unsubscribed: stop the work then. */
  signal: AbortSignal;
}

/**
 * A tool the agent loop can run. The result of `execute` may be a value, a promise of one, or
 * an Observable, whose last value is the result.
 */
export interface ExecutableTool<I = unknown, O = unknown> extends Tool {
  execute(input: I, ctx: ToolContext): O | PromiseLike<O> | Observable<O>;
}

/** Options of {@link runAgent} and `CodexClient.run`. */
export interface AgentOptions {
  /**
   * The most turns sent. A loop still calling tools after that many steps finishes with
   * reason `max-steps`. A positive integer.
   * @default 20
   */
  maxSteps?: number;
  /**
   * How many tool calls of one step run at once. A positive integer, or `Infinity`.
   * @default 4
   */
  toolConcurrency?: number;
  /**
   * Each call's time budget in milliseconds (on the scheduler): a call that takes longer is
   * aborted and answered with an error result.
   * @default undefined (no limit)
   */
  toolTimeoutMs?: number;
  /**
   * Checked after each step that called tools, once its results are in the history: `true`
   * finishes the loop with reason `stopped`.
   * @default undefined (never stops early)
   */
  stopWhen?: (step: StepInfo) => boolean;
  /**
   * Runs the tool timeouts (a `TestScheduler` in marble tests).
   * @default asyncScheduler
   */
  scheduler?: SchedulerLike;
}

/** One finished step that called tools, as `stopWhen` sees it. */
export interface StepInfo {
  step: number;
  result: CodexResult;
  /** The step's tool results, in call order. */
  toolResults: ToolResultEvent[];
}

/** A step begins: emitted before its turn's first event. Steps count from 1. */
export interface StepStartEvent {
  type: 'step-start';
  step: number;
}

/** A tool call ended (in completion order). `output` is the error message when `isError`. */
export interface ToolResultEvent {
  type: 'tool-result';
  step: number;
  callId: string;
  name: string;
  output: unknown;
  isError: boolean;
}

/**
 * A step ended. `messages` is the history after it: with the step's assistant message and
 * (after tool calls) its tool results.
 */
export interface StepFinishEvent {
  type: 'step-finish';
  step: number;
  result: CodexResult;
  messages: Message[];
}

/** Why the loop ended: the model stopped calling tools, the step limit, or `stopWhen`. */
export type FinishReason = 'done' | 'max-steps' | 'stopped';

/** The loop's last event. `result` is the last step's; `messages` the whole history. */
export interface FinishEvent {
  type: 'finish';
  reason: FinishReason;
  steps: number;
  messages: Message[];
  result: CodexResult;
}

/** Everything the agent loop emits: each turn's events untouched, plus the loop's own. */
export type AgentEvent = CodexEvent | StepStartEvent | ToolResultEvent | StepFinishEvent | FinishEvent;
