/**
 * The auth file under faults: a refresh whose write-back fails loses nothing, a symlinked file
 * stays a symlink, a BOM is read, a file of the wrong shape says what shape is expected, a
 * token that claims to expire at once is not refreshed at every call, and the token endpoint's
 * answer is bounded.
 */
import { promises as fs } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { resolveCodexAuth } from '../../src/auth/resolveCodexAuth.js';
import { AuthError } from '../../src/errors.js';
import type { Diagnostic } from '../../src/types.js';
import { accountJwt, NOW, rejectionOf, startTokenServer, tmpDir, type Reply, type TokenServer } from './helpers.js';

const stored = (over: Record<string, unknown> = {}) => ({
  type: 'oauth',
  access: accountJwt('acc_1'),
  refresh: 'rt_spent_after_refresh_0001',
  expires: NOW - 1000,
  account_id: 'acc_1',
  ...over,
});

/** A write that fails as a full disk does. */
const fullDisk = async (): Promise<void> => {
  throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
};

describe('auth file faults', () => {
  let dir: string;
  let authFile: string;
  let server: TokenServer;
  let reply: (i: number) => Reply;
  let issued: string[];

  beforeEach(async () => {
    dir = await tmpDir();
    authFile = join(dir, 'auth.json');
    issued = [];
    reply = (i) => {
      const access = accountJwt('acc_1');
      issued.push(access);
      return { body: { access_token: access, refresh_token: `rt_fresh_${i}_abcdefghijklmnop`, expires_in: 3600 } };
    };
    server = await startTokenServer((_req, i) => reply(i));
  });
  afterEach(async () => {
    await server.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  const resolve = (extra: Parameters<typeof resolveCodexAuth>[0] = {}, now = () => NOW) =>
    resolveCodexAuth({ env: {}, homeDir: dir, authFile, authTokenUrl: server.url, now, ...extra });
  const writeFile = (value: unknown) => fs.writeFile(authFile, JSON.stringify({ 'openai-codex': value }), { mode: 0o600 });
  const refreshTokensSent = () => server.requests.map((r) => new URLSearchParams(r.body).get('refresh_token'));

  describe('a refresh whose write-back fails', () => {
    it('uses the new token, keeps it in memory, reports the failure without tokens, and writes it once the disk works', async () => {
      await writeFile(stored());
      const diagnostics: Diagnostic[] = [];
      const onDiagnostic = (d: Diagnostic) => diagnostics.push(d);

      const first = await resolve({ onDiagnostic, writeFile: fullDisk });
      expect(first.accessToken).toBe(issued[0]);
      expect(diagnostics).toEqual([
        { type: 'auth-file-write-failed', path: authFile, message: expect.stringContaining('ENOSPC: no space left on device') },
      ]);
      const text = JSON.stringify(diagnostics);
      for (const secret of [issued[0]!, 'rt_fresh_0_abcdefghijklmnop', 'rt_spent_after_refresh_0001']) expect(text).not.toContain(secret);
      // The file still holds the spent refresh token.
      expect(JSON.parse(await fs.readFile(authFile, 'utf8'))['openai-codex'].refresh).toBe('rt_spent_after_refresh_0001');

      // Still failing: the next call uses the kept token, sends nothing to the token endpoint.
      const second = await resolve({ onDiagnostic, writeFile: fullDisk });
      expect(second.accessToken).toBe(issued[0]);
      expect(refreshTokensSent()).toEqual(['rt_spent_after_refresh_0001']);
      expect(diagnostics).toHaveLength(2);

      // The disk works again: the write is retried and the file gets the new tokens.
      const third = await resolve({ onDiagnostic });
      expect(third.accessToken).toBe(issued[0]);
      const saved = JSON.parse(await fs.readFile(authFile, 'utf8'))['openai-codex'];
      expect(saved).toMatchObject({ access: issued[0], refresh: 'rt_fresh_0_abcdefghijklmnop', expires: NOW + 3_600_000 });
      expect(diagnostics).toHaveLength(2);
    });

    it('refreshes the kept credential, not the spent one, when the kept one expires before the write succeeds', async () => {
      await writeFile(stored());
      await resolve({ writeFile: fullDisk });
      const later = () => NOW + 3_600_000;
      const again = await resolve({ writeFile: fullDisk }, later);
      expect(refreshTokensSent()).toEqual(['rt_spent_after_refresh_0001', 'rt_fresh_0_abcdefghijklmnop']);
      expect(again.accessToken).toBe(issued[1]);
      await resolve({}, later);
      expect(JSON.parse(await fs.readFile(authFile, 'utf8'))['openai-codex'].refresh).toBe('rt_fresh_1_abcdefghijklmnop');
    });

    it('gives way to credentials another sign-in wrote meanwhile', async () => {
      await writeFile(stored());
      await resolve({ writeFile: fullDisk });
      const other = accountJwt('acc_1');
      await writeFile(stored({ access: other, refresh: 'rt_from_a_new_login_000000', expires: NOW + 3_600_000 }));
      expect((await resolve()).accessToken).toBe(other);
    });
  });

  it('writes through a symlinked auth file to its target, which stays a symlink', async () => {
    const target = join(dir, 'real', 'auth.json');
    await fs.mkdir(join(dir, 'real'));
    await fs.writeFile(target, JSON.stringify({ 'openai-codex': stored() }), { mode: 0o600 });
    await fs.symlink(target, authFile);

    const auth = await resolve();
    expect((await fs.lstat(authFile)).isSymbolicLink()).toBe(true);
    expect(JSON.parse(await fs.readFile(target, 'utf8'))['openai-codex'].access).toBe(auth.accessToken);
    expect((await fs.readdir(dir)).sort()).toEqual(['auth.json', 'real']);
  });

  it('reads an auth file that starts with a byte order mark', async () => {
    const value = stored({ expires: NOW + 3_600_000 });
    await fs.writeFile(authFile, `\uFEFF${JSON.stringify({ 'openai-codex': value })}`);
    expect((await resolve()).accessToken).toBe(value.access);
  });

  it.each([
    ['an array', [], /wrong shape: the file holds an array\. Expected \{"openai-codex": \{"type": string, "access": string/],
    [
      'an entry missing fields',
      { 'openai-codex': { type: 'oauth', access: 'secret-value-xyz', expires: '1' } },
      /entry "openai-codex": "refresh" missing, "expires" is a string, not a number, "account_id" missing/,
    ],
  ])('says what shape is expected for valid JSON of the wrong shape: %s', async (_name, value, message) => {
    await fs.writeFile(authFile, JSON.stringify(value));
    const error = await rejectionOf(resolve());
    expect(error).toBeInstanceOf(AuthError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toMatch(/Invalid JSON/);
    expect((error as Error).message).not.toContain('secret-value-xyz');
  });

  it('does not refresh at every call when the server says expires_in: 0 (a new token is used for at least a minute)', async () => {
    reply = (i) => ({ body: { access_token: accountJwt('acc_1'), refresh_token: `rt_${i}`, expires_in: 0 } });
    await writeFile(stored());
    await resolve();
    await resolve({}, () => NOW + 59_000);
    expect(server.requests).toHaveLength(1);
    expect(JSON.parse(await fs.readFile(authFile, 'utf8'))['openai-codex'].expires).toBe(NOW + 120_000);
  });

  it('cancels a token answer larger than 1 MiB instead of holding it', async () => {
    let written = 0;
    let closed = false;
    const endless = createServer((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      // Endless as far as the client can tell; stops at 32 MiB so that a client that reads it
      // all still finishes.
      const pump = () => {
        while (!res.destroyed && written < 32 * 1024 * 1024) {
          written += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      res.on('close', () => (closed = true));
      pump();
    });
    await new Promise<void>((r) => endless.listen(0, '127.0.0.1', r));
    try {
      await writeFile(stored());
      const url = `http://127.0.0.1:${(endless.address() as AddressInfo).port}/oauth/token`;
      const error = await rejectionOf(resolve({ authTokenUrl: url }));
      expect(error).toBeInstanceOf(AuthError);
      expect((error as Error).message).toMatch(/larger than 1048576 bytes/);
      await new Promise((r) => setTimeout(r, 50));
      expect(closed).toBe(true);
      expect(written).toBeLessThan(16 * 1024 * 1024);
    } finally {
      endless.closeAllConnections();
      await new Promise((r) => endless.close(r));
    }
  });
});
