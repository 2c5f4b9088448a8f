import { AuthError } from '../errors.js';
import { readTextIfPresent } from './authFile.js';
import { extractAccountId, jwtExpiresAtMs } from './jwt.js';

/** Credentials read from the Codex CLI's `auth.json`. */
export interface CodexCliCredentials {
  accessToken: string;
  accountId: string;
}

/**
 * Reads the Codex CLI's `auth.json` (`{tokens: {access_token, refresh_token, account_id,
 * id_token}, last_refresh}`) READ ONLY: its refresh tokens are single-use and belong to the
 * Codex CLI, so refreshing here would log the CLI out. An expired access token (JWT `exp`
 * within `skewMs`) is an `AuthError` that says to run `codex` once.
 *
 * @param path The file (`$CODEX_HOME/auth.json`).
 * @param nowMs The current time in Unix milliseconds.
 * @param skewMs How long before `exp` a token counts as expired.
 * @return The credentials, or `undefined` when the file is absent or holds no ChatGPT tokens
 *   (e.g. an API-key login).
 */
export async function readCodexCliAuth(path: string, nowMs: number, skewMs: number): Promise<CodexCliCredentials | undefined> {
  const text = await readTextIfPresent(path, 'Codex CLI auth file');
  if (text === undefined || text.trim() === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // No cause: V8's message quotes the text around the error, and the text holds tokens.
    throw new AuthError(`Invalid JSON in Codex CLI auth file (${path})`);
  }
  const tokens = (parsed as { tokens?: unknown } | null)?.tokens;
  if (typeof tokens !== 'object' || tokens === null) return undefined;
  const t = tokens as Record<string, unknown>;
  const accessToken = t.access_token;
  if (typeof accessToken !== 'string' || accessToken.trim() === '') return undefined;

  const expiresAt = jwtExpiresAtMs(accessToken);
  if (expiresAt !== undefined && nowMs >= expiresAt - skewMs) {
    throw new AuthError(
      `The Codex CLI access token in ${path} has expired. Run \`codex\` once to refresh it ` +
        "(codex-rx never refreshes the Codex CLI's tokens: its refresh tokens are single-use), " +
        'or set OPENAI_CODEX_ACCESS_TOKEN.',
    );
  }

  const accountId =
    extractAccountId(accessToken) ??
    (typeof t.account_id === 'string' && t.account_id !== '' ? t.account_id : undefined) ??
    (typeof t.id_token === 'string' ? extractAccountId(t.id_token) : undefined);
  if (accountId === undefined) {
    throw new AuthError(`Failed to extract ChatGPT account ID from access token (${path})`);
  }
  return { accessToken, accountId };
}
