/**
 * `codex-rx/testing`: test helpers for codex-rx and for code built on it. A mock Codex server
 * on loopback ({@link startMockCodexServer}), a fake access token ({@link fakeAccessToken}),
 * builders of SSE transcripts, and a mock OpenAI sign-in server ({@link startMockOAuthIssuer}).
 */
export { startMockCodexServer } from './mock/server.js';
export { fakeAccessToken } from './mock/fakeAccessToken.js';
export type {
  MockCodexServer,
  MockCodexServerOptions,
  MockReply,
  MockResponseOutcome,
  MockWaitOptions,
  RecordedRequest,
  RecordedUpgrade,
} from './mock/types.js';
export * from './transcripts.js';
export { scriptedConversation, type ConversationRequest, type ConversationStep } from './mock/conversation.js';
export {
  startMockOAuthIssuer,
  type MockOAuthIssuer,
  type MockOAuthIssuerOptions,
  type MockOAuthRequest,
  type MockIssuedTokens,
} from './oauthIssuer.js';
