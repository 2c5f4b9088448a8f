import { catchError, defer, from, mergeMap, throwError, type Observable } from 'rxjs';
import type { ResolvedAuth } from '../auth/index.js';
import { AuthError, CodexHttpError } from '../errors.js';

/** A refusal of the credentials themselves: an HTTP 401. */
function isUnauthorized(error: unknown): boolean {
  return error instanceof CodexHttpError && error.status === 401;
}

/** What to tell the user when the server refused the credentials and nothing could recover them. */
function unauthorizedMessage(auth: ResolvedAuth, cause: unknown): string {
  const login = 'run `codex-rx login` to sign in again';
  switch (auth.source) {
    case 'auth-file':
      return `OpenAI Codex refused the stored credentials (401 Unauthorized), even after a refresh: ${login}.`;
    case 'codex-cli':
      return (
        "OpenAI Codex refused the Codex CLI's credentials (401 Unauthorized). Run `codex` to sign the Codex CLI in again, " +
        'or run `codex-rx login` to give codex-rx its own sign-in.'
      );
    case 'config':
      return `OpenAI Codex refused the configured accessToken (401 Unauthorized). Pass a fresh token, or drop it and ${login}.`;
    case 'env':
      return `OpenAI Codex refused OPENAI_CODEX_ACCESS_TOKEN (401 Unauthorized). Set a fresh token, or unset it and ${login}.`;
    case 'api-key': {
      // The platform says why (a wrong key, organization or project), and masks the key itself.
      const said = cause instanceof CodexHttpError ? cause.message.trim() : '';
      const reason = said === '' ? '' : `: ${said.length > 300 ? `${said.slice(0, 299)}…` : said}`;
      return (
        `The OpenAI API refused the API key (401 Unauthorized${reason}). Check OPENAI_API_KEY (or \`apiKey\`), and the organization ` +
        'and project if set (OPENAI_ORG_ID, OPENAI_PROJECT_ID), or run `codex-rx login` to use a ChatGPT sign-in instead.'
      );
    }
  }
}

function unauthorized(auth: ResolvedAuth, cause: unknown): AuthError {
  return new AuthError(unauthorizedMessage(auth, cause), { status: 401, cause });
}

/**
 * Sends a turn with the resolved credentials and, when the server refuses them with a 401
 * before anything was streamed, recovers once: `recover` gives new credentials (a refresh, a
 * re-read file) and the turn is sent again with them. Without new credentials, or on a second
 * 401, the turn fails with an `AuthError` (`status: 401`) that says what to do.
 *
 * A 401 is only ever the answer to the request itself (the status line or the handshake), so
 * it always comes before the first event.
 *
 * @param resolve Resolves the credentials of the first attempt.
 * @param recover New credentials after a 401, or `undefined` when there are none.
 * @param send One turn (with its retries) sent with the given credentials.
 * @return The turn's events.
 */
export function sendWithAuthRecovery<T>(
  resolve: () => Promise<ResolvedAuth>,
  recover: (rejected: ResolvedAuth) => Promise<ResolvedAuth | undefined>,
  send: (auth: ResolvedAuth) => Observable<T>,
): Observable<T> {
  return defer(() => from(resolve())).pipe(
    mergeMap((auth) =>
      send(auth).pipe(
        catchError((error: unknown) => {
          if (!isUnauthorized(error)) return throwError(() => error);
          return from(recover(auth)).pipe(
            mergeMap((next) => {
              if (next === undefined) return throwError(() => unauthorized(auth, error));
              return send(next).pipe(
                catchError((second: unknown) => throwError(() => (isUnauthorized(second) ? unauthorized(next, second) : second))),
              );
            }),
          );
        }),
      ),
    ),
  );
}
