import { promises as fs } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMockOAuthIssuer, type MockOAuthIssuer } from '../../src/testing/index.js';

export const NOW = 1_750_000_000_000;
export const CLAIM = 'https://api.openai.com/auth';

/** A JWT (unsigned, `alg: none`) with the given payload, base64url with or without padding. */
export function makeJwt(payload: Record<string, unknown>, opts: { padded?: boolean } = {}): string {
  const enc = (v: unknown) => {
    const s = Buffer.from(JSON.stringify(v)).toString('base64url');
    return opts.padded ? s + '='.repeat((4 - (s.length % 4)) % 4) : s;
  };
  return `${enc({ alg: 'none' })}.${enc(payload)}.sig`;
}

/** A JWT carrying `chatgpt_account_id` (and a nonce so each token is a distinct secret). */
export function accountJwt(accountId: string, extra: Record<string, unknown> = {}, opts: { padded?: boolean } = {}): string {
  return makeJwt({ [CLAIM]: { chatgpt_account_id: accountId }, nonce: Math.random().toString(36).slice(2), ...extra }, opts);
}

export async function tmpDir(): Promise<string> {
  return fs.mkdtemp(join(tmpdir(), 'codex-rx-auth-'));
}

export async function writeJson(path: string, value: unknown): Promise<void> {
  await fs.writeFile(path, JSON.stringify(value, null, 2), { mode: 0o600 });
}

export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface TokenServer {
  url: string;
  requests: SeenRequest[];
  close(): Promise<void>;
}

export type Reply = { status?: number; body: unknown; delayMs?: number };

/** A real OAuth token endpoint on 127.0.0.1 that answers with `reply(request)` and records every request. */
export async function startTokenServer(reply: (req: SeenRequest, index: number) => Reply): Promise<TokenServer> {
  const requests: SeenRequest[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const seen: SeenRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(seen);
      const r = reply(seen, requests.length - 1);
      setTimeout(() => {
        res.writeHead(r.status ?? 200, { 'content-type': 'application/json' });
        res.end(typeof r.body === 'string' ? r.body : JSON.stringify(r.body));
      }, r.delayMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/oauth/token`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Every string an error exposes: message, stack, String(), JSON.stringify, and the same for each cause. */
export function exposedText(error: unknown): string {
  const parts: string[] = [];
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current !== undefined && current !== null && !seen.has(current)) {
    seen.add(current);
    parts.push(String(current));
    try {
      parts.push(JSON.stringify(current) ?? '');
    } catch {
      parts.push('<unserialisable>');
    }
    if (current instanceof Error) {
      parts.push(current.message, current.stack ?? '');
      for (const [k, v] of Object.entries(current)) parts.push(k, typeof v === 'string' ? v : (JSON.stringify(v) ?? ''));
    }
    current = current instanceof Error ? current.cause : undefined;
  }
  return parts.join('\n');
}

/** Awaits a promise that must reject, and returns the rejection. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

/** Lists every entry under `dir`, recursively (to prove nothing was created). */
export async function listTree(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    out.push(p);
    if (entry.isDirectory()) out.push(...(await listTree(p)));
  }
  return out.sort();
}

const AUTH_ENV_KEYS = ['OPENAI_CODEX_ACCESS_TOKEN', 'OPENAI_CODEX_AUTH_FILE', 'CODEX_HOME'] as const;

/** What {@link useOwnAuthFile} gives each test: a fresh directory and mock issuer, and a way to sign in. */
export interface OwnAuthFile {
  readonly dir: string;
  readonly issuer: MockOAuthIssuer;
  /** Writes codex-rx's own auth file with a grant of the mock issuer that has not expired. */
  storeOwnCredential(): Promise<{ path: string; access: string; refresh: string }>;
}

/**
 * Registers hooks that give every test of the enclosing describe a temporary directory, a mock
 * OAuth issuer for `accountId`, and an env where codex-rx's own auth file lives in that directory
 * and neither it nor the Codex CLI's file exists until a test writes it; all of it is undone after
 * the test.
 */
export function useOwnAuthFile(accountId: string): OwnAuthFile {
  const saved: Record<string, string | undefined> = {};
  let dir: string | undefined;
  let issuer: MockOAuthIssuer | undefined;
  beforeEach(async () => {
    dir = await tmpDir();
    issuer = await startMockOAuthIssuer({ accountId });
    for (const key of AUTH_ENV_KEYS) saved[key] = process.env[key];
    delete process.env.OPENAI_CODEX_ACCESS_TOKEN;
    process.env.OPENAI_CODEX_AUTH_FILE = join(dir, 'codex-rx', 'auth.json');
    process.env.CODEX_HOME = join(dir, 'codex-home');
  });
  afterEach(async () => {
    await issuer?.close();
    for (const key of AUTH_ENV_KEYS) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
    if (dir !== undefined) await fs.rm(dir, { recursive: true, force: true });
    dir = undefined;
    issuer = undefined;
  });
  const current = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} exists only inside a test of the describe that called useOwnAuthFile`);
    return value;
  };
  return {
    get dir() {
      return current(dir, 'dir');
    },
    get issuer() {
      return current(issuer, 'issuer');
    },
    async storeOwnCredential() {
      const tokens = current(issuer, 'issuer').issueTokens();
      const path = process.env.OPENAI_CODEX_AUTH_FILE!;
      await fs.mkdir(join(current(dir, 'dir'), 'codex-rx'), { recursive: true });
      const credential = {
        type: 'oauth',
        access: tokens.accessToken,
        refresh: tokens.refreshToken,
        expires: Date.now() + 3_600_000,
        account_id: accountId,
      };
      await fs.writeFile(path, JSON.stringify({ 'openai-codex': credential }), { mode: 0o600 });
      return { path, access: tokens.accessToken, refresh: tokens.refreshToken };
    },
  };
}
