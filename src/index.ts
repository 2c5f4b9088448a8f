/**
 * codex-rx: OpenAI's Codex Responses endpoint as typed RxJS Observables.
 *
 * The pipeline, stage by stage (each usable alone):
 * `fromBody` → `decodeUtf8` → `sseMessages` → `responseEvents` → `reduceResponse` → `CodexEvent`s,
 * with `parseResponseStream` composing the last four, `collectResponse` folding a turn into one
 * value, `retryWithBackoff` for the Rust client's retry policy, and `CodexClient` putting it all on HTTP.
 */
// The public surface: the pipeline, the client, the agent loop, their types, the wire-event
// schemas and the errors. Helpers stay internal; spec/packaging/exports.spec.ts pins the list of
// runtime names, so adding one here is a deliberate choice.
export * from './types.js';
export * from './errors.js';

// The pipeline.
export { fromBody } from './body/fromBody.js';
export { decodeUtf8 } from './decode/decodeUtf8.js';
export { sseMessages, type SseMessagesOptions } from './sse/sseMessages.js';
export { responseEvents, type ResponseEventsOptions } from './events/responseEvents.js';
export * from './events/schemas.js';
export { reduceResponse } from './reduce/reduceResponse.js';
export { collectResponse } from './reduce/collectResponse.js';
export { parseResponseStream, type ParseResponseStreamOptions } from './parseResponseStream.js';

// Retry.
export type { RetryConfig, RetryInfo } from './retry/config.js';
export { retryWithBackoff } from './retry/retryWithBackoff.js';
export { rateLimitsFromHeaders, rateLimitsFromEvent } from './rateLimits/index.js';

// The client and its request.
export { CodexClient } from './client/CodexClient.js';
export type { StreamOptions, ToolChoice } from './client/streamOptions.js';
export type {
  AuthMode,
  CodexClientConfig,
  ReasoningConfig,
  ReasoningEffort,
  ReasoningSummary,
  TextVerbosity,
  TransportMode,
} from './client/config.js';
export { userMessage, systemMessage, assistantMessage } from './messages.js';

// Agents: tools that run, and the tool loop.
export { defineTool, type ToolDefinition } from './agent/defineTool.js';
export { runAgent } from './agent/runAgent.js';
export type { RunOptions } from './agent/run.js';
export { parseObject, type CodexEventWithObject } from './output/parseObject.js';
export type {
  AgentEvent,
  AgentOptions,
  ExecutableTool,
  FinishEvent,
  FinishReason,
  StepFinishEvent,
  StepInfo,
  StepStartEvent,
  ToolContext,
  ToolResultEvent,
} from './agent/types.js';

// Sign-in.
export {
  loginWithBrowser,
  loginWithDeviceCode,
  logout,
  type LoginEvent,
  type LoginOptions,
  type LogoutOptions,
} from './auth/login/index.js';
