/**
 * `codex-rx/testing`: test helpers for codex-rx and for code built on it. A mock Codex server
 * on loopback ({@link startMockCodexServer}), a fake access token ({@link fakeAccessToken}),
 * and builders of SSE transcripts.
 */
export {
  startMockCodexServer,
  fakeAccessToken,
  type MockCodexServer,
  type MockCodexServerOptions,
  type MockReply,
  type MockResponseOutcome,
  type MockWaitOptions,
  type RecordedRequest,
} from './mockServer.js';
export * from './transcripts.js';
