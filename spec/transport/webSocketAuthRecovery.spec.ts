import { promises as fs } from 'node:fs';
import { lastValueFrom, toArray } from 'rxjs';
import { CodexClient } from '../../src/client/CodexClient.js';
import { AuthError, CodexHttpError } from '../../src/errors.js';
import { userMessage } from '../../src/messages.js';
import { startMockCodexServer, textTurn, type MockCodexServer, type MockReply } from '../../src/testing/index.js';
import type { CodexEvent } from '../../src/types.js';
import { exposedText, useOwnAuthFile } from '../auth/helpers.js';
import { FAST_RETRY } from '../client/helpers.js';

describe("a handshake 401 under transport: 'websocket'", () => {
  const auth = useOwnAuthFile('acc_ws401');
  let server: MockCodexServer | undefined;
  const clients: CodexClient[] = [];

  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await server?.close();
    server = undefined;
  });

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
    const c = new CodexClient({ baseUrl: server!.baseUrl, authTokenUrl: auth.issuer.tokenUrl, transport: 'websocket', retry: FAST_RETRY });
    clients.push(c);
    return c;
  }

  const turn = (c: CodexClient) => lastValueFrom(c.stream([userMessage('Hi')]).pipe(toArray()));
  const textOf = (events: CodexEvent[]) => events.flatMap((e) => (e.type === 'text-delta' ? [e.delta] : [])).join('');

  it("refreshes codex-rx's own credential once, even unexpired, and the turn then runs over the WebSocket", async () => {
    const stored = await auth.storeOwnCredential();
    await serveRefusing((bearer) => bearer === `Bearer ${stored.access}`);

    const events = await turn(client());

    expect(textOf(events)).toBe('over the socket');
    expect(events.at(-1)?.type).toBe('done');
    const refreshed = auth.issuer.issued[1]!;
    expect(auth.issuer.requests.filter((r) => r.path === '/oauth/token').map((r) => r.body.grant_type)).toEqual(['refresh_token']);
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
    const stored = await auth.storeOwnCredential();
    await serveRefusing((bearer) => bearer === `Bearer ${stored.access}`);
    server!.enqueue({ events: textTurn({ responseId: 'resp_2', text: ['again'] }) });
    const c = client();

    await turn(c);
    const second = await turn(c);

    expect(textOf(second)).toBe('again');
    expect(server!.upgrades.map((u) => u.status)).toEqual([401, 101]);
    expect(server!.requests.map((r) => r.connection)).toEqual([0, 0]);
    expect(auth.issuer.issued).toHaveLength(2); // the stored grant and one refresh, not one a turn
  });

  it('a second 401 is an AuthError with status 401 that says to run codex-rx login, after exactly one refresh', async () => {
    const stored = await auth.storeOwnCredential();
    await serveRefusing(() => true);

    const error = await turn(client()).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(AuthError);
    expect(error).toMatchObject({ status: 401, code: 'ERR_CODEX_AUTH' });
    expect((error as AuthError).message).toContain('codex-rx login');
    expect((error as AuthError).cause).toBeInstanceOf(CodexHttpError);
    expect((error as AuthError).failure?.httpStatus).toBe(401);
    expect(server!.upgrades.map((u) => u.status)).toEqual([401, 401]);
    expect(server!.requests).toHaveLength(0);
    expect(auth.issuer.issued).toHaveLength(2);
    const text = exposedText(error);
    for (const secret of [stored.access, stored.refresh, auth.issuer.issued[1]!.accessToken, auth.issuer.issued[1]!.refreshToken]) {
      expect(text).not.toContain(secret);
    }
  });
});
