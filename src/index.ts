/**
 * codex-rx: OpenAI's Codex Responses endpoint as typed RxJS Observables.
 *
 * The pipeline, stage by stage (each usable alone):
 * `fromBody` → `decodeUtf8` → `sseMessages` → `responseEvents` → `reduceResponse` → `CodexEvent`s,
 * with `parseResponseStream` composing the last four, `collectResponse` folding a turn into one
 * value, `retryWithBackoff` for the Rust client's retry policy, and `CodexClient` putting it all on HTTP.
 */
export * from './types.js';
export * from './errors.js';

// The pipeline.
export { fromBody } from './body/fromBody.js';
export { decodeUtf8 } from './decode/decodeUtf8.js';
export { sseMessages, DEFAULT_SSE_MAX_BUFFER_SIZE, type SseMessagesOptions } from './sse/sseMessages.js';
export { responseEvents, parseResponseEvent, type ResponseEventsOptions } from './events/responseEvents.js';
export * from './events/schemas.js';
export { reduceResponse } from './reduce/reduceResponse.js';
export { collectResponse } from './reduce/collectResponse.js';
export { parseResponseStream, type ParseResponseStreamOptions } from './parseResponseStream.js';

// Retry.
export {
  DEFAULT_RETRY_STATUS_CODES,
  computeBackoffMs,
  resolveRetryConfig,
  type RetryConfig,
  type RetryInfo,
  type ResolvedRetryConfig,
} from './retry/config.js';
export { parseRetryAfterMs, parseShouldRetryHeader, type HeadersLike } from './retry/retryAfter.js';
export { retryWithBackoff, isRetryableError } from './retry/retryWithBackoff.js';
export { rateLimitsFromHeaders, rateLimitsFromEvent } from './rateLimits/index.js';
export { usageLimitErrorFrom, formatUsageLimitMessage, USAGE_LIMIT_CODES } from './usageLimit.js';

// The client and its request.
export { CodexClient } from './client/CodexClient.js';
export type { StreamOptions, ToolChoice } from './client/streamOptions.js';
export {
  CLIENT_CONFIG_DEFAULTS,
  resolveClientConfig,
  type CodexClientConfig,
  type ReasoningConfig,
  type ResolvedClientConfig,
  type ReasoningEffort,
  type ReasoningSummary,
  type TextVerbosity,
} from './client/config.js';
export { parseErrorResponse } from './client/httpError.js';
export { buildRequestBody, buildHeaders, buildEndpointUrl, type ResponseCreateBody } from './request/buildRequest.js';
export { normalizeModel, resolveReasoningEffortForCodexModel, modelSupportsSamplingParameters } from './request/models.js';
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

// Auth.
export { resolveCodexAuth, extractAccountId, type AuthSource, type ResolvedAuth, type ResolveCodexAuthOptions } from './auth/index.js';
export {
  loginWithBrowser,
  loginWithDeviceCode,
  logout,
  type LoginEvent,
  type LoginOptions,
  type LogoutOptions,
} from './auth/login/index.js';
