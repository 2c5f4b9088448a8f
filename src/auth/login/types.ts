import type { SchedulerLike } from 'rxjs';
import type { Dispatcher } from 'undici';

/** What a sign-in flow reports, in order: where to go (or what to type), then the result. */
export type LoginEvent =
  /** Browser flow: the page to open (it is opened for you when `openBrowser` allows). */
  | { type: 'authorize-url'; url: string }
  /** Device flow: type `userCode` at `verificationUrl` before `expiresAt` (Unix ms). */
  | { type: 'device-code'; userCode: string; verificationUrl: string; expiresAt: number }
  /** Signed in: the credentials are stored in `authFile`; the token expires at `expiresAt` (Unix ms). */
  | { type: 'logged-in'; accountId: string; planType?: string; email?: string; expiresAt: number; authFile: string };

/** Options of `loginWithBrowser` and `loginWithDeviceCode`. */
export interface LoginOptions {
  /**
   * The OpenAI sign-in server.
   * @default 'https://auth.openai.com'
   */
  issuer?: string;
  /**
   * The OAuth client id.
   * @default the Codex CLI's public client id, 'app_EMoamEEZ73f0CkXaXp7hrann'
   */
  clientId?: string;
  /**
   * Browser flow: the callback listens on 127.0.0.1 at this port (0 = any free port, for tests).
   * @default 1455
   */
  port?: number;
  /**
   * Sent to the sign-in page as `originator`.
   * @default 'codex_cli_rs'
   */
  originator?: string;
  /**
   * Where the credentials are stored.
   * @default env `OPENAI_CODEX_AUTH_FILE`, else `~/.codex-rx/auth.json`
   */
  authFile?: string;
  /** The undici dispatcher for the requests to the sign-in server (proxies, pooling). */
  dispatcher?: Dispatcher;
  /**
   * Browser flow: open the sign-in page. `true`/`false`, or your own opener.
   * @default true when stdout is a terminal
   */
  openBrowser?: boolean | ((url: string) => void);
  /**
   * Give up after this long, with an `AuthError`.
   * @default 300000 for the browser flow, 900000 for the device flow
   */
  timeoutMs?: number;
  /** The scheduler that times the timeout and the device flow's polling (a `TestScheduler` in tests). */
  scheduler?: SchedulerLike;
}

/** Options of `logout`. */
export interface LogoutOptions {
  /**
   * The auth file to remove codex-rx's credential from.
   * @default env `OPENAI_CODEX_AUTH_FILE`, else `~/.codex-rx/auth.json`
   */
  authFile?: string;
}
