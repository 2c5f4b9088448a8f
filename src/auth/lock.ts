import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { AuthError } from '../errors.js';

/** Options of {@link withFileLock}. */
export interface FileLockOptions {
  /**
   * A lock whose file has not been touched for this long is considered abandoned (its holder
   * crashed) and is broken. Holders touch their lock every `staleMs / 4`.
   * @default 30000
   */
  staleMs?: number;
  /**
   * How long to wait for the lock before giving up with an `AuthError`.
   * @default 90000
   */
  timeoutMs?: number;
}

const DEFAULT_STALE_MS = 30_000;
// Longer than a holder's worst case (token request: 30 s headers + 30 s body), so waiters outlast a slow refresh.
const DEFAULT_TIMEOUT_MS = 90_000;
const MIN_POLL_MS = 10;
const MAX_POLL_MS = 200;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function isErrno(error: unknown, ...codes: string[]): boolean {
  return typeof error === 'object' && error !== null && codes.includes((error as NodeJS.ErrnoException).code ?? '');
}

/** Reads the lock's owner nonce; `undefined` when the lock file is gone. */
async function readNonce(path: string): Promise<string | undefined> {
  try {
    return await fs.readFile(path, 'utf8');
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return undefined;
    throw error;
  }
}

/**
 * Breaks a lock that looked stale. Renaming is atomic, so of several waiters that saw the same
 * stale lock only one moves it; the nonce check catches the case where the file moved was a new,
 * live lock created in between, and links it back (link fails if someone locked meanwhile).
 */
async function breakStaleLock(lockPath: string, staleNonce: string): Promise<void> {
  const aside = `${lockPath}.${randomBytes(6).toString('hex')}.stale`;
  try {
    await fs.rename(lockPath, aside);
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return;
    throw error;
  }
  const moved = await readNonce(aside);
  if (moved !== staleNonce) await fs.link(aside, lockPath).catch(() => undefined);
  await fs.unlink(aside).catch(() => undefined);
}

/**
 * Runs `fn` while holding an exclusive cross-process lock on `lockPath`: the lock is a file
 * created with `O_CREAT | O_EXCL` (`'wx'`), which only one process can create. Waiters poll
 * with growing intervals; a lock older than `staleMs` is broken; the wait is bounded by
 * `timeoutMs`. No native dependencies.
 *
 * @param lockPath The lock file (its folder must exist).
 * @param fn The critical section.
 * @param options Staleness and timeout.
 * @return What `fn` returns.
 */
export async function withFileLock<T>(lockPath: string, fn: () => Promise<T>, options: FileLockOptions = {}): Promise<T> {
  const staleMs = options.staleMs ?? DEFAULT_STALE_MS;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const nonce = `${process.pid}:${randomBytes(12).toString('hex')}`;
  const deadline = Date.now() + timeoutMs;
  let pollMs = MIN_POLL_MS;

  for (;;) {
    try {
      const handle = await fs.open(lockPath, 'wx', 0o600);
      try {
        await handle.writeFile(nonce);
      } finally {
        await handle.close();
      }
      break;
    } catch (error) {
      if (!isErrno(error, 'EEXIST')) {
        throw new AuthError(`Failed to lock OpenAI Codex auth file (${lockPath})`, { cause: error });
      }
    }
    try {
      // Age and owner from one handle, so both describe the same lock file.
      const handle = await fs.open(lockPath, 'r');
      let ageMs: number;
      let owner: string;
      try {
        ageMs = Date.now() - (await handle.stat()).mtimeMs;
        owner = await handle.readFile('utf8');
      } finally {
        await handle.close();
      }
      if (ageMs > staleMs) {
        await breakStaleLock(lockPath, owner);
        continue;
      }
    } catch (error) {
      if (!isErrno(error, 'ENOENT')) throw new AuthError(`Failed to inspect lock ${lockPath}`, { cause: error });
      continue; // released between our open and stat: try again at once
    }
    if (Date.now() >= deadline) {
      throw new AuthError(
        `Timed out after ${timeoutMs} ms waiting for the lock ${lockPath}; ` +
          'remove it if no other process is refreshing OpenAI Codex credentials',
      );
    }
    await sleep(Math.min(pollMs, Math.max(0, deadline - Date.now())));
    pollMs = Math.min(pollMs * 2, MAX_POLL_MS);
  }

  // Heartbeat: keeps a long critical section (a slow token endpoint) from looking abandoned.
  const heartbeat = setInterval(
    () => {
      const now = new Date();
      fs.utimes(lockPath, now, now).catch(() => undefined);
    },
    Math.max(1, Math.floor(staleMs / 4)),
  );
  heartbeat.unref();
  try {
    return await fn();
  } finally {
    clearInterval(heartbeat);
    // Release only our own lock: if it was (wrongly) broken as stale, the new owner keeps theirs.
    if ((await readNonce(lockPath).catch(() => undefined)) === nonce) {
      await fs.unlink(lockPath).catch(() => undefined);
    }
  }
}
