import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Socket } from 'node:net';
import { ConfigError } from '../errors.js';

/** The Codex CLI's public OAuth client id, which the mock expects by default. */
const CODEX_CLIENT_ID = 'app_EMoamEEZ73f0CkXaXp7hrann';

/** Options of {@link startMockOAuthIssuer}. */
export interface MockOAuthIssuerOptions {
  /**
   * The client id every endpoint requires.
   * @default the Codex CLI's public client id
   */
  clientId?: string;
  /**
   * The ChatGPT account the tokens name (`chatgpt_account_id`).
   * @default 'acc_mock'
   */
  accountId?: string;
  /**
   * The plan the id token names (`chatgpt_plan_type`).
   * @default 'plus'
   */
  planType?: string;
  /**
   * The id token's `email`.
   * @default 'user@example.com'
   */
  email?: string;
  /**
   * `expires_in` of every issued access token, in seconds.
   * @default 3600
   */
  expiresInSeconds?: number;
  /**
   * The device flow: the number of polls answered "pending" (403) before the code is released,
   * as if the user had approved it then. `undefined` waits for {@link MockOAuthIssuer.approveDevice}.
   */
  approveDeviceAfterPolls?: number;
  /**
   * `interval` (seconds) the device-code endpoint tells clients to poll at.
   * @default 0
   */
  deviceIntervalSeconds?: number;
}

/** A request the issuer received. `body` is parsed from JSON or a form, whichever was sent. */
export interface MockOAuthRequest {
  method: string;
  /** The path without the query. */
  path: string;
  /** The query parameters. */
  query: Record<string, string>;
  /** The body's fields (JSON or `application/x-www-form-urlencoded`). */
  body: Record<string, unknown>;
  /** `json`, `form`, or `none`. */
  bodyKind: 'json' | 'form' | 'none';
}

/** The tokens of one grant, as the issuer gave them out. */
export interface MockIssuedTokens {
  accessToken: string;
  refreshToken: string;
  idToken: string;
  grantType: 'authorization_code' | 'refresh_token';
}

/** A running mock OAuth issuer. See {@link startMockOAuthIssuer}. */
export interface MockOAuthIssuer {
  /** The issuer, `http://127.0.0.1:PORT`: pass it as `LoginOptions.issuer`. */
  readonly url: string;
  /** `{url}/oauth/token`: pass it as `CodexClientConfig.authTokenUrl` to refresh against the mock. */
  readonly tokenUrl: string;
  readonly port: number;
  /** Every request, in arrival order. */
  readonly requests: readonly MockOAuthRequest[];
  /** Every grant, in order: the last one holds the tokens a client should now use. */
  readonly issued: readonly MockIssuedTokens[];
  /** Releases the pending device code(s): the next poll gets the authorization code. */
  approveDevice(): void;
  /**
   * Makes the next refresh fail with this status and OAuth error (e.g. 401 `refresh_token_expired`).
   */
  failNextRefresh(status?: number, error?: string): void;
  /**
   * Issues a grant outside any flow (as if the user had signed in earlier), for tests that
   * start from stored credentials.
   */
  issueTokens(): MockIssuedTokens;
  /** Stops listening and destroys open sockets. Idempotent. */
  close(): Promise<void>;
}

interface PendingCode {
  codeChallenge?: string;
  redirectUri: string;
}

interface DeviceAuth {
  deviceAuthId: string;
  userCode: string;
  polls: number;
  approved: boolean;
  released: boolean;
}

/** An unsigned JWT (`alg: none`): the client only reads its claims. */
const unsignedJwt = (payload: Record<string, unknown>) =>
  `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.sig`;
const s256 = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');
const nonce = (bytes = 12) => randomBytes(bytes).toString('base64url');

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseBody(text: string, contentType: string | undefined): Pick<MockOAuthRequest, 'body' | 'bodyKind'> {
  if (text === '') return { body: {}, bodyKind: 'none' };
  if (contentType?.includes('application/json')) {
    try {
      const parsed: unknown = JSON.parse(text);
      return { body: typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {}, bodyKind: 'json' };
    } catch {
      return { body: {}, bodyKind: 'json' };
    }
  }
  return { body: Object.fromEntries(new URLSearchParams(text)), bodyKind: 'form' };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

const oauthError = (res: ServerResponse, status: number, error: string, description: string) =>
  send(res, status, { error, error_description: description });

function checkPositiveInteger(value: unknown, name: string, allowZero = false): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < (allowZero ? 0 : 1)) {
    throw new ConfigError(
      `startMockOAuthIssuer: ${name} must be an integer ≥ ${allowZero ? 0 : 1}, got ${String(value)}. Set ${name} to a whole number, or leave it out.`,
    );
  }
}

/**
 * Starts a mock of the OpenAI sign-in server (`auth.openai.com`) on 127.0.0.1, so sign-in flows
 * can be tested without a browser or an account:
 *
 * 1. `GET /oauth/authorize` checks the client id, `response_type=code` and an S256 challenge,
 *    and redirects (302) to the `redirect_uri` with a fresh `code` and the `state`, as if the
 *    user had signed in at once. Fetching the authorize URL with redirects followed therefore
 *    plays the browser's part.
 * 2. `POST /oauth/token` (form or JSON): `authorization_code` checks the code (single use), the
 *    redirect URI and the PKCE verifier; `refresh_token` checks the refresh token, which
 *    rotates (a spent one gets 401 `refresh_token_reused`). Both answer `id_token`,
 *    `access_token`, `refresh_token` and `expires_in`; the tokens are unsigned JWTs naming the
 *    account (`chatgpt_account_id`), the plan and the email under `https://api.openai.com/auth`.
 * 3. The device flow: `POST /api/accounts/deviceauth/usercode` (JSON `client_id`) gives a
 *    `device_auth_id`, `user_code` and `interval`; `POST /api/accounts/deviceauth/token` answers
 *    403 until the device is approved, then `authorization_code`, `code_challenge` and
 *    `code_verifier`, for the normal exchange with `redirect_uri={issuer}/deviceauth/callback`.
 *
 * ## Example
 * ```ts
 * import { startMockOAuthIssuer } from 'codex-rx/testing';
 * import { loginWithDeviceCode } from 'codex-rx';
 * import { lastValueFrom } from 'rxjs';
 *
 * const issuer = await startMockOAuthIssuer({ approveDeviceAfterPolls: 1 });
 * const last = await lastValueFrom(loginWithDeviceCode({ issuer: issuer.url, authFile: '/tmp/test-auth.json', openBrowser: false }));
 * console.log(last); // { type: 'logged-in', accountId: 'acc_mock', … }
 * await issuer.close();
 * ```
 *
 * @param options The account the tokens name, the client id and the device-flow pace.
 * @return The running issuer; `close()` it after the test.
 */
export async function startMockOAuthIssuer(options: MockOAuthIssuerOptions = {}): Promise<MockOAuthIssuer> {
  checkPositiveInteger(options.expiresInSeconds, 'expiresInSeconds');
  checkPositiveInteger(options.approveDeviceAfterPolls, 'approveDeviceAfterPolls', true);
  checkPositiveInteger(options.deviceIntervalSeconds, 'deviceIntervalSeconds', true);
  const clientId = options.clientId ?? CODEX_CLIENT_ID;
  const accountId = options.accountId ?? 'acc_mock';
  const planType = options.planType ?? 'plus';
  const email = options.email ?? 'user@example.com';
  const expiresIn = options.expiresInSeconds ?? 3600;

  const requests: MockOAuthRequest[] = [];
  const issued: MockIssuedTokens[] = [];
  const codes = new Map<string, PendingCode>();
  const devices = new Map<string, DeviceAuth>();
  const liveRefreshTokens = new Set<string>();
  const spentRefreshTokens = new Set<string>();
  let nextRefreshFailure: { status: number; error: string } | undefined;
  let issuerUrl = '';

  const grant = (grantType: MockIssuedTokens['grantType']): MockIssuedTokens => {
    const exp = Math.floor(Date.now() / 1000) + expiresIn;
    const auth = { chatgpt_account_id: accountId, chatgpt_plan_type: planType };
    const tokens: MockIssuedTokens = {
      accessToken: unsignedJwt({ exp, jti: nonce(), 'https://api.openai.com/auth': auth }),
      idToken: unsignedJwt({ exp, email, aud: clientId, iss: issuerUrl, 'https://api.openai.com/auth': auth }),
      refreshToken: `rt_${nonce(24)}`,
      grantType,
    };
    liveRefreshTokens.add(tokens.refreshToken);
    issued.push(tokens);
    return tokens;
  };
  const tokenAnswer = (tokens: MockIssuedTokens) => ({
    id_token: tokens.idToken,
    access_token: tokens.accessToken,
    refresh_token: tokens.refreshToken,
    expires_in: expiresIn,
    token_type: 'Bearer',
  });

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const target = new URL(req.url ?? '/', 'http://127.0.0.1');
    const parsed = parseBody(await readBody(req), req.headers['content-type']);
    const seen: MockOAuthRequest = {
      method: req.method ?? '',
      path: target.pathname,
      query: Object.fromEntries(target.searchParams),
      ...parsed,
    };
    requests.push(seen);
    const { body, query } = seen;

    if (seen.method === 'GET' && seen.path === '/oauth/authorize') {
      if (query.client_id !== clientId) return oauthError(res, 400, 'invalid_client', 'unknown client_id');
      if (query.response_type !== 'code') return oauthError(res, 400, 'unsupported_response_type', 'response_type must be code');
      if (query.code_challenge_method !== 'S256' || !query.code_challenge) {
        return oauthError(res, 400, 'invalid_request', 'an S256 code_challenge is required');
      }
      if (!query.redirect_uri) return oauthError(res, 400, 'invalid_request', 'redirect_uri is required');
      const code = `ac_${nonce()}`;
      codes.set(code, { codeChallenge: query.code_challenge, redirectUri: query.redirect_uri });
      const location = new URL(query.redirect_uri);
      location.searchParams.set('code', code);
      if (query.state !== undefined) location.searchParams.set('state', query.state);
      res.writeHead(302, { location: location.toString() });
      return res.end();
    }

    if (seen.method === 'POST' && seen.path === '/oauth/token') {
      if (body.client_id !== clientId) return oauthError(res, 401, 'invalid_client', 'unknown client_id');
      if (body.grant_type === 'authorization_code') {
        const pending = typeof body.code === 'string' ? codes.get(body.code) : undefined;
        if (pending === undefined) return oauthError(res, 400, 'invalid_grant', 'unknown or used authorization code');
        codes.delete(body.code as string);
        if (body.redirect_uri !== pending.redirectUri) return oauthError(res, 400, 'invalid_grant', 'redirect_uri does not match');
        if (typeof body.code_verifier !== 'string' || s256(body.code_verifier) !== pending.codeChallenge) {
          return oauthError(res, 400, 'invalid_grant', 'code_verifier does not match the code_challenge');
        }
        return send(res, 200, tokenAnswer(grant('authorization_code')));
      }
      if (body.grant_type === 'refresh_token') {
        if (nextRefreshFailure !== undefined) {
          const failure = nextRefreshFailure;
          nextRefreshFailure = undefined;
          return oauthError(res, failure.status, failure.error, 'refresh refused');
        }
        const token = body.refresh_token;
        if (typeof token !== 'string' || spentRefreshTokens.has(token)) {
          return oauthError(res, 401, 'refresh_token_reused', 'this refresh token was already used');
        }
        if (!liveRefreshTokens.has(token)) return oauthError(res, 401, 'refresh_token_invalidated', 'unknown refresh token');
        liveRefreshTokens.delete(token);
        spentRefreshTokens.add(token);
        return send(res, 200, tokenAnswer(grant('refresh_token')));
      }
      return oauthError(res, 400, 'unsupported_grant_type', 'grant_type must be authorization_code or refresh_token');
    }

    if (seen.method === 'POST' && seen.path === '/api/accounts/deviceauth/usercode') {
      if (body.client_id !== clientId) return oauthError(res, 400, 'invalid_client', 'unknown client_id');
      const device: DeviceAuth = {
        deviceAuthId: `deviceauth_${nonce()}`,
        userCode: `${nonce(3).toUpperCase().slice(0, 4)}-${nonce(3).toUpperCase().slice(0, 4)}`,
        polls: 0,
        approved: false,
        released: false,
      };
      devices.set(device.deviceAuthId, device);
      return send(res, 200, {
        device_auth_id: device.deviceAuthId,
        user_code: device.userCode,
        interval: options.deviceIntervalSeconds ?? 0,
      });
    }

    if (seen.method === 'POST' && seen.path === '/api/accounts/deviceauth/token') {
      const device = typeof body.device_auth_id === 'string' ? devices.get(body.device_auth_id) : undefined;
      if (device === undefined || device.userCode !== body.user_code || device.released) {
        return send(res, 404, { error: { message: 'unknown device authorization' } });
      }
      device.polls += 1;
      const after = options.approveDeviceAfterPolls;
      if (!device.approved && !(after !== undefined && device.polls > after)) {
        return send(res, 403, { error: { message: 'authorization pending' } });
      }
      device.released = true;
      const verifier = nonce(32);
      const code = `ac_${nonce()}`;
      codes.set(code, { codeChallenge: s256(verifier), redirectUri: `${issuerUrl}/deviceauth/callback` });
      return send(res, 200, { authorization_code: code, code_challenge: s256(verifier), code_verifier: verifier });
    }

    return send(res, 404, { error: { message: `no such endpoint: ${seen.method} ${seen.path}` } });
  };

  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) send(res, 500, { error: { message: 'mock issuer failure' } });
      else res.destroy();
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  issuerUrl = `http://127.0.0.1:${port}`;
  let closed: Promise<void> | undefined;

  return {
    url: issuerUrl,
    tokenUrl: `${issuerUrl}/oauth/token`,
    port,
    requests,
    issued,
    approveDevice() {
      for (const device of devices.values()) device.approved = true;
    },
    failNextRefresh(status = 401, error = 'refresh_token_expired') {
      nextRefreshFailure = { status, error };
    },
    issueTokens: () => grant('authorization_code'),
    close() {
      closed ??= new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      });
      return closed;
    },
  };
}
