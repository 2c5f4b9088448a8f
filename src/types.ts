/**
 * The public data types of codex-rx: the Rust client's "unified" message model in TypeScript idiom,
 * the typed events the pipeline emits, and the result `collectResponse()` folds them into.
 */

/** Who wrote a message. System messages become the request's `instructions`. */
export type Role = 'system' | 'user' | 'assistant';

/** Where an image comes from: inline base64 bytes or a URL. */
export type ImageSource = { type: 'base64'; mediaType: string; data: string } | { type: 'url'; url: string };

/** A text block. */
export interface TextBlock {
  type: 'text';
  text: string;
}

/** An image block (sent as `input_image` for any role). */
export interface ImageBlock {
  type: 'image';
  source: ImageSource;
  detail?: string;
}

/** A tool call the assistant made. `id` is the call id the tool result refers to. */
export interface ToolUseBlock {
  type: 'tool_use';
  id: string;
  name: string;
  input: unknown;
}

/** The result of a tool call, sent back as a `function_call_output` item. */
export interface ToolResultBlock {
  type: 'tool_result';
  toolUseId: string;
  content: unknown;
  isError?: boolean;
}

/**
 * Reasoning. `id` is the wire item id (`rs_…`) and `encryptedContent` the opaque reasoning the
 * backend returned: together they let a later turn replay the reasoning.
 */
export interface ThinkingBlock {
  type: 'thinking';
  thinking: string;
  id?: string;
  signature?: string;
  encryptedContent?: string;
  redacted?: boolean;
}

/** One block of a message's content. */
export type ContentBlock = TextBlock | ImageBlock | ToolUseBlock | ToolResultBlock | ThinkingBlock;

/** A chat message. */
export interface Message {
  role: Role;
  content: ContentBlock[];
  /** Sent as the input item's `id` when present. */
  id?: string;
}

/** A function tool the model may call. `parameters` is a JSON schema. */
export interface Tool {
  name: string;
  description: string;
  parameters: unknown;
}

/** A tool call, partial (`tool-call-delta`) or complete (`tool-calls`). */
export interface ToolCall {
  /** The call id (`call_…`), which a `tool_result` block refers to. */
  id: string;
  name: string;
  /** The parsed arguments; `{}` until they parse. */
  input: unknown;
  /** The raw argument JSON as streamed so far (or in full, once complete). */
  rawInputJson?: string;
  /**
   * Set on a complete call whose arguments are not valid JSON: a one-line message saying why.
   * `input` is then `{}`, and the agent loop answers the call with an error result instead of
   * running the tool.
   */
  inputError?: string;
}

/** Token usage of one response. */
export interface Usage {
  inputTokens: number;
  outputTokens: number;
  cacheReadInputTokens?: number;
  cacheCreationInputTokens?: number;
  reasoningTokens?: number;
}

/** One rate-limit window: how much of it is used and when it starts over. */
export interface RateLimitWindow {
  /** How much of the window's allowance is used, 0–100. */
  usedPercent: number;
  /** The window's length in minutes (300 for the five-hour window). */
  windowMinutes?: number;
  /** When the window resets, in Unix seconds. */
  resetsAt?: number;
}

/** The account's rate limits for one limit family, as the backend reported them. */
export interface RateLimitSnapshot {
  /** The limit family: `codex` for the usual Codex limits (headers `x-codex-*`). */
  limitId: string;
  /** The family's human name, when the backend gave one. */
  limitName?: string;
  /** The short window (usually five hours). */
  primary?: RateLimitWindow;
  /** The long window (usually a week). */
  secondary?: RateLimitWindow;
  /** Purchased credits. `balance` is the server's decimal text, kept as is. */
  credits?: { hasCredits: boolean; unlimited: boolean; balance?: string };
  /** The ChatGPT plan (`plus`, `pro`, …), lowercased. */
  planType?: string;
}

/** How a response ended. */
export type ResponseStatus = 'completed' | 'incomplete';

/** A streamed text delta (the Rust client's `on_content`). */
export interface TextDeltaEvent {
  type: 'text-delta';
  delta: string;
  outputIndex: number;
  contentIndex: number;
}

/** A streamed reasoning delta (the Rust client's `on_reasoning`); `kind` tells text from summary. */
export interface ReasoningDeltaEvent {
  type: 'reasoning-delta';
  delta: string;
  outputIndex: number;
  /** The content index for `kind: 'text'`, the summary index for `kind: 'summary'`. */
  index: number;
  kind: 'text' | 'summary';
}

/** A tool call whose arguments are still streaming (the Rust client's `on_tool_calls_partial`). */
export interface ToolCallDeltaEvent {
  type: 'tool-call-delta';
  toolCall: ToolCall;
}

/** All completed tool calls, once, after the terminal event (the Rust client's `on_tool_calls`). */
export interface ToolCallsEvent {
  type: 'tool-calls';
  toolCalls: ToolCall[];
}

/** Token usage, after the terminal event (the Rust client's `on_usage`). */
export interface UsageEvent {
  type: 'usage';
  usage: Usage;
}

/** One finished content block, in first-seen order (the Rust client's `on_content_block_complete`). */
export interface ContentBlockEvent {
  type: 'content-block';
  block: ContentBlock;
}

/**
 * The account's rate limits: emitted before any delta when the response headers carry them
 * (one event per limit family), and again whenever the stream reports them.
 */
export interface RateLimitsEvent {
  type: 'rate-limits';
  rateLimits: RateLimitSnapshot;
}

/** The last event of every successful stream. */
export interface DoneEvent {
  type: 'done';
  responseId?: string;
  status: ResponseStatus;
  incompleteReason?: string;
}

/**
 * With structured output: the object the text parses to so far, each time it changes. Emitted
 * only by `CodexClient.stream(…, { output })` and `parseObject()`.
 */
export interface ObjectDeltaEvent<T = unknown> {
  type: 'object-delta';
  object: DeepPartial<T>;
}

/** With structured output: the whole text, parsed and validated, once, just before `done`. */
export interface ObjectEvent<T = unknown> {
  type: 'object';
  object: T;
}

/** A value whose every nested field may still be missing: what a partial JSON text parses to. */
export type DeepPartial<T> = T extends readonly (infer U)[]
  ? DeepPartial<U>[]
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> }
    : T;

/** Everything a Codex stream emits, as one discriminated union. */
export type CodexEvent =
  | TextDeltaEvent
  | ReasoningDeltaEvent
  | ToolCallDeltaEvent
  | ToolCallsEvent
  | UsageEvent
  | ContentBlockEvent
  | ObjectDeltaEvent
  | ObjectEvent
  | RateLimitsEvent
  | DoneEvent;

/** A whole turn, as `collectResponse()` emits it at completion. */
export interface CodexResult {
  responseId?: string;
  status: ResponseStatus;
  incompleteReason?: string;
  /** The concatenated text deltas. */
  text: string;
  /** The concatenated reasoning deltas (text and summaries). */
  reasoning: string;
  toolCalls: ToolCall[];
  usage?: Usage;
  /** The last rate-limit snapshot the stream reported (`rate-limits` events). */
  rateLimits?: RateLimitSnapshot;
  blocks: ContentBlock[];
  /** With structured output: the validated object (from the `object` event). */
  object?: unknown;
}

/**
 * What a stream had produced when it failed: attached to stream errors as `partial`, so a
 * caller can keep what was already shown instead of asking again.
 */
export interface PartialResponse {
  responseId?: string;
  text: string;
  reasoning: string;
  toolCalls: ToolCall[];
}

/** The sanitized record of a failed exchange (the Rust client's `ProviderFailureCapture`). Never holds headers or tokens. */
export interface FailureCapture {
  provider: 'openai-codex';
  model: string;
  httpStatus?: number;
  /** The request body as pretty JSON (2-space indent). */
  requestPayload: string;
  responsePayload: string;
  providerResponseId?: string;
}

/** One SSE message, as `sseMessages()` emits it. */
export interface SseMessage {
  event?: string;
  data: string;
  id?: string;
}

/** Something worth knowing that is not an error (an unparsable payload that was skipped, a retry). */
export type Diagnostic =
  | { type: 'unparsable-json'; data: string; count: number; message: string }
  | { type: 'retry'; attempt: number; delayMs: number; error: unknown }
  /** The WebSocket handshake failed under `transport: 'auto'`: this client uses HTTP from now on. */
  | { type: 'transport-fallback'; from: 'websocket'; to: 'sse'; reason: string }
  /**
   * Refreshed credentials could not be written back to the auth file (a full disk, say). They
   * are kept in memory and used, and the write is retried at the next request. No token is in it.
   */
  | { type: 'auth-file-write-failed'; path: string; message: string };
