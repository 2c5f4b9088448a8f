/** The JWT claim that carries the ChatGPT account (the Rust client's `JWT_CLAIM_PATH`). */
export const JWT_AUTH_CLAIM = 'https://api.openai.com/auth';

/**
 * Decodes the payload (second `.`-segment) of a JWT as base64url, padded or not. The signature
 * is not verified: the token is only read for its claims, as the Rust client does.
 *
 * @param token A JWT.
 * @return The payload object, or `undefined` when the token is not a JWT with a JSON object payload.
 */
export function decodeJwtPayload(token: string): Record<string, unknown> | undefined {
  const segments = token.trim().split('.');
  if (segments.length < 2) return undefined;
  const segment = segments[1]!.replace(/=+$/, '');
  // Strict base64url alphabet: Buffer would silently skip junk and decode garbage.
  if (segment === '' || !/^[A-Za-z0-9_-]+$/.test(segment) || segment.length % 4 === 1) return undefined;
  try {
    const payload: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return typeof payload === 'object' && payload !== null && !Array.isArray(payload) ? (payload as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The ChatGPT account id of a token: the claim `https://api.openai.com/auth`.`chatgpt_account_id`
 * (the Rust client's `extract_account_id`).
 *
 * @param token A ChatGPT OAuth access token (or id token).
 * @return The account id, or `undefined` when the token has none (empty counts as none).
 */
export function extractAccountId(token: string): string | undefined {
  const claim = decodeJwtPayload(token)?.[JWT_AUTH_CLAIM];
  if (typeof claim !== 'object' || claim === null) return undefined;
  const id = (claim as Record<string, unknown>).chatgpt_account_id;
  return typeof id === 'string' && id !== '' ? id : undefined;
}

/**
 * The expiry of a JWT in Unix milliseconds, from its `exp` claim (seconds).
 *
 * @param token A JWT.
 * @return The expiry, or `undefined` when the token carries no numeric `exp`.
 */
export function jwtExpiresAtMs(token: string): number | undefined {
  const exp = decodeJwtPayload(token)?.exp;
  return typeof exp === 'number' && Number.isFinite(exp) ? exp * 1000 : undefined;
}
