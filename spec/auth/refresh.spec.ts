import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { Agent, type Dispatcher } from 'undici';
import { AuthError } from '../../src/errors.js';
import { withFileLock } from '../../src/auth/lock.js';
import { resolveCodexAuth } from '../../src/auth/resolveCodexAuth.js';
import { CODEX_OAUTH_CLIENT_ID } from '../../src/auth/refresh.js';
import { accountJwt, listTree, NOW, rejectionOf, startTokenServer, tmpDir, type Reply, type TokenServer } from './helpers.js';

const now = () => NOW;

function entry(access: string, over: Partial<Record<string, unknown>> = {}) {
  return { type: 'oauth', access, refresh: 'rt_old', expires: NOW - 1000, account_id: 'acc_old', ...over };
}

describe('auth file refresh through the OAuth token endpoint', () => {
  let dir: string;
  let authFile: string;
  let server: TokenServer;
  let reply: (i: number) => Reply;
  let newAccess: string;

  beforeEach(async () => {
    dir = await tmpDir();
    authFile = join(dir, 'auth.json');
    newAccess = accountJwt('acc_new');
    reply = () => ({ body: { access_token: newAccess, refresh_token: 'rt_new', expires_in: 3600, id_token: 'idt' } });
    server = await startTokenServer((_req, i) => reply(i));
  });
  afterEach(async () => {
    await server.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  const resolve = (extra: Parameters<typeof resolveCodexAuth>[0] = {}) =>
    resolveCodexAuth({ env: {}, homeDir: dir, authFile, authTokenUrl: server.url, now, ...extra });

  async function writeEntry(value: unknown, mode = 0o600, extra: Record<string, unknown> = {}) {
    await fs.writeFile(authFile, JSON.stringify({ ...extra, 'openai-codex': value }), { mode });
    await fs.chmod(authFile, mode);
  }

  it('refreshes an expired entry: a form-encoded refresh_token POST, file rewritten 0600 with sorted pretty JSON', async () => {
    await writeEntry(entry('old-access'), 0o644);
    const r = await resolve();
    expect(r).toEqual({ accessToken: newAccess, accountId: 'acc_new', source: 'auth-file' });

    expect(server.requests).toHaveLength(1);
    const req = server.requests[0]!;
    expect(req.method).toBe('POST');
    expect(req.url).toBe('/oauth/token');
    expect(req.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(req.body).toBe(`grant_type=refresh_token&refresh_token=rt_old&client_id=${CODEX_OAUTH_CLIENT_ID}`);

    expect((await fs.stat(authFile)).mode & 0o777).toBe(0o600);
    const text = await fs.readFile(authFile, 'utf8');
    const expected = {
      'openai-codex': { access: newAccess, account_id: 'acc_new', expires: NOW + 3_600_000, refresh: 'rt_new', type: 'oauth' },
    };
    expect(text).toBe(JSON.stringify(expected, null, 2));
    // No temporary file or lock is left behind.
    expect(await listTree(dir)).toEqual([authFile]);
  });

  it('keeps other entries, sorted by key', async () => {
    const other = entry('other-access', { expires: NOW + 9e9, account_id: 'acc_other' });
    await fs.writeFile(authFile, JSON.stringify({ zeta: other, 'openai-codex': entry('old'), alpha: other }));
    await resolve();
    const text = await fs.readFile(authFile, 'utf8');
    expect(Object.keys(JSON.parse(text))).toEqual(['alpha', 'openai-codex', 'zeta']);
    expect(JSON.parse(text).zeta).toEqual(other);
  });

  it('is refreshed 60 s before expiry: at exactly expires - 60 s it refreshes, 1 ms earlier it does not', async () => {
    const current = accountJwt('acc_current');
    await writeEntry(entry(current, { expires: NOW + 60_001 }));
    expect((await resolve()).accessToken).toBe(current);
    expect(server.requests).toHaveLength(0);
    await writeEntry(entry(current, { expires: NOW + 60_000 }));
    expect((await resolve()).accessToken).toBe(newAccess);
    expect(server.requests).toHaveLength(1);
  });

  it('a refreshed file is then used without another request', async () => {
    await writeEntry(entry('old'));
    await resolve();
    expect((await resolve()).accessToken).toBe(newAccess);
    expect(server.requests).toHaveLength(1);
  });

  it.each([
    ['empty', ''],
    ['missing', undefined],
  ])('a %s refresh_token in the reply keeps the old refresh token', async (_name, rt) => {
    reply = () => ({ body: { access_token: newAccess, expires_in: 600, ...(rt === undefined ? {} : { refresh_token: rt }) } });
    await writeEntry(entry('old'));
    await resolve();
    const saved = JSON.parse(await fs.readFile(authFile, 'utf8'))['openai-codex'];
    expect(saved.refresh).toBe('rt_old');
    expect(saved.expires).toBe(NOW + 600_000);
  });

  it('account id after refresh: new token claim, else id_token claim, else the stored account_id', async () => {
    reply = () => ({ body: { access_token: 'opaque-new', expires_in: 10, id_token: accountJwt('acc_idt') } });
    await writeEntry(entry('old'));
    expect(await resolve()).toEqual({ accessToken: 'opaque-new', accountId: 'acc_idt', source: 'auth-file' });

    reply = () => ({ body: { access_token: 'opaque-newer', expires_in: 10 } });
    await writeEntry(entry('old', { account_id: 'acc_stored' }));
    expect((await resolve()).accountId).toBe('acc_stored');
    expect(JSON.parse(await fs.readFile(authFile, 'utf8'))['openai-codex'].account_id).toBe('acc_stored');
  });

  it('a reply without any account id and no stored one is an AuthError saying the access token has none', async () => {
    reply = () => ({ body: { access_token: 'opaque-new', expires_in: 10 } });
    await writeEntry(entry('old', { account_id: '' }));
    const error = await rejectionOf(resolve());
    expect(error).toBeInstanceOf(AuthError);
    expect((error as Error).message).toBe('Failed to extract ChatGPT account ID from access token');
  });

  it('uses options.dispatcher for the token request', async () => {
    let dispatched = 0;
    class CountingAgent extends Agent {
      override dispatch(opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
        dispatched++;
        return super.dispatch(opts, handler);
      }
    }
    const dispatcher = new CountingAgent();
    try {
      await writeEntry(entry('old'));
      await resolve({ dispatcher });
      expect(dispatched).toBe(1);
      expect(server.requests).toHaveLength(1);
    } finally {
      await dispatcher.close();
    }
  });

  it('two concurrent resolve calls on one file make exactly one token request', async () => {
    reply = () => ({ body: { access_token: newAccess, refresh_token: 'rt_new', expires_in: 3600 }, delayMs: 100 });
    await writeEntry(entry('old'));
    const results = await Promise.all([resolve(), resolve()]);
    expect(server.requests).toHaveLength(1);
    expect(results.map((r) => r.accessToken)).toEqual([newAccess, newAccess]);
  });

  it('many racing calls, also through different path spellings, make exactly one token request', async () => {
    reply = () => ({ body: { access_token: newAccess, refresh_token: 'rt_new', expires_in: 3600 }, delayMs: 50 });
    await writeEntry(entry('old'));
    const spellings = [authFile, join(dir, '.', 'auth.json'), join(dir, 'x', '..', 'auth.json')];
    const results = await Promise.all(Array.from({ length: 9 }, (_, i) => resolve({ authFile: spellings[i % 3]! })));
    expect(server.requests).toHaveLength(1);
    expect(new Set(results.map((r) => r.accessToken))).toEqual(new Set([newAccess]));
  });

  it('after taking the lock it re-reads the file: a refresh by another process is used, no request', async () => {
    await writeEntry(entry('old'));
    const theirs = accountJwt('acc_theirs');
    let pending: Promise<unknown> | undefined;
    // Another process holds the lock and refreshes while our call waits for it.
    await withFileLock(`${authFile}.lock`, async () => {
      pending = resolve();
      await new Promise((r) => setTimeout(r, 200)); // let our call read the expired file and block on the lock
      await writeEntry(entry(theirs, { expires: NOW + 3_600_000, refresh: 'rt_theirs' }));
    });
    expect(await pending).toEqual({ accessToken: theirs, accountId: 'acc_theirs', source: 'auth-file' });
    expect(server.requests).toHaveLength(0);
  });

  it('an entry removed while waiting for the lock falls through to the next source', async () => {
    await writeEntry(entry('old'));
    let pending: Promise<unknown> | undefined;
    await withFileLock(`${authFile}.lock`, async () => {
      pending = rejectionOf(resolve());
      await new Promise((r) => setTimeout(r, 200));
      await fs.writeFile(authFile, '{}');
    });
    expect(((await pending) as Error).message).toMatch(/^Missing OpenAI Codex credentials/);
    expect(server.requests).toHaveLength(0);
  });

  it('a token endpoint error is an AuthError with the status and body; the file is kept and the next call tries again', async () => {
    reply = (i) => (i === 0 ? { status: 400, body: { error: 'invalid_grant', error_description: 'expired' } } : reply0());
    const reply0 = () => ({ body: { access_token: newAccess, expires_in: 60 } });
    await writeEntry(entry('old'));
    const before = await fs.readFile(authFile, 'utf8');
    const error = await rejectionOf(resolve());
    expect(error).toBeInstanceOf(AuthError);
    expect((error as Error).message).toBe(
      'OpenAI Codex token exchange failed (400 Bad Request): {"error":"invalid_grant","error_description":"expired"}',
    );
    expect(await fs.readFile(authFile, 'utf8')).toBe(before);
    expect(await listTree(dir)).toEqual([authFile]); // lock released
    expect((await resolve()).accessToken).toBe(newAccess);
    expect(server.requests).toHaveLength(2);
  });

  it.each([
    ['missing access_token', { expires_in: 10 }, 'OpenAI Codex token exchange response missing access_token'],
    ['empty access_token', { access_token: '', expires_in: 10 }, 'OpenAI Codex token exchange response missing access_token'],
    ['missing expires_in', { access_token: 'a' }, 'OpenAI Codex token exchange response missing expires_in'],
    ['negative expires_in', { access_token: 'a', expires_in: -1 }, 'OpenAI Codex token exchange response missing expires_in'],
    ['a body that is not JSON', 'not json', 'OpenAI Codex token exchange returned invalid JSON'],
  ])('a 200 reply with %s is an AuthError', async (_name, body, message) => {
    reply = () => ({ body });
    await writeEntry(entry('old'));
    const error = await rejectionOf(resolve());
    expect(error).toBeInstanceOf(AuthError);
    expect((error as Error).message).toBe(message);
  });

  it('an unreachable token endpoint is an AuthError with the connection error as cause', async () => {
    const url = server.url;
    await server.close();
    await writeEntry(entry('old'));
    const error = await rejectionOf(resolve({ authTokenUrl: url }));
    expect(error).toBeInstanceOf(AuthError);
    expect((error as Error).message).toMatch(/^OpenAI Codex token exchange request failed: /);
    // The cause comes from node's own realm, where jest's Error is another class: check the shape.
    expect(String(((error as AuthError).cause as Error).message)).toMatch(/ECONNREFUSED/);
    server = await startTokenServer(() => ({ body: {} })); // for afterEach
  });
});
