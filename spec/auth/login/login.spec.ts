import { promises as fs } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { lastValueFrom, toArray, type Subscription } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { loginWithBrowser, loginWithDeviceCode, logout, type LoginEvent } from '../../../src/auth/login/index.js';
import { AuthError } from '../../../src/errors.js';
import { expectConfigProblem } from '../../helpers/configMessage.js';
import { startMockOAuthIssuer, type MockOAuthIssuer } from '../../../src/testing/index.js';
import { exposedText, tmpDir } from '../helpers.js';

let dir: string;
let authFile: string;
let issuer: MockOAuthIssuer;

beforeEach(async () => {
  dir = await tmpDir();
  authFile = join(dir, 'nested', 'auth.json');
  issuer = await startMockOAuthIssuer({ accountId: 'acc_login', planType: 'Pro', email: 'dev@example.com' });
});

afterEach(async () => {
  await issuer.close();
  await fs.rm(dir, { recursive: true, force: true });
});

/** Plays the browser: follows the issuer's redirect to the callback by hand (on 127.0.0.1). */
async function playBrowser(authorizeUrl: string, tamper?: (callback: URL) => void): Promise<Response> {
  const redirect = await fetch(authorizeUrl, { redirect: 'manual' });
  const callback = new URL(redirect.headers.get('location')!);
  callback.hostname = '127.0.0.1';
  tamper?.(callback);
  return fetch(callback);
}

/** Resolves with the events so far once one of `type` arrives. */
function waitFor(events: LoginEvent[], type: LoginEvent['type']): Promise<LoginEvent> {
  return new Promise((resolve) => {
    const check = () => {
      const found = events.find((e) => e.type === type);
      if (found) resolve(found);
      else setTimeout(check, 5);
    };
    check();
  });
}

function portRefuses(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

describe('loginWithBrowser', () => {
  it('signs in end to end: authorize URL, callback, code exchange, and a 0600 auth file in the existing format', async () => {
    const opened: string[] = [];
    const events: LoginEvent[] = [];
    const done = lastValueFrom(
      loginWithBrowser({ issuer: issuer.url, port: 0, authFile, openBrowser: (url) => opened.push(url) }).pipe(toArray()),
    );
    const sub = done.then((all) => events.push(...all));
    while (opened.length === 0) await new Promise((r) => setTimeout(r, 5));

    const url = new URL(opened[0]!);
    expect(url.origin + url.pathname).toBe(`${issuer.url}/oauth/authorize`);
    const q = Object.fromEntries(url.searchParams);
    expect(q).toMatchObject({
      response_type: 'code',
      client_id: 'app_EMoamEEZ73f0CkXaXp7hrann',
      scope: 'openid profile email offline_access',
      code_challenge_method: 'S256',
      id_token_add_organizations: 'true',
      codex_cli_simplified_flow: 'true',
      originator: 'codex_cli_rs',
    });
    expect(q.redirect_uri).toMatch(/^http:\/\/localhost:\d+\/auth\/callback$/);
    expect(q.state).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(q.code_challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const page = await playBrowser(opened[0]!);
    expect(page.status).toBe(200);
    await sub;

    const loggedIn = events.at(-1)!;
    expect(events.map((e) => e.type)).toEqual(['authorize-url', 'logged-in']);
    const tokens = issuer.issued[0]!;
    expect(loggedIn).toEqual({
      type: 'logged-in',
      accountId: 'acc_login',
      planType: 'pro',
      email: 'dev@example.com',
      expiresAt: expect.any(Number),
      authFile,
    });
    const exchange = issuer.requests.find((r) => r.path === '/oauth/token')!;
    expect(exchange.bodyKind).toBe('form');
    expect(exchange.body).toMatchObject({
      grant_type: 'authorization_code',
      redirect_uri: q.redirect_uri,
      client_id: 'app_EMoamEEZ73f0CkXaXp7hrann',
    });

    const stat = await fs.stat(authFile);
    expect(stat.mode & 0o777).toBe(0o600);
    const stored = JSON.parse(await fs.readFile(authFile, 'utf8'));
    expect(stored).toEqual({
      'openai-codex': {
        type: 'oauth',
        access: tokens.accessToken,
        refresh: tokens.refreshToken,
        expires: (loggedIn as { expiresAt: number }).expiresAt,
        account_id: 'acc_login',
      },
    });
    // The event reports the sign-in without carrying any token.
    expect(JSON.stringify(events)).not.toContain(tokens.accessToken);
    expect(JSON.stringify(events)).not.toContain(tokens.refreshToken);
  });

  it('keeps the other entries of an existing auth file', async () => {
    await fs.mkdir(join(dir, 'nested'), { recursive: true });
    const other = { type: 'oauth', access: 'a', refresh: 'r', expires: 1, account_id: 'x' };
    await fs.writeFile(authFile, JSON.stringify({ other }), { mode: 0o600 });
    let url = '';
    const done = lastValueFrom(loginWithBrowser({ issuer: issuer.url, port: 0, authFile, openBrowser: (u) => (url = u) }));
    while (url === '') await new Promise((r) => setTimeout(r, 5));
    await playBrowser(url);
    await done;
    const stored = JSON.parse(await fs.readFile(authFile, 'utf8'));
    expect(Object.keys(stored).sort()).toEqual(['openai-codex', 'other']);
    expect(stored.other).toEqual(other);
  });

  it('refuses a callback with the wrong state with 400 and keeps waiting for the right one', async () => {
    let url = '';
    const done = lastValueFrom(loginWithBrowser({ issuer: issuer.url, port: 0, authFile, openBrowser: (u) => (url = u) }).pipe(toArray()));
    while (url === '') await new Promise((r) => setTimeout(r, 5));

    const wrong = await playBrowser(url, (callback) => callback.searchParams.set('state', 'forged'));
    expect(wrong.status).toBe(400);
    await expect(fs.stat(authFile)).rejects.toMatchObject({ code: 'ENOENT' });

    const right = await playBrowser(url);
    expect(right.status).toBe(200);
    expect((await done).map((e) => e.type)).toEqual(['authorize-url', 'logged-in']);
  });

  it('ends with an AuthError when the sign-in server sends an error back', async () => {
    let url = '';
    const done = lastValueFrom(loginWithBrowser({ issuer: issuer.url, port: 0, authFile, openBrowser: (u) => (url = u) })).catch(
      (e: unknown) => e,
    );
    while (url === '') await new Promise((r) => setTimeout(r, 5));
    const state = new URL(url).searchParams.get('state')!;
    const redirect = new URL(new URL(url).searchParams.get('redirect_uri')!);
    redirect.hostname = '127.0.0.1';
    redirect.search = new URLSearchParams({ state, error: 'access_denied' }).toString();
    expect((await fetch(redirect)).status).toBe(400);
    const error = await done;
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).message).toContain('access_denied');
  });

  it('times out on the given scheduler, in virtual time, with an AuthError', () => {
    const scheduler = new TestScheduler((a, b) => expect(a).toEqual(b));
    let port = 0;
    let error: unknown;
    scheduler.run(({ flush }) => {
      loginWithBrowser({
        issuer: issuer.url,
        port: 0,
        authFile,
        timeoutMs: 300_000,
        scheduler,
        openBrowser: (u) => (port = Number(new URL(new URL(u).searchParams.get('redirect_uri')!).port)),
      }).subscribe({
        error: (e: unknown) => (error = e),
      });
      flush();
    });
    // The listener binds asynchronously: the virtual timeout already fired before it did.
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).message).toMatch(/timed out/);
    expect(port).toBe(0);
  });

  it('times out in real time too, then refuses connections', async () => {
    let port = 0;
    const error = await lastValueFrom(
      loginWithBrowser({
        issuer: issuer.url,
        port: 0,
        authFile,
        timeoutMs: 300,
        openBrowser: (u) => (port = Number(new URL(new URL(u).searchParams.get('redirect_uri')!).port)),
      }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).message).toContain('timed out');
    expect(port).toBeGreaterThan(0);
    expect(await portRefuses(port)).toBe(true);
  });

  it('closes its listener on unsubscribe: the port refuses connections afterwards', async () => {
    let url = '';
    const subscription: Subscription = loginWithBrowser({
      issuer: issuer.url,
      port: 0,
      authFile,
      openBrowser: (u) => (url = u),
    }).subscribe();
    while (url === '') await new Promise((r) => setTimeout(r, 5));
    const port = Number(new URL(new URL(url).searchParams.get('redirect_uri')!).port);
    expect(await portRefuses(port)).toBe(false);
    subscription.unsubscribe();
    await new Promise((r) => setTimeout(r, 20));
    expect(await portRefuses(port)).toBe(true);
  });

  it('reports a port in use as an AuthError that says what to do', async () => {
    let url = '';
    const holder = loginWithBrowser({ issuer: issuer.url, port: 0, authFile, openBrowser: (u) => (url = u) }).subscribe();
    while (url === '') await new Promise((r) => setTimeout(r, 5));
    const port = Number(new URL(new URL(url).searchParams.get('redirect_uri')!).port);
    const error = await lastValueFrom(loginWithBrowser({ issuer: issuer.url, port, authFile, openBrowser: false })).catch(
      (e: unknown) => e,
    );
    holder.unsubscribe();
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).message).toMatch(/EADDRINUSE.*--device/);
  });

  it('keeps the code and the verifier out of the error of a refused exchange', async () => {
    let url = '';
    const done = lastValueFrom(loginWithBrowser({ issuer: issuer.url, port: 0, authFile, openBrowser: (u) => (url = u) })).catch(
      (e: unknown) => e,
    );
    while (url === '') await new Promise((r) => setTimeout(r, 5));
    let code = '';
    await playBrowser(url, (callback) => {
      code = callback.searchParams.get('code')!;
      callback.searchParams.set('code', `${code}-stale`);
    });
    const error = await done;
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).message).toContain('code exchange was refused');
    expect(exposedText(error)).not.toContain(code);
  });

  it.each<[string, () => unknown, string]>([
    ['a port out of range', () => loginWithBrowser({ port: -1 }), 'loginWithBrowser: port must be an integer from 0 to 65535, got -1'],
    [
      'a zero timeout',
      () => loginWithDeviceCode({ timeoutMs: 0 }),
      'loginWithDeviceCode: timeoutMs must be a positive number of milliseconds, at most 2147483647, got 0',
    ],
    [
      'an issuer that is not a URL',
      () => loginWithBrowser({ issuer: 'not a url' }),
      'loginWithBrowser: issuer must be an absolute http(s) URL',
    ],
    ['a blank client id', () => loginWithBrowser({ clientId: ' ' }), 'loginWithBrowser: clientId must be a non-empty string, got " "'],
    [
      'openBrowser that is a URL',
      () => loginWithBrowser({ openBrowser: 'firefox' as never }),
      'loginWithBrowser: openBrowser must be true, false or a function (url) => void, got "firefox"',
    ],
    ['options that are not an object', () => loginWithBrowser('fast' as never), 'loginWithBrowser options must be an object, got "fast"'],
    // @ts-expect-error unknown keys are rejected by the type and at run time
    ['a misspelt option', () => loginWithBrowser({ prot: 0 }), 'Unexpected loginWithBrowser option: prot'],
  ])('rejects bad options (%s) at call time with a ConfigError that says what to change', (_name, call, problem) => {
    const error = expectConfigProblem(call, problem);
    if (problem.startsWith('Unexpected')) expect(error.message).toContain('Did you mean port?');
  });
});

describe('loginWithDeviceCode', () => {
  it('signs in end to end: device code, polls while pending, exchange with the device redirect URI, auth file 0600', async () => {
    const approving = await startMockOAuthIssuer({ accountId: 'acc_device', approveDeviceAfterPolls: 2 });
    try {
      const events = await lastValueFrom(loginWithDeviceCode({ issuer: approving.url, authFile }).pipe(toArray()));
      expect(events.map((e) => e.type)).toEqual(['device-code', 'logged-in']);
      expect(events[0]).toMatchObject({
        type: 'device-code',
        verificationUrl: `${approving.url}/codex/device`,
        userCode: expect.stringMatching(/^\S+$/),
      });
      expect(events[1]).toMatchObject({ type: 'logged-in', accountId: 'acc_device', planType: 'plus', authFile });
      const polls = approving.requests.filter((r) => r.path === '/api/accounts/deviceauth/token');
      expect(polls).toHaveLength(3);
      expect(polls[0]!.bodyKind).toBe('json');
      const exchange = approving.requests.find((r) => r.path === '/oauth/token')!;
      expect(exchange.body).toMatchObject({ grant_type: 'authorization_code', redirect_uri: `${approving.url}/deviceauth/callback` });
      expect((await fs.stat(authFile)).mode & 0o777).toBe(0o600);
      expect(JSON.parse(await fs.readFile(authFile, 'utf8'))['openai-codex'].access).toBe(approving.issued[0]!.accessToken);
    } finally {
      await approving.close();
    }
  });

  it('stops polling on unsubscribe', async () => {
    const events: LoginEvent[] = [];
    const subscription = loginWithDeviceCode({ issuer: issuer.url, authFile }).subscribe((e) => events.push(e));
    await waitFor(events, 'device-code');
    while (issuer.requests.filter((r) => r.path === '/api/accounts/deviceauth/token').length < 2)
      await new Promise((r) => setTimeout(r, 10));
    subscription.unsubscribe();
    const count = issuer.requests.length;
    await new Promise((r) => setTimeout(r, 400));
    expect(issuer.requests.length).toBe(count);
  });

  it('times out with an AuthError when nobody approves', async () => {
    const error = await lastValueFrom(loginWithDeviceCode({ issuer: issuer.url, authFile, timeoutMs: 350 })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).message).toContain('timed out');
    await expect(fs.stat(authFile)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('waits for approval given later', async () => {
    const events: LoginEvent[] = [];
    const done = lastValueFrom(loginWithDeviceCode({ issuer: issuer.url, authFile }).pipe(toArray()));
    void done.then((all) => events.push(...all));
    await new Promise((r) => setTimeout(r, 250));
    expect(events).toEqual([]);
    issuer.approveDevice();
    expect((await done).at(-1)).toMatchObject({ type: 'logged-in', accountId: 'acc_login' });
  });
});

describe('logout', () => {
  it("removes codex-rx's credential, keeps other entries, and is quiet when already signed out", async () => {
    await fs.mkdir(join(dir, 'nested'), { recursive: true });
    const cred = (id: string) => ({ type: 'oauth', access: 'a', refresh: 'r', expires: 1, account_id: id });
    await fs.writeFile(authFile, JSON.stringify({ 'openai-codex': cred('me'), other: cred('x') }), { mode: 0o600 });
    await lastValueFrom(logout({ authFile }));
    expect(JSON.parse(await fs.readFile(authFile, 'utf8'))).toEqual({ other: cred('x') });

    await fs.writeFile(authFile, JSON.stringify({ 'openai-codex': cred('me') }), { mode: 0o600 });
    await lastValueFrom(logout({ authFile }));
    await expect(fs.stat(authFile)).rejects.toMatchObject({ code: 'ENOENT' });

    await expect(lastValueFrom(logout({ authFile }))).resolves.toBeUndefined();
  });
});
