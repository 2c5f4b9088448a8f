import { promises as fs } from 'node:fs';
import { dirname } from 'node:path';
import { from, map, type Observable } from 'rxjs';
import type { Dispatcher } from 'undici';
import { AuthError } from '../../errors.js';
import { PROVIDER_KEY, readAuthFile, writeAuthFileAtomic, type StoredCredential } from '../authFile.js';
import { decodeJwtPayload, extractAccountId, JWT_AUTH_CLAIM } from '../jwt.js';
import { withFileLock } from '../lock.js';
import { postToIssuer, refusalReason } from './http.js';
import type { LoginEvent } from './types.js';

/** What the token endpoint gives for an authorization code. */
export interface ExchangedTokens {
  accessToken: string;
  refreshToken: string;
  idToken?: string;
  expiresInSeconds: number;
}

/** Options of {@link exchangeCode}. */
export interface ExchangeOptions {
  issuer: string;
  clientId: string;
  code: string;
  codeVerifier: string;
  redirectUri: string;
  dispatcher?: Dispatcher;
}

/**
 * Exchanges an authorization code for tokens: a form POST of `grant_type=authorization_code`,
 * the code, the redirect URI, the client id and the PKCE verifier to `{issuer}/oauth/token`.
 *
 * @param options The code, its verifier and where it was sent.
 * @return An Observable of the tokens; errors are `AuthError`s that hold neither code nor verifier.
 */
export function exchangeCode(options: ExchangeOptions): Observable<ExchangedTokens> {
  const secrets = [options.code, options.codeVerifier];
  return postToIssuer(`${options.issuer}/oauth/token`, {
    body: {
      form: {
        grant_type: 'authorization_code',
        code: options.code,
        redirect_uri: options.redirectUri,
        client_id: options.clientId,
        code_verifier: options.codeVerifier,
      },
    },
    dispatcher: options.dispatcher,
    secrets,
    what: 'the code exchange',
  }).pipe(
    map((answer) => {
      if (answer.status < 200 || answer.status > 299) {
        throw new AuthError(`Sign-in failed: the code exchange was refused (${answer.status}): ${refusalReason(answer, secrets)}`);
      }
      const body = (typeof answer.json === 'object' && answer.json !== null ? answer.json : {}) as Record<string, unknown>;
      const { access_token: accessToken, refresh_token: refreshToken, id_token: idToken, expires_in: expiresIn } = body;
      if (typeof accessToken !== 'string' || accessToken === '' || typeof refreshToken !== 'string' || refreshToken === '') {
        throw new AuthError('Sign-in failed: the code exchange answered without an access token and a refresh token');
      }
      const tokens: ExchangedTokens = {
        accessToken,
        refreshToken,
        // The Codex sign-in server always sends expires_in; an hour is what it sends when it does.
        expiresInSeconds: typeof expiresIn === 'number' && Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn : 3600,
      };
      if (typeof idToken === 'string' && idToken !== '') tokens.idToken = idToken;
      return tokens;
    }),
  );
}

function authClaim(token: string | undefined): Record<string, unknown> {
  const claim = token === undefined ? undefined : decodeJwtPayload(token)?.[JWT_AUTH_CLAIM];
  return typeof claim === 'object' && claim !== null ? (claim as Record<string, unknown>) : {};
}

const str = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);

/**
 * Stores fresh tokens as codex-rx's credential, in the existing format, 0600, under the same
 * lock as a refresh (other entries of the file are kept), and describes the result.
 *
 * @param authFile The auth file (its folder is created, 0700, when missing).
 * @param tokens What the code exchange gave.
 * @param nowMs The current time, for the expiry.
 * @return An Observable of the `logged-in` event.
 */
export function storeLogin(authFile: string, tokens: ExchangedTokens, nowMs: number): Observable<LoginEvent> {
  const accountId = extractAccountId(tokens.accessToken) ?? (tokens.idToken === undefined ? undefined : extractAccountId(tokens.idToken));
  if (accountId === undefined) {
    throw new AuthError(
      'Sign-in failed: the tokens name no ChatGPT account (no chatgpt_account_id claim). Sign in with a ChatGPT account.',
    );
  }
  const expiresAt = nowMs + tokens.expiresInSeconds * 1000;
  const credential: StoredCredential = {
    type: 'oauth',
    access: tokens.accessToken,
    refresh: tokens.refreshToken,
    expires: expiresAt,
    account_id: accountId,
  };
  const write = async () => {
    await fs.mkdir(dirname(authFile), { recursive: true, mode: 0o700 });
    await withFileLock(`${authFile}.lock`, async () => {
      const contents = (await readAuthFile(authFile)) ?? {};
      await writeAuthFileAtomic(authFile, { ...contents, [PROVIDER_KEY]: credential });
    });
  };
  const planType = str(authClaim(tokens.idToken).chatgpt_plan_type) ?? str(authClaim(tokens.accessToken).chatgpt_plan_type);
  const email = tokens.idToken === undefined ? undefined : str(decodeJwtPayload(tokens.idToken)?.email);
  return from(write()).pipe(
    map(() => {
      const event: LoginEvent = { type: 'logged-in', accountId, expiresAt, authFile };
      if (planType !== undefined) event.planType = planType.toLowerCase();
      if (email !== undefined) event.email = email;
      return event;
    }),
  );
}
