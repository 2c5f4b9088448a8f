import type { z } from 'zod';
import type { ReasoningConfig, TextVerbosity } from './config.js';

/** Which tool the model must call: any or none (`auto`), none, at least one, or one by name. */
export type ToolChoice = 'auto' | 'none' | 'required' | { type: 'function'; name: string };

/**
 * Options of one `CodexClient.stream()` call. Each value set here overrides the client's for
 * this call only.
 */
export interface StreamOptions<T = unknown> {
  /**
   * Structured output: the response text is asked to follow this schema (`text.format`), and
   * the stream gains `object-delta` events as it grows and one validated `object` before `done`.
   * @default undefined (plain text)
   */
  output?: z.ZodType<T>;
  /**
   * Aborting it ends the stream with `CodexAbortError` (carrying what had streamed as
   * `partial`). An abort is never retried.
   * @default undefined
   */
  signal?: AbortSignal;
  /**
   * Sent as `tool_choice`.
   * @default 'auto' (sent only when there are tools)
   */
  toolChoice?: ToolChoice;
  /**
   * The model for this call.
   * @default the client's `model`
   */
  model?: string;
  /**
   * Reasoning options for this call.
   * @default the client's `reasoning`
   */
  reasoning?: ReasoningConfig;
  /**
   * Sent as `text.verbosity`.
   * @default the client's `textVerbosity`
   */
  textVerbosity?: TextVerbosity;
  /**
   * Extra request headers for this call, over the client's `headers`. They can never replace
   * the headers the client sets itself (auth, account, session, content negotiation).
   * @default undefined
   */
  headers?: Record<string, string>;
}
