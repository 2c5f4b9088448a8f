import { STATUS_CODES } from 'node:http';
import { request, type Dispatcher } from 'undici';
import { AuthError } from '../errors.js';
import { redactText } from '../redact/index.js';

/** The Codex OAuth client id (the Rust client's `CLIENT_ID`). */
export const CODEX_OAUTH_CLIENT_ID = 'app_EMoamEEZ73f0CkXaXp7hrann';
/** The OAuth token endpoint (the Rust client's `TOKEN_URL`). */
export const DEFAULT_AUTH_TOKEN_URL = 'https://auth.openai.com/oauth/token';

/** A token endpoint error body is shown at most this long (an HTML error page can be huge). */
const MAX_BODY_IN_MESSAGE = 2000;
/**
 * A token endpoint's answer is a few kilobytes; past this it is cut and the exchange fails,
 * rather than holding an endless or gigantic answer in memory.
 */
const MAX_TOKEN_RESPONSE_BYTES = 1 << 20;
/** The Rust client had no timeout here; a hung token endpoint must not hold the auth-file lock forever. */
const TOKEN_REQUEST_TIMEOUT_MS = 30_000;

/** What a successful refresh gives. `expiresInSeconds` is the server's `expires_in`. */
export interface RefreshedTokens {
  accessToken: string;
  /** The new refresh token, or `undefined` when the server sent none (keep the old one). */
  refreshToken?: string;
  idToken?: string;
  expiresInSeconds: number;
}

/** Options of {@link refreshCodexToken}. */
export interface RefreshOptions {
  tokenUrl?: string;
  dispatcher?: Dispatcher;
}

/** Rust's `StatusCode` Display, which the Rust client's message uses: `400 Bad Request`. */
function statusDisplay(status: number): string {
  const reason = STATUS_CODES[status];
  return reason === undefined ? `${status}` : `${status} ${reason}`;
}

/**
 * Exchanges a refresh token for new tokens (the Rust client's `refresh_openai_codex_token`): a form POST of
 * `grant_type=refresh_token`, the refresh token and the Codex client id.
 *
 * Errors are `AuthError`s and never contain a token: the error body of the endpoint is shown
 * with every token value redacted.
 *
 * @param refreshToken The refresh token.
 * @param options The endpoint and the undici dispatcher.
 * @return The new tokens.
 */
export async function refreshCodexToken(refreshToken: string, options: RefreshOptions = {}): Promise<RefreshedTokens> {
  const url = options.tokenUrl ?? DEFAULT_AUTH_TOKEN_URL;
  const form = new URLSearchParams({
    grant_type: 'refresh_token',
    refresh_token: refreshToken,
    client_id: CODEX_OAUTH_CLIENT_ID,
  }).toString();

  let response: Dispatcher.ResponseData;
  try {
    response = await request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: form,
      headersTimeout: TOKEN_REQUEST_TIMEOUT_MS,
      bodyTimeout: TOKEN_REQUEST_TIMEOUT_MS,
      ...(options.dispatcher === undefined ? {} : { dispatcher: options.dispatcher }),
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new AuthError(`OpenAI Codex token exchange request failed: ${redactText(reason, [refreshToken])}`, {
      cause: error,
    });
  }

  let text: string;
  try {
    text = await readCapped(response.body, MAX_TOKEN_RESPONSE_BYTES);
  } catch (error) {
    if (error instanceof AuthError) throw error;
    throw new AuthError('OpenAI Codex token exchange failed while reading the response', { cause: error });
  }

  const status = response.statusCode;
  if (status < 200 || status > 299) {
    let body = redactText(text, [refreshToken]);
    if (body.length > MAX_BODY_IN_MESSAGE) body = `${body.slice(0, MAX_BODY_IN_MESSAGE)}…`;
    throw new AuthError(`OpenAI Codex token exchange failed (${statusDisplay(status)}): ${body}`);
  }

  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // No cause: V8's message quotes the body, which holds the tokens.
    throw new AuthError('OpenAI Codex token exchange returned invalid JSON');
  }
  const data = (typeof json === 'object' && json !== null ? json : {}) as Record<string, unknown>;

  const accessToken = data.access_token;
  if (typeof accessToken !== 'string' || accessToken === '') {
    throw new AuthError('OpenAI Codex token exchange response missing access_token');
  }
  const expiresIn = data.expires_in;
  // A whole number of seconds, as the Rust client read it.
  if (typeof expiresIn !== 'number' || !Number.isInteger(expiresIn) || expiresIn < 0 || expiresIn > 0xffff_ffff) {
    throw new AuthError('OpenAI Codex token exchange response missing expires_in');
  }
  const refreshed: RefreshedTokens = { accessToken, expiresInSeconds: expiresIn };
  if (typeof data.refresh_token === 'string' && data.refresh_token !== '') refreshed.refreshToken = data.refresh_token;
  if (typeof data.id_token === 'string' && data.id_token !== '') refreshed.idToken = data.id_token;
  return refreshed;
}

/** The body as UTF-8 text; a body past `limit` bytes is cancelled there and is an `AuthError`. */
async function readCapped(body: Dispatcher.ResponseData['body'], limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      body.destroy();
      throw new AuthError(`OpenAI Codex token exchange answer is larger than ${limit} bytes: not a token response; check authTokenUrl`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
