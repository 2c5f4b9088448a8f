import { asyncScheduler, concat, defer, exhaustMap, filter, map, mergeMap, of, take, timer, type Observable } from 'rxjs';
import { AuthError } from '../../errors.js';
import { exchangeCode, storeLogin } from './credentials.js';
import { postToIssuer, refusalReason } from './http.js';
import { DEFAULT_DEVICE_TIMEOUT_MS, resolveLoginOptions, type ResolvedLoginOptions } from './options.js';
import { endWithinTimeout } from './timeout.js';
import type { LoginEvent, LoginOptions } from './types.js';

/** What the user-code endpoint gives. */
interface DeviceAuthorization {
  deviceAuthId: string;
  userCode: string;
  intervalMs: number;
}

/** What the token endpoint gives once the user approved: a code and the verifier to redeem it with. */
interface DeviceGrant {
  code: string;
  codeVerifier: string;
}

/** Polls no faster than this, whatever the server says (it may say 0). */
const MIN_POLL_INTERVAL_MS = 100;
const DEFAULT_POLL_INTERVAL_S = 5;

function requestUserCode(o: ResolvedLoginOptions): Observable<DeviceAuthorization> {
  return postToIssuer(`${o.issuer}/api/accounts/deviceauth/usercode`, {
    body: { json: { client_id: o.clientId } },
    dispatcher: o.dispatcher,
    secrets: [],
    what: 'the device code',
  }).pipe(
    map((answer) => {
      if (answer.status === 404) {
        throw new AuthError('Sign-in with a device code is not enabled for this server. Run `codex-rx login` on a machine with a browser.');
      }
      if (answer.status < 200 || answer.status > 299) {
        throw new AuthError(`Sign-in failed: the device code was refused (${answer.status}): ${refusalReason(answer, [])}`);
      }
      const body = (answer.json ?? {}) as Record<string, unknown>;
      const deviceAuthId = body.device_auth_id;
      const userCode = body.user_code ?? body.usercode;
      if (typeof deviceAuthId !== 'string' || typeof userCode !== 'string' || deviceAuthId === '' || userCode === '') {
        throw new AuthError('Sign-in failed: the device-code answer has no device_auth_id and user_code');
      }
      const interval = Number(body.interval ?? DEFAULT_POLL_INTERVAL_S);
      const seconds = Number.isFinite(interval) && interval >= 0 ? interval : DEFAULT_POLL_INTERVAL_S;
      return { deviceAuthId, userCode, intervalMs: Math.max(MIN_POLL_INTERVAL_MS, seconds * 1000) };
    }),
  );
}

/** Polls until the user approves (403 and 404 mean "not yet"); unsubscribing stops it. */
function pollForGrant(o: ResolvedLoginOptions, device: DeviceAuthorization): Observable<DeviceGrant> {
  const secrets = [device.deviceAuthId];
  return timer(device.intervalMs, device.intervalMs, o.scheduler ?? asyncScheduler).pipe(
    // A slow answer is not overtaken by the next poll.
    exhaustMap(() =>
      postToIssuer(`${o.issuer}/api/accounts/deviceauth/token`, {
        body: { json: { device_auth_id: device.deviceAuthId, user_code: device.userCode } },
        dispatcher: o.dispatcher,
        secrets,
        what: 'the device sign-in poll',
      }),
    ),
    map((answer): DeviceGrant | undefined => {
      if (answer.status === 403 || answer.status === 404) return undefined;
      if (answer.status < 200 || answer.status > 299) {
        throw new AuthError(`Sign-in failed: the device sign-in was refused (${answer.status}): ${refusalReason(answer, secrets)}`);
      }
      const body = (answer.json ?? {}) as Record<string, unknown>;
      if (typeof body.authorization_code !== 'string' || typeof body.code_verifier !== 'string') {
        throw new AuthError('Sign-in failed: the device sign-in answered without authorization_code and code_verifier');
      }
      return { code: body.authorization_code, codeVerifier: body.code_verifier };
    }),
    filter((grant): grant is DeviceGrant => grant !== undefined),
    take(1),
  );
}

/**
 * Signs in with a device code, for machines without a browser (SSH, containers), as the Codex
 * CLI's `--device-auth` does, and stores the credentials in codex-rx's auth file. Cold: each
 * subscription is one sign-in.
 *
 * 1. Asks `{issuer}/api/accounts/deviceauth/usercode` for a code and emits `device-code`: open
 *    `verificationUrl` on any device and type `userCode` there.
 * 2. Polls `{issuer}/api/accounts/deviceauth/token` at the server's interval (403 and 404 mean
 *    "not yet") until the user approves.
 * 3. Exchanges the code it gets at `{issuer}/oauth/token` (redirect URI
 *    `{issuer}/deviceauth/callback`), writes the credential (0600, under the same lock as a
 *    refresh), emits `logged-in` and completes.
 * 4. After `timeoutMs` (15 minutes) it fails with an `AuthError`. Unsubscribing stops the polling
 *    and aborts any request in flight.
 *
 * ## Example
 * ```ts
 * import { loginWithDeviceCode } from 'codex-rx';
 *
 * loginWithDeviceCode().subscribe((event) => {
 *   if (event.type === 'device-code') console.log(`Open ${event.verificationUrl} and enter ${event.userCode}`);
 *   if (event.type === 'logged-in') console.log(`Signed in (${event.planType ?? 'unknown plan'})`);
 * });
 * ```
 *
 * @param options Issuer, auth file and timeout (`port` and `openBrowser` are not used).
 * @return An Observable of `device-code`, then `logged-in`.
 * @throws {ConfigError} When an option is invalid (at call time).
 */
export function loginWithDeviceCode(options?: LoginOptions): Observable<LoginEvent> {
  const o = resolveLoginOptions(options, DEFAULT_DEVICE_TIMEOUT_MS, 'loginWithDeviceCode');
  return defer(() => {
    const startedAt = Date.now();
    const flow = requestUserCode(o).pipe(
      mergeMap((device) =>
        concat(
          of<LoginEvent>({
            type: 'device-code',
            userCode: device.userCode,
            verificationUrl: `${o.issuer}/codex/device`,
            expiresAt: startedAt + o.timeoutMs,
          }),
          pollForGrant(o, device).pipe(
            mergeMap((grant) =>
              exchangeCode({
                issuer: o.issuer,
                clientId: o.clientId,
                code: grant.code,
                codeVerifier: grant.codeVerifier,
                redirectUri: `${o.issuer}/deviceauth/callback`,
                ...(o.dispatcher === undefined ? {} : { dispatcher: o.dispatcher }),
              }),
            ),
            mergeMap((tokens) => storeLogin(o.authFile, tokens, Date.now())),
          ),
        ),
      ),
    );
    return endWithinTimeout(flow, o, 'the device sign-in');
  });
}
