import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { lastValueFrom, toArray } from 'rxjs';
import { CodexClient } from '../../src/client/CodexClient.js';
import { AuthError, CodexHttpError } from '../../src/errors.js';
import { userMessage } from '../../src/messages.js';
import {
  startMockCodexServer,
  startMockOAuthIssuer,
  textTurn,
  type MockCodexServer,
  type MockOAuthIssuer,
  type MockReply,
} from '../../src/testing/index.js';
import type { CodexEvent } from '../../src/types.js';
import { exposedText, tmpDir } from '../auth/helpers.js';

const ENV_KEYS = ['OPENAI_CODEX_ACCESS_TOKEN', 'OPENAI_CODEX_AUTH_FILE', 'CODEX_HOME'] as const;
const FAST_RETRY = { initialBackoffMs: 1, maxBackoffMs: 1, jitter: false } as const;

describe("a handshake 401 under transport: 'websocket'", () => {
  let dir: string;
  let issuer: MockOAuthIssuer;
  let server: MockCodexServer | undefined;
  const clients: CodexClient[] = [];
  const saved: Record<string, string | undefined> = {};

  beforeEach(async () => {
    dir = await tmpDir();
    issuer = await startMockOAuthIssuer({ accountId: 'acc_ws401' });
    for (const key of ENV_KEYS) saved[key] = process.env[key];
    delete process.env.OPENAI_CODEX_ACCESS_TOKEN;
    process.env.OPENAI_CODEX_AUTH_FILE = join(dir, 'codex-rx', 'auth.json');
    process.env.CODEX_HOME = join(dir, 'codex-home');
  });

  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await server?.close();
    server = undefined;
    await issuer.close();
    for (const key of ENV_KEYS) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
    await fs.rm(dir, { recursive: true, force: true });
  });

  /** codex-rx's own auth file, holding a grant of the mock issuer that has not expired. */
  async function storeOwnCredential(): Promise<{ path: string; access: string; refresh: string }> {
    const tokens = issuer.issueTokens();
    const path = process.env.OPENAI_CODEX_AUTH_FILE!;
    await fs.mkdir(join(dir, 'codex-rx'), { recursive: true });
    const credential = {
      type: 'oauth',
      access: tokens.accessToken,
      refresh: tokens.refreshToken,
      expires: Date.now() + 3_600_000,
      account_id: 'acc_ws401',
    };
    await fs.writeFile(path, JSON.stringify({ 'openai-codex': credential }), { mode: 0o600 });
    return { path, access: tokens.accessToken, refresh: tokens.refreshToken };
  }

  /** A server that refuses the upgrade with a 401 for every bearer in `refused`, and accepts the others. */
  async function serveRefusing(refused: (bearer: string | undefined) => boolean): Promise<MockCodexServer> {
    const unauthorized: MockReply = { status: 401, json: { error: { message: 'token revoked', code: 'token_revoked' } } };
    server = await startMockCodexServer({
      replies: [{ events: textTurn({ responseId: 'resp_1', text: ['over the socket'] }) }],
      refuseUpgrade: (upgrade) => (refused(upgrade.headers.authorization) ? unauthorized : undefined),
    });
    return server;
  }

  function client(): CodexClient {
    const c = new CodexClient({ baseUrl: server!.baseUrl, authTokenUrl: issuer.tokenUrl, transport: 'websocket', retry: FAST_RETRY });
    clients.push(c);
    return c;
  }

  const turn = (c: CodexClient) => lastValueFrom(c.stream([userMessage('Hi')]).pipe(toArray()));
  const textOf = (events: CodexEvent[]) => events.flatMap((e) => (e.type === 'text-delta' ? [e.delta] : [])).join('');

  it("refreshes codex-rx's own credential once, even unexpired, and the turn then runs over the WebSocket", async () => {
    const stored = await storeOwnCredential();
    await serveRefusing((bearer) => bearer === `Bearer ${stored.access}`);

    const events = await turn(client());

    expect(textOf(events)).toBe('over the socket');
    expect(events.at(-1)?.type).toBe('done');
    const refreshed = issuer.issued[1]!;
    expect(issuer.requests.filter((r) => r.path === '/oauth/token').map((r) => r.body.grant_type)).toEqual(['refresh_token']);
    expect(server!.upgrades.map((u) => [u.status, u.headers.authorization])).toEqual([
      [401, `Bearer ${stored.access}`],
      [101, `Bearer ${refreshed.accessToken}`],
    ]);
    // Never over HTTP: 'websocket' has no fallback.
    expect(server!.requests.map((r) => r.transport)).toEqual(['websocket']);
    const file = JSON.parse(await fs.readFile(stored.path, 'utf8'))['openai-codex'];
    expect(file).toMatchObject({ access: refreshed.accessToken, refresh: refreshed.refreshToken, account_id: 'acc_ws401' });
  });

  it('keeps the refreshed connection for the next turn', async () => {
    const stored = await storeOwnCredential();
    await serveRefusing((bearer) => bearer === `Bearer ${stored.access}`);
    server!.enqueue({ events: textTurn({ responseId: 'resp_2', text: ['again'] }) });
    const c = client();

    await turn(c);
    const second = await turn(c);

    expect(textOf(second)).toBe('again');
    expect(server!.upgrades.map((u) => u.status)).toEqual([401, 101]);
    expect(server!.requests.map((r) => r.connection)).toEqual([0, 0]);
    expect(issuer.issued).toHaveLength(2); // the stored grant and one refresh, not one a turn
  });

  it('a second 401 is an AuthError with status 401 that says to run codex-rx login, after exactly one refresh', async () => {
    const stored = await storeOwnCredential();
    await serveRefusing(() => true);

    const error = await turn(client()).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(AuthError);
    expect(error).toMatchObject({ status: 401, code: 'ERR_CODEX_AUTH' });
    expect((error as AuthError).message).toContain('codex-rx login');
    expect((error as AuthError).cause).toBeInstanceOf(CodexHttpError);
    expect((error as AuthError).failure?.httpStatus).toBe(401);
    expect(server!.upgrades.map((u) => u.status)).toEqual([401, 401]);
    expect(server!.requests).toHaveLength(0);
    expect(issuer.issued).toHaveLength(2);
    const text = exposedText(error);
    for (const secret of [stored.access, stored.refresh, issuer.issued[1]!.accessToken, issuer.issued[1]!.refreshToken]) {
      expect(text).not.toContain(secret);
    }
  });
});
