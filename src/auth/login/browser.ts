import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Observable, defer, mergeMap, type Observer } from 'rxjs';
import { AuthError } from '../../errors.js';
import { exchangeCode, storeLogin } from './credentials.js';
import { openInBrowser } from './openBrowser.js';
import { DEFAULT_BROWSER_TIMEOUT_MS, resolveLoginOptions, type ResolvedLoginOptions } from './options.js';
import { createPkce, randomState } from './pkce.js';
import { endWithinTimeout } from './timeout.js';
import type { LoginEvent, LoginOptions } from './types.js';

const CALLBACK_PATH = '/auth/callback';
const SCOPE = 'openid profile email offline_access';

type CallbackStep = { type: 'listening'; port: number } | { type: 'code'; code: string };

function page(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', connection: 'close' });
  res.end(`<!doctype html><meta charset="utf-8"><title>codex-rx</title><p>${text}</p>`);
}

/**
 * The callback listener on 127.0.0.1: emits `listening` once bound, then the authorization code
 * of the first callback whose `state` matches, and completes. A callback with another state is
 * refused with 400 and the listener keeps waiting. Unsubscribing closes it.
 */
function callbackListener(port: number, state: string): Observable<CallbackStep> {
  return new Observable<CallbackStep>((subscriber) => {
    const server = createServer((req: IncomingMessage, res: ServerResponse) => {
      try {
        const url = new URL(req.url ?? '/', 'http://127.0.0.1');
        if (url.pathname !== CALLBACK_PATH) return page(res, 404, 'Not found.');
        if (url.searchParams.get('state') !== state) {
          return page(
            res,
            400,
            'This sign-in link does not belong to the running sign-in (state mismatch). Start again from your terminal.',
          );
        }
        const error = url.searchParams.get('error');
        if (error !== null) {
          page(res, 400, 'Sign-in was not completed. You can close this tab.');
          const description = url.searchParams.get('error_description');
          return subscriber.error(
            new AuthError(`Sign-in was refused by the sign-in server: ${error}${description ? ` (${description})` : ''}`),
          );
        }
        const code = url.searchParams.get('code');
        if (code === null || code === '') return page(res, 400, 'The sign-in callback carried no code. Start again from your terminal.');
        page(res, 200, 'Signed in to codex-rx. You can close this tab and return to your terminal.');
        subscriber.next({ type: 'code', code });
        subscriber.complete();
      } catch (error) {
        subscriber.error(error);
      }
    });
    server.on('error', (error: NodeJS.ErrnoException) => {
      subscriber.error(
        new AuthError(
          `Sign-in could not listen on 127.0.0.1:${port} for the browser's callback (${error.code ?? error.message}). ` +
            'Is another sign-in running? Finish or stop it, or run `codex-rx login --device`.',
        ),
      );
    });
    server.listen(port, '127.0.0.1', () => {
      subscriber.next({ type: 'listening', port: (server.address() as AddressInfo).port });
    });
    return () => {
      server.closeAllConnections();
      server.close();
    };
  });
}

function authorizeUrl(o: ResolvedLoginOptions, redirectUri: string, challenge: string, state: string): string {
  const params = new URLSearchParams({
    response_type: 'code',
    client_id: o.clientId,
    redirect_uri: redirectUri,
    scope: SCOPE,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    id_token_add_organizations: 'true',
    codex_cli_simplified_flow: 'true',
    state,
    originator: o.originator,
  });
  return `${o.issuer}/oauth/authorize?${params.toString()}`;
}

function open(o: ResolvedLoginOptions, url: string): void {
  if (o.openBrowser === true) openInBrowser(url);
  else if (typeof o.openBrowser === 'function') o.openBrowser(url);
}

/**
 * Signs in with a browser, as the Codex CLI does, and stores the credentials in codex-rx's auth
 * file. Cold: each subscription is one sign-in.
 *
 * 1. Listens on `127.0.0.1:<port>` (1455 by default, the port the sign-in server expects) for
 *    `/auth/callback`, with a fresh S256 PKCE pair and a random `state`.
 * 2. Emits `authorize-url` and opens it when `openBrowser` says so (by default when stdout is a
 *    terminal).
 * 3. A callback with a wrong `state` gets 400 and the flow keeps waiting; a callback with an
 *    `error` ends the flow with an `AuthError`.
 * 4. Exchanges the code at `{issuer}/oauth/token`, writes the credential (0600, under the same
 *    lock as a refresh), emits `logged-in` and completes.
 * 5. After `timeoutMs` (5 minutes) it fails with an `AuthError`. Unsubscribing at any point closes
 *    the listener and aborts the exchange.
 *
 * ## Example
 * ```ts
 * import { loginWithBrowser } from 'codex-rx';
 *
 * loginWithBrowser().subscribe((event) => {
 *   if (event.type === 'authorize-url') console.log(`Open ${event.url} to sign in`);
 *   if (event.type === 'logged-in') console.log(`Signed in as ${event.email ?? event.accountId}`);
 * });
 * ```
 *
 * @param options Issuer, port, auth file, browser opening and timeout.
 * @return An Observable of `authorize-url`, then `logged-in`.
 * @throws {ConfigError} When an option is invalid (at call time).
 */
export function loginWithBrowser(options?: LoginOptions): Observable<LoginEvent> {
  const o = resolveLoginOptions(options, DEFAULT_BROWSER_TIMEOUT_MS, 'loginWithBrowser');
  return defer(() => {
    const pkce = createPkce();
    const state = randomState();
    let redirectUri = '';
    const flow = callbackListener(o.port, state).pipe(
      mergeMap((step): Observable<LoginEvent> => {
        if (step.type === 'listening') {
          redirectUri = `http://localhost:${step.port}${CALLBACK_PATH}`;
          const url = authorizeUrl(o, redirectUri, pkce.challenge, state);
          return new Observable<LoginEvent>((subscriber: Observer<LoginEvent>) => {
            subscriber.next({ type: 'authorize-url', url });
            try {
              open(o, url);
              subscriber.complete();
            } catch (error) {
              subscriber.error(error);
            }
          });
        }
        return exchangeCode({
          issuer: o.issuer,
          clientId: o.clientId,
          code: step.code,
          codeVerifier: pkce.verifier,
          redirectUri,
          ...(o.dispatcher === undefined ? {} : { dispatcher: o.dispatcher }),
        }).pipe(mergeMap((tokens) => storeLogin(o.authFile, tokens, Date.now())));
      }),
    );
    return endWithinTimeout(flow, o, 'the browser sign-in');
  });
}
