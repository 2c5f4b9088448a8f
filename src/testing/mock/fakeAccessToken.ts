import { ConfigError } from '../../errors.js';

function base64url(value: string): string {
  return Buffer.from(value, 'utf8').toString('base64url');
}

/**
 * Builds an unsigned JWT (header `{"alg":"none"}`, base64url without padding, signature `sig`)
 * whose payload carries the `https://api.openai.com/auth`.`chatgpt_account_id` claim the client
 * reads the account id from. For tests only: nothing verifies it.
 *
 * ## Example
 * ```ts
 * import { fakeAccessToken } from 'codex-rx/testing';
 * const client = new CodexClient({ baseUrl: server.baseUrl, accessToken: fakeAccessToken('acc_42') });
 * // requests carry `chatgpt-account-id: acc_42`
 * ```
 *
 * @param accountId The `chatgpt_account_id` claim.
 * @param claims Extra payload claims (e.g. `exp` in Unix seconds), merged at the top level.
 * @return The token, `header.payload.sig`.
 */
export function fakeAccessToken(accountId = 'acc_test', claims: Record<string, unknown> = {}): string {
  if (typeof accountId !== 'string') {
    throw new ConfigError(`fakeAccessToken: accountId must be a string, got ${typeof accountId}. Pass an account id such as 'acc_1'.`);
  }
  const payload = { ...claims, 'https://api.openai.com/auth': { chatgpt_account_id: accountId } };
  return `${base64url(JSON.stringify({ alg: 'none' }))}.${base64url(JSON.stringify(payload))}.sig`;
}
