/**
 * codex-rx: OpenAI's Codex Responses endpoint as typed RxJS Observables.
 *
 * The pipeline, stage by stage (each usable alone):
 * `fromBody` → `decodeUtf8` → `sseMessages` → `responseEvents` → `reduceResponse` → `CodexEvent`s,
 * with `parseResponseStream` composing the last four, `collectResponse` folding a turn into one
 * value, `retryWithBackoff` for the seed's retry policy, and `CodexClient` putting it all on HTTP.
 */
export * from './types';
export * from './errors';

// The pipeline.
export { fromBody } from './body/fromBody';
export { decodeUtf8 } from './decode/decodeUtf8';
export { sseMessages, DEFAULT_SSE_MAX_BUFFER_SIZE, type SseMessagesOptions } from './sse/sseMessages';
export { responseEvents, parseResponseEvent, type ResponseEventsOptions } from './events/responseEvents';
export * from './events/schemas';
export { reduceResponse } from './reduce/reduceResponse';
export { collectResponse } from './reduce/collectResponse';
export { parseResponseStream, type ParseResponseStreamOptions } from './parseResponseStream';

// Retry.
export {
  DEFAULT_RETRY_STATUS_CODES,
  computeBackoffMs,
  resolveRetryConfig,
  type RetryConfig,
  type RetryInfo,
  type ResolvedRetryConfig,
} from './retry/config';
export { parseRetryAfterMs, parseShouldRetryHeader, type HeadersLike } from './retry/retryAfter';
export { retryWithBackoff, isRetryableError } from './retry/retryWithBackoff';
export { usageLimitErrorFrom, formatUsageLimitMessage, USAGE_LIMIT_CODES } from './usageLimit';

// The client and its request.
export { CodexClient } from './client/CodexClient';
export {
  CLIENT_CONFIG_DEFAULTS,
  resolveClientConfig,
  type CodexClientConfig,
  type ReasoningConfig,
  type ResolvedClientConfig,
  type ReasoningEffort,
  type ReasoningSummary,
  type TextVerbosity,
} from './client/config';
export { parseErrorResponse } from './client/httpError';
export { buildRequestBody, buildHeaders, buildEndpointUrl, type ResponseCreateBody } from './request/buildRequest';
export { normalizeModel, resolveReasoningEffortForCodexModel, modelSupportsSamplingParameters } from './request/models';
export { userMessage, systemMessage, assistantMessage } from './messages';

// Auth.
export {
  resolveCodexAuth,
  extractAccountId,
  type AuthSource,
  type ResolvedAuth,
  type ResolveCodexAuthOptions,
} from './auth';
