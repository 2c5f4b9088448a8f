import { homedir } from 'node:os';
import { join, resolve as resolvePath } from 'node:path';
import type { Dispatcher } from 'undici';
import { AuthError } from '../errors.js';
import { redactText } from '../redact/index.js';
import type { Diagnostic } from '../types.js';
import { PROVIDER_KEY, readAuthFile, writeAuthFileAtomic, type StoredCredential } from './authFile.js';
import { readCodexCliAuth } from './codexCli.js';
import { extractAccountId } from './jwt.js';
import { withFileLock } from './lock.js';
import { refreshCodexToken } from './refresh.js';

/** A token is refreshed this long before it expires (the Rust client's `TOKEN_REFRESH_SKEW_MS`). */
export const TOKEN_REFRESH_SKEW_MS = 60_000;

/**
 * A refreshed token counts as valid for at least this long, whatever `expires_in` says: with
 * `expires_in: 0` (or anything under the refresh skew) every call would refresh again. Twice
 * the skew, so a new token is used for at least a minute; if the server meant it, the next
 * request gets a 401 and refreshes then.
 */
const MIN_TOKEN_LIFETIME_MS = 2 * TOKEN_REFRESH_SKEW_MS;

/** Where the credentials came from: a ChatGPT token (config, env, codex-rx's file, the Codex CLI's file) or an API key. */
export type AuthSource = 'config' | 'env' | 'auth-file' | 'codex-cli' | 'api-key';

/** The credentials a request is sent with. */
export interface ResolvedAuth {
  /** The bearer token, exactly as configured (not trimmed, as the Rust client). */
  accessToken: string;
  /** The `chatgpt-account-id` header value. */
  accountId: string;
  source: AuthSource;
}

/** Options of {@link resolveCodexAuth}. */
export interface ResolveCodexAuthOptions {
  /** A token to use as is; wins over everything else when non-blank. */
  accessToken?: string;
  /**
   * codex-rx's own auth file (the Rust client's format). A leading `~/` means the home folder.
   * @default env `OPENAI_CODEX_AUTH_FILE`, else `~/.codex-rx/auth.json`
   */
  authFile?: string;
  /** @default 'https://auth.openai.com/oauth/token' */
  authTokenUrl?: string;
  /** The undici dispatcher for the token refresh (pooling, proxies). */
  dispatcher?: Dispatcher;
  /** @default process.env */
  env?: NodeJS.ProcessEnv;
  /** The clock, in Unix milliseconds. @default Date.now */
  now?: () => number;
  /** @default env HOME / USERPROFILE, else `os.homedir()` */
  homeDir?: string;
  /**
   * Told when refreshed credentials could not be written back to the auth file
   * (`auth-file-write-failed`). They are kept in memory meanwhile, and the write is retried
   * at the next resolution.
   */
  onDiagnostic?: (diagnostic: Diagnostic) => void;
  /**
   * Writes the auth file's new text (to a temporary file that then replaces it). For tests
   * (a full disk) and unusual file systems.
   * @default a 0600 file, flushed before it replaces the old one
   */
  writeFile?: (path: string, data: string) => Promise<void>;
}

const nonBlank = (value: string | undefined): value is string => value !== undefined && value.trim() !== '';

function homeOf(options: ResolveCodexAuthOptions, env: NodeJS.ProcessEnv): string {
  if (nonBlank(options.homeDir)) return options.homeDir;
  if (nonBlank(env.HOME)) return env.HOME;
  if (nonBlank(env.USERPROFILE)) return env.USERPROFILE;
  if (nonBlank(env.HOMEDRIVE) && nonBlank(env.HOMEPATH)) return `${env.HOMEDRIVE}${env.HOMEPATH}`;
  return homedir();
}

function expandHome(path: string, home: string): string {
  if (path === '~') return home;
  if (path.startsWith('~/') || path.startsWith('~\\')) return join(home, path.slice(2));
  return path;
}

/**
 * The auth file codex-rx uses: `authFile`, else env `OPENAI_CODEX_AUTH_FILE`, else
 * `~/.codex-rx/auth.json`.
 *
 * @param options `authFile`, `env` and `homeDir` as for {@link resolveCodexAuth}.
 * @return The absolute path.
 */
export function resolveAuthFilePath(options: Pick<ResolveCodexAuthOptions, 'authFile' | 'env' | 'homeDir'> = {}): string {
  const env = options.env ?? process.env;
  const home = homeOf(options, env);
  const configured = nonBlank(options.authFile)
    ? options.authFile
    : nonBlank(env.OPENAI_CODEX_AUTH_FILE)
      ? env.OPENAI_CODEX_AUTH_FILE.trim()
      : join(home, '.codex-rx', 'auth.json');
  return resolvePath(expandHome(configured, home));
}

/**
 * The Codex CLI's auth file: `$CODEX_HOME/auth.json`, else `~/.codex/auth.json`.
 *
 * @param options `env` and `homeDir` as for {@link resolveCodexAuth}.
 * @return The absolute path.
 */
export function resolveCodexCliAuthPath(options: Pick<ResolveCodexAuthOptions, 'env' | 'homeDir'> = {}): string {
  const env = options.env ?? process.env;
  const home = homeOf(options, env);
  const codexHome = nonBlank(env.CODEX_HOME) ? expandHome(env.CODEX_HOME.trim(), home) : join(home, '.codex');
  return resolvePath(codexHome, 'auth.json');
}

const isExpired = (credential: StoredCredential, nowMs: number) => nowMs >= credential.expires - TOKEN_REFRESH_SKEW_MS;

function accountIdOf(credential: StoredCredential, path: string): string {
  const id = extractAccountId(credential.access) ?? (credential.account_id !== '' ? credential.account_id : undefined);
  if (id === undefined) throw new AuthError(`Failed to extract ChatGPT account ID from access token (${path})`);
  return id;
}

/** One refresh per auth file at a time in this process; the file lock covers other processes. */
const refreshesInFlight = new Map<string, Promise<StoredCredential | undefined>>();

/**
 * Credentials refreshed in this process whose write-back failed, by auth file. The file still
 * holds `spentRefresh`, the refresh token they replaced (single-use: sending it again fails), so
 * these win over the file for as long as the file holds it, and the write is retried at each
 * resolution until it succeeds.
 */
const unsaved = new Map<string, { credential: StoredCredential; spentRefresh: string }>();

/** The credential to use: the file's, or the unsaved one that supersedes it. */
function effective(path: string, fromFile: StoredCredential | undefined): StoredCredential | undefined {
  const kept = unsaved.get(path);
  if (kept === undefined) return fromFile;
  if (fromFile !== undefined && fromFile.refresh === kept.spentRefresh) return kept.credential;
  // Someone signed in or out meanwhile: the file is newer than what this process kept.
  unsaved.delete(path);
  return fromFile;
}

/**
 * Writes a credential back; on failure keeps it in memory (so no later call sends the spent
 * refresh token) and reports the failure, without any token in it.
 */
async function writeBack(
  path: string,
  contents: Record<string, StoredCredential>,
  credential: StoredCredential,
  spentRefresh: string,
  options: ResolveCodexAuthOptions,
): Promise<void> {
  try {
    await writeAuthFileAtomic(path, { ...contents, [PROVIDER_KEY]: credential }, options.writeFile);
    unsaved.delete(path);
  } catch (error) {
    unsaved.set(path, { credential, spentRefresh });
    reportUnsaved(path, error, credential, options);
  }
}

/** Reports refreshed credentials that are only in memory, with no token in the message. */
function reportUnsaved(path: string, error: unknown, credential: StoredCredential, options: ResolveCodexAuthOptions): void {
  const cause = (error as { cause?: unknown }).cause ?? error;
  const reason = cause instanceof Error ? cause.message : String(cause);
  options.onDiagnostic?.({
    type: 'auth-file-write-failed',
    path,
    message: redactText(
      `Could not write the refreshed OpenAI Codex credentials to ${path} (${reason}). ` +
        'They are kept in memory for this process and the write is retried at the next request.',
      [credential.access, credential.refresh, unsaved.get(path)?.spentRefresh],
    ),
  });
}

/**
 * Refreshes the stored credential under the file lock. After taking the lock the file is read
 * again: if another process refreshed it meanwhile, that result is used and no request is made.
 * Unsaved credentials of an earlier refresh are written back first.
 */
async function refreshStored(
  path: string,
  options: ResolveCodexAuthOptions,
  now: () => number,
  needsRefresh: (current: StoredCredential) => boolean = (current) => isExpired(current, now()),
): Promise<StoredCredential | undefined> {
  return withFileLock(`${path}.lock`, async () => {
    const contents = (await readAuthFile(path)) ?? {};
    const inFile = contents[PROVIDER_KEY];
    const current = effective(path, inFile);
    if (inFile === undefined || current === undefined) return undefined; // logged out meanwhile
    if (!needsRefresh(current)) {
      if (current !== inFile) await writeBack(path, contents, current, inFile.refresh, options);
      return current;
    }

    const tokens = await refreshCodexToken(current.refresh, {
      ...(options.authTokenUrl === undefined ? {} : { tokenUrl: options.authTokenUrl }),
      ...(options.dispatcher === undefined ? {} : { dispatcher: options.dispatcher }),
    });
    const accountId =
      extractAccountId(tokens.accessToken) ??
      (tokens.idToken === undefined ? undefined : extractAccountId(tokens.idToken)) ??
      (current.account_id !== '' ? current.account_id : undefined);
    if (accountId === undefined) throw new AuthError('Failed to extract ChatGPT account ID from access token');

    const next: StoredCredential = {
      type: 'oauth',
      access: tokens.accessToken,
      refresh: tokens.refreshToken ?? current.refresh,
      expires: now() + Math.max(tokens.expiresInSeconds * 1000, MIN_TOKEN_LIFETIME_MS),
      account_id: accountId,
    };
    await writeBack(path, contents, next, inFile.refresh, options);
    return next;
  });
}

function refreshDeduped(path: string, options: ResolveCodexAuthOptions, now: () => number): Promise<StoredCredential | undefined> {
  let pending = refreshesInFlight.get(path);
  if (pending === undefined) {
    pending = refreshStored(path, options, now).finally(() => refreshesInFlight.delete(path));
    refreshesInFlight.set(path, pending);
  }
  return pending;
}

async function fromAuthFile(path: string, options: ResolveCodexAuthOptions, now: () => number): Promise<ResolvedAuth | undefined> {
  const contents = await readAuthFile(path);
  let credential = effective(path, contents?.[PROVIDER_KEY]);
  if (credential === undefined) return undefined;
  if (isExpired(credential, now())) {
    credential = await refreshDeduped(path, options, now);
    if (credential === undefined) return undefined;
  } else if (unsaved.has(path)) {
    // Refreshed earlier, not yet written back: retry the write, under the lock.
    try {
      credential = (await refreshDeduped(path, options, now)) ?? credential;
    } catch (error) {
      // The lock itself could not be taken (the same full disk, say): the kept credential
      // still works, and the write is tried again next time.
      reportUnsaved(path, error, credential, options);
    }
  }
  return { accessToken: credential.access, accountId: accountIdOf(credential, path), source: 'auth-file' };
}

/**
 * Resolves the credentials of a Codex request (the Rust client's `resolve_openai_codex_auth`), in order:
 *
 * 1. `options.accessToken`, when non-blank (returned untrimmed, as the Rust client);
 * 2. env `OPENAI_CODEX_ACCESS_TOKEN`, when non-blank;
 * 3. codex-rx's auth file (the Rust client's format), refreshed through the OAuth token endpoint 60 s before
 *    it expires and written back atomically, 0600, under a cross-process lock — one refresh
 *    per file even when several calls or processes race;
 * 4. the Codex CLI's `$CODEX_HOME/auth.json`, read only (an expired token there is an
 *    `AuthError` that says to run `codex`).
 *
 * The account id is the token's `https://api.openai.com/auth`.`chatgpt_account_id` claim,
 * falling back to the file's `account_id`. Reading never creates a file or folder. Every
 * failure is an `AuthError` whose message never contains a token.
 *
 * ## Example
 * ```ts
 * import { resolveCodexAuth } from './resolveCodexAuth.js'; // internal: CodexClient calls it per stream()
 *
 * const { accessToken, accountId, source } = await resolveCodexAuth();
 * console.log(`using ChatGPT account ${accountId} from ${source}`);
 * ```
 *
 * @param options Where to look, the token endpoint, and injectable env/clock/home for tests.
 * @return The token, its account id and where it came from.
 */
export async function resolveCodexAuth(options: ResolveCodexAuthOptions = {}): Promise<ResolvedAuth> {
  const env = options.env ?? process.env;
  const now = options.now ?? Date.now;

  if (nonBlank(options.accessToken)) {
    const accountId = extractAccountId(options.accessToken);
    if (accountId === undefined) throw new AuthError('Failed to extract ChatGPT account ID from configured token');
    return { accessToken: options.accessToken, accountId, source: 'config' };
  }

  const envToken = env.OPENAI_CODEX_ACCESS_TOKEN;
  if (nonBlank(envToken)) {
    const accountId = extractAccountId(envToken);
    if (accountId === undefined) {
      throw new AuthError('Failed to extract ChatGPT account ID from OPENAI_CODEX_ACCESS_TOKEN');
    }
    return { accessToken: envToken, accountId, source: 'env' };
  }

  const authFile = resolveAuthFilePath({ ...options, env });
  const stored = await fromAuthFile(authFile, options, now);
  if (stored !== undefined) return stored;

  const codexCliFile = resolveCodexCliAuthPath({ ...options, env });
  const cli = await readCodexCliAuth(codexCliFile, now(), TOKEN_REFRESH_SKEW_MS);
  if (cli !== undefined) return { ...cli, source: 'codex-cli' };

  throw new AuthError(
    `Missing OpenAI Codex credentials. Run \`codex-rx login\` to sign in (it writes ${authFile}), set OPENAI_CODEX_ACCESS_TOKEN, ` +
      `or run \`codex login\` to create ${codexCliFile}` +
      // A key set for other tools is never used unasked: say how to use it.
      (nonBlank(env.OPENAI_API_KEY)
        ? ". Or, to use the OPENAI_API_KEY that is set, pass auth: 'api-key' (codex-rx --live --auth api-key)"
        : ''),
  );
}

/**
 * After the server refused `rejected` with a 401: new credentials worth one more try, or
 * `undefined` when there are none.
 *
 * 1. codex-rx's auth file: refreshed once under the lock, even when the token has not expired
 *    (the server may have revoked it). When the file already holds another token (another
 *    call or process refreshed it meanwhile), that one is used without a new refresh.
 * 2. The Codex CLI's file: read again, because the CLI may have refreshed it; its token is
 *    used only when it changed. It is never refreshed here.
 * 3. A configured or env token: nothing to recover.
 *
 * @param rejected The credentials the server refused.
 * @param options The same options the credentials were resolved with.
 * @return The credentials to resend with, or `undefined`.
 */
export async function recoverFromUnauthorized(
  rejected: ResolvedAuth,
  options: ResolveCodexAuthOptions = {},
): Promise<ResolvedAuth | undefined> {
  const env = options.env ?? process.env;
  const now = options.now ?? Date.now;
  if (rejected.source === 'auth-file') {
    const path = resolveAuthFilePath({ ...options, env });
    const next = await refreshStored(path, options, now, (current) => current.access === rejected.accessToken);
    if (next === undefined || next.access === rejected.accessToken) return undefined;
    return { accessToken: next.access, accountId: accountIdOf(next, path), source: 'auth-file' };
  }
  if (rejected.source === 'codex-cli') {
    const cli = await readCodexCliAuth(resolveCodexCliAuthPath({ ...options, env }), now(), TOKEN_REFRESH_SKEW_MS);
    if (cli === undefined || cli.accessToken === rejected.accessToken) return undefined;
    return { ...cli, source: 'codex-cli' };
  }
  return undefined;
}
