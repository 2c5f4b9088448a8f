export {
  resolveCodexAuth,
  recoverFromUnauthorized,
  resolveAuthFilePath,
  resolveCodexCliAuthPath,
  TOKEN_REFRESH_SKEW_MS,
  type AuthSource,
  type ResolvedAuth,
  type ResolveCodexAuthOptions,
} from './resolveCodexAuth.js';
export { extractAccountId, decodeJwtPayload, JWT_AUTH_CLAIM } from './jwt.js';
export { CODEX_OAUTH_CLIENT_ID, DEFAULT_AUTH_TOKEN_URL, refreshCodexToken, type RefreshedTokens } from './refresh.js';
export { PROVIDER_KEY, type StoredCredential } from './authFile.js';
