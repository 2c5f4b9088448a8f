import { promises as fs } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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
