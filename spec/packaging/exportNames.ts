/**
 * The runtime export names of the two entry points, sorted. A name added to `src/index.ts` or
 * `src/testing/index.ts` fails spec/packaging/exports.spec.ts (the sources) and package.spec.ts
 * (the built ESM and CJS packages) until it is added here: growing the public surface is a
 * deliberate choice. Types are not listed: they leave nothing at run time.
 */
export const ROOT_EXPORTS: readonly string[] = [
  'AuthError',
  'CodexAbortError',
  'CodexClient',
  'CodexError',
  'CodexHttpError',
  'CodexStreamError',
  'ConfigError',
  'ConnectionError',
  'ErrorEventSchema',
  'FunctionCallArgumentsDeltaEventSchema',
  'FunctionCallArgumentsDoneEventSchema',
  'IdleTimeoutError',
  'InvalidUtf8Error',
  'OutputItemAddedEventSchema',
  'OutputItemDoneEventSchema',
  'OutputItemSchema',
  'OutputTextDeltaEventSchema',
  'OutputTextDoneEventSchema',
  'OutputValidationError',
  'ProtocolError',
  'ReasoningSummaryTextDeltaEventSchema',
  'ReasoningSummaryTextDoneEventSchema',
  'ReasoningTextDeltaEventSchema',
  'ReasoningTextDoneEventSchema',
  'ResponseCompletedEventSchema',
  'ResponseCreatedEventSchema',
  'ResponseDoneEventSchema',
  'ResponseErrorEventSchema',
  'ResponseFailedEventSchema',
  'ResponseInProgressEventSchema',
  'ResponseIncompleteEventSchema',
  'ResponseObjectSchema',
  'StreamTruncatedError',
  'UsageLimitError',
  'WireErrorSchema',
  'WireUsageSchema',
  'assistantMessage',
  'collectResponse',
  'decodeUtf8',
  'defineTool',
  'fromBody',
  'isCodexError',
  'isKnownResponseEvent',
  'isKnownResponseEventType',
  'isResponseEventOfType',
  'loginWithBrowser',
  'loginWithDeviceCode',
  'logout',
  'parseObject',
  'parseResponseStream',
  'rateLimitsFromEvent',
  'rateLimitsFromHeaders',
  'reduceResponse',
  'responseEventSchemas',
  'responseEvents',
  'retryWithBackoff',
  'runAgent',
  'sseMessages',
  'systemMessage',
  'userMessage',
];

/** `codex-rx/testing`. */
export const TESTING_EXPORTS: readonly string[] = [
  'chunkBytes',
  'encodeUtf8',
  'fakeAccessToken',
  'recordedFixtureToSse',
  'responseEventFrame',
  'scriptedConversation',
  'sseFrame',
  'sseTranscript',
  'startMockCodexServer',
  'startMockOAuthIssuer',
  'textTurn',
  'toolCallTurn',
];

/** Sorted runtime export names, without the `default` and `__esModule` that module interop adds. */
export function exportNames(names: readonly string[]): string[] {
  return names.filter((name) => name !== 'default' && name !== '__esModule').sort();
}
