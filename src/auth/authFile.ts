import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { AuthError } from '../errors.js';
import { sortedJsonStringify } from '../json/sortedJson.js';

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
 * whole file must be an object whose every entry is a complete credential. Valid JSON of
 * another shape is reported as such, with the shape expected and what is wrong (never a value).
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
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new AuthError(`Invalid JSON in OpenAI Codex auth file (${path})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw wrongShape(path, `the file holds ${describe(parsed)}`);
  }
  const out: AuthFileContents = {};
  for (const [key, entry] of Object.entries(parsed)) {
    if (!isStoredCredential(entry)) throw wrongShape(path, `entry "${key}": ${credentialProblem(entry)}`);
    out[key] = entry;
  }
  return out;
}

const EXPECTED_SHAPE =
  '{"openai-codex": {"type": string, "access": string, "refresh": string, "expires": number (Unix ms), "account_id": string}}';

function wrongShape(path: string, problem: string): AuthError {
  return new AuthError(`OpenAI Codex auth file (${path}) is valid JSON of the wrong shape: ${problem}. Expected ${EXPECTED_SHAPE}`);
}

/** What a JSON value is, without quoting it (it may hold tokens). */
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** Which fields of a would-be credential are missing or of the wrong type, without their values. */
function credentialProblem(entry: unknown): string {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return `${describe(entry)}, not an object`;
  const v = entry as Record<string, unknown>;
  const wanted: [string, string][] = [
    ['type', 'string'],
    ['access', 'string'],
    ['refresh', 'string'],
    ['expires', 'number'],
    ['account_id', 'string'],
  ];
  const problems = wanted
    .filter(([field, type]) => typeof v[field] !== type || (type === 'number' && !Number.isFinite(v[field])))
    .map(([field, type]) => (v[field] === undefined ? `"${field}" missing` : `"${field}" is ${describe(v[field])}, not a ${type}`));
  return problems.join(', ');
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
    const text = await fs.readFile(path, 'utf8');
    // Editors on Windows save UTF-8 with a byte order mark, which JSON.parse rejects.
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new AuthError(`Failed to read ${what} (${path})`, { cause: error });
  }
}

/**
 * Writes a new file's whole text. The auth layer takes it as a parameter so that a failing disk
 * can be simulated; the default creates the file 0600 (it must not exist yet) and flushes it.
 */
export type AuthFileWriter = (path: string, data: string) => Promise<void>;

/** The default {@link AuthFileWriter}. */
export const writeNewFileSynced: AuthFileWriter = async (path, data) => {
  const handle = await fs.open(path, 'wx', 0o600);
  try {
    await handle.chmod(0o600); // the umask could have narrowed it, never widened; be explicit anyway
    await handle.writeFile(data, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
};

/** The file a path names, through any symlinks; the path itself when it does not exist yet. */
async function targetOf(path: string): Promise<string> {
  try {
    return await fs.realpath(path);
  } catch {
    // A dangling link: write where it points, so it stays a link.
    try {
      return resolve(dirname(path), await fs.readlink(path));
    } catch {
      return path;
    }
  }
}

/**
 * Writes the auth file atomically: a 0600 temporary file in the same folder, flushed, then
 * renamed over the target, so a reader never sees a half-written file and a crash never
 * leaves one. A symlinked auth file stays a symlink: the file it points to is replaced. The
 * caller holds the lock.
 *
 * @param path The auth file.
 * @param contents The whole map to store.
 * @param write How the temporary file is written.
 */
export async function writeAuthFileAtomic(
  path: string,
  contents: AuthFileContents,
  write: AuthFileWriter = writeNewFileSynced,
): Promise<void> {
  const target = await targetOf(path);
  const tmp = join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    // Keys sorted, two-space indented: the Rust client wrote a BTreeMap with serde_json's pretty printer.
    await write(tmp, sortedJsonStringify(contents, 'the auth file', 2));
    await fs.rename(tmp, target);
  } catch (error) {
    await fs.unlink(tmp).catch(() => undefined);
    throw new AuthError(`Failed to write OpenAI Codex auth file (${path})`, { cause: error });
  }
}
