import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { AuthError } from '../errors.js';

/** The key of codex-rx's (and the Rust client's) entry in the auth file. */
export const PROVIDER_KEY = 'openai-codex';

/** One stored OAuth credential (the Rust client's `StoredCredential`). `expires` is in Unix milliseconds. */
export interface StoredCredential {
  type: string;
  access: string;
  refresh: string;
  expires: number;
  account_id: string;
}

/** The whole auth file: provider key → credential. */
export type AuthFileContents = Record<string, StoredCredential>;

function isStoredCredential(value: unknown): value is StoredCredential {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.type === 'string' &&
    typeof v.access === 'string' &&
    typeof v.refresh === 'string' &&
    typeof v.expires === 'number' &&
    Number.isFinite(v.expires) &&
    typeof v.account_id === 'string'
  );
}

/**
 * Parses the auth file's text as the Rust client does: empty or whitespace-only is an empty map; the
 * whole file must be an object whose every entry is a complete credential.
 *
 * The JSON parser's own error is deliberately not attached as `cause`: V8 quotes the input
 * around the failure, and the input holds tokens.
 *
 * @param text The file's contents.
 * @param path The file, for the message.
 * @return The parsed map.
 */
export function parseAuthFile(text: string, path: string): AuthFileContents {
  if (text.trim() === '') return {};
  const invalid = () => new AuthError(`Invalid JSON in OpenAI Codex auth file (${path})`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalid();
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw invalid();
  const out: AuthFileContents = {};
  for (const [key, entry] of Object.entries(parsed)) {
    if (!isStoredCredential(entry)) throw invalid();
    out[key] = entry;
  }
  return out;
}

/**
 * Reads and parses the auth file. Never creates anything.
 *
 * @param path The auth file.
 * @return The parsed map, or `undefined` when the file (or its folder) does not exist.
 */
export async function readAuthFile(path: string): Promise<AuthFileContents | undefined> {
  const text = await readTextIfPresent(path, 'OpenAI Codex auth file');
  return text === undefined ? undefined : parseAuthFile(text, path);
}

/**
 * A credential file's text, or `undefined` when it (or its folder) does not exist. Reads only:
 * resolving auth never creates anything.
 *
 * @param path The file.
 * @param what What the file is, for the error message.
 * @return The text, or `undefined` when absent.
 */
export async function readTextIfPresent(path: string, what: string): Promise<string | undefined> {
  try {
    return await fs.readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new AuthError(`Failed to read ${what} (${path})`, { cause: error });
  }
}

/** JSON with every object's keys sorted (the Rust client's `BTreeMap`), two-space indented. */
function sortedPrettyJson(value: unknown): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (typeof v !== 'object' || v === null) return v;
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, sort((v as Record<string, unknown>)[k])]),
    );
  };
  return JSON.stringify(sort(value), null, 2);
}

/**
 * Writes the auth file atomically: a 0600 temporary file in the same folder, flushed, then
 * renamed over the target, so a reader never sees a half-written file and a crash never
 * leaves one. The caller holds the lock.
 *
 * @param path The auth file.
 * @param contents The whole map to store.
 */
export async function writeAuthFileAtomic(path: string, contents: AuthFileContents): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const handle = await fs.open(tmp, 'wx', 0o600);
    try {
      await handle.chmod(0o600); // the umask could have narrowed it, never widened; be explicit anyway
      await handle.writeFile(sortedPrettyJson(contents), 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(tmp, path);
  } catch (error) {
    await fs.unlink(tmp).catch(() => undefined);
    throw new AuthError(`Failed to write OpenAI Codex auth file (${path})`, { cause: error });
  }
}
