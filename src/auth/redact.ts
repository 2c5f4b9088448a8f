/** What replaces a secret in anything shown to people. */
export const REDACTED = '[REDACTED]';

const TOKEN_FIELDS = 'access_token|refresh_token|id_token|access|refresh|token';
// "access_token": "…"  (JSON, with escaped quotes inside the value)
const JSON_FIELD = new RegExp(`("(?:${TOKEN_FIELDS})"\\s*:\\s*)"(?:[^"\\\\]|\\\\.)*"`, 'gi');
// access_token=…  (form encoding, query strings)
const FORM_FIELD = new RegExp(`\\b((?:${TOKEN_FIELDS})=)[^&\\s"']+`, 'gi');
// Anything shaped like a JWT (three base64url segments, the first a JSON header).
const JWT = /\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g;

/**
 * Removes credentials from text meant for an error message: the values of token fields (JSON
 * or form encoded), JWT-shaped strings, and every known secret wherever it appears.
 *
 * @param text The text, e.g. a token endpoint's error body.
 * @param secrets Exact strings that must not survive (the tokens involved in the exchange).
 * @return The text with each secret replaced by `[REDACTED]`.
 */
export function redactSecrets(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.trim().length > 0) out = out.split(secret).join(REDACTED);
  }
  return out.replace(JSON_FIELD, `$1"${REDACTED}"`).replace(FORM_FIELD, `$1${REDACTED}`).replace(JWT, REDACTED);
}
