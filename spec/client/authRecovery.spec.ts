import { promises as fs, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lastValueFrom, toArray } from 'rxjs';
import { CodexClient } from '../../src/client/CodexClient.js';
import { AuthError, CodexHttpError } from '../../src/errors.js';
import { userMessage } from '../../src/messages.js';
import { fakeAccessToken, startMockCodexServer, textTurn, type MockCodexServer } from '../../src/testing/index.js';
import { exposedText, useOwnAuthFile } from '../auth/helpers.js';
import { FAST_RETRY } from './helpers.js';

describe('recovery from a 401', () => {
  // Neither auth file exists unless a test writes it.
  const auth = useOwnAuthFile('acc_401');
  let server: MockCodexServer | undefined;

  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  const bearer = (index: number) => server!.requests[index]?.headers.authorization;
  const turn = (client: CodexClient) => lastValueFrom(client.stream([userMessage('Hi')]).pipe(toArray()));

  it('refreshes a stored credential that has not expired, resends once, and stores the new tokens', async () => {
    const stored = await auth.storeOwnCredential();
    server = await startMockCodexServer({
      replies: [{ status: 401, json: { error: { message: 'token revoked' } } }, { events: textTurn({ text: ['ok'] }) }],
    });
    const events = await turn(new CodexClient({ baseUrl: server.baseUrl, authTokenUrl: auth.issuer.tokenUrl, retry: FAST_RETRY }));

    expect(events.at(-1)?.type).toBe('done');
    const refreshed = auth.issuer.issued[1]!;
    expect(auth.issuer.requests.filter((r) => r.path === '/oauth/token').map((r) => r.body.grant_type)).toEqual(['refresh_token']);
    expect(bearer(0)).toBe(`Bearer ${stored.access}`);
    expect(bearer(1)).toBe(`Bearer ${refreshed.accessToken}`);
    const file = JSON.parse(await fs.readFile(stored.path, 'utf8'))['openai-codex'];
    expect(file).toMatchObject({ access: refreshed.accessToken, refresh: refreshed.refreshToken, account_id: 'acc_401' });
  });

  it('gives an AuthError with status 401 that says to run codex-rx login when the refreshed token is refused too', async () => {
    const stored = await auth.storeOwnCredential();
    server = await startMockCodexServer({ replies: [{ status: 401 }, { status: 401 }, { events: textTurn({ text: ['never'] }) }] });
    const error = await turn(new CodexClient({ baseUrl: server.baseUrl, authTokenUrl: auth.issuer.tokenUrl, retry: FAST_RETRY })).catch(
      (e: unknown) => e,
    );

    expect(error).toBeInstanceOf(AuthError);
    expect(error).toMatchObject({ status: 401, code: 'ERR_CODEX_AUTH' });
    expect((error as AuthError).message).toContain('codex-rx login');
    expect((error as AuthError).cause).toBeInstanceOf(CodexHttpError);
    expect((error as AuthError).failure?.httpStatus).toBe(401);
    expect(server.requests).toHaveLength(2);
    expect(auth.issuer.issued).toHaveLength(2); // the stored grant and exactly one refresh
    const text = exposedText(error);
    for (const secret of [stored.access, stored.refresh, auth.issuer.issued[1]!.accessToken, auth.issuer.issued[1]!.refreshToken]) {
      expect(text).not.toContain(secret);
    }
  });

  it('re-reads the Codex CLI file once and resends when the CLI refreshed it meanwhile', async () => {
    const cliFile = join(process.env.CODEX_HOME!, 'auth.json');
    const before = fakeAccessToken('acc_cli', { n: 1 });
    const after = fakeAccessToken('acc_cli', { n: 2 });
    await fs.mkdir(process.env.CODEX_HOME!, { recursive: true });
    await fs.writeFile(cliFile, JSON.stringify({ tokens: { access_token: before, refresh_token: 'rt_cli' } }));
    server = await startMockCodexServer({
      replies: [],
      handler: (request) => {
        if (request.index > 0) return { events: textTurn({ text: ['ok'] }) };
        writeFileSync(cliFile, JSON.stringify({ tokens: { access_token: after, refresh_token: 'rt_cli_2' } }));
        return { status: 401 };
      },
    });
    const events = await turn(new CodexClient({ baseUrl: server.baseUrl, authTokenUrl: auth.issuer.tokenUrl, retry: FAST_RETRY }));

    expect(events.at(-1)?.type).toBe('done');
    expect([bearer(0), bearer(1)]).toEqual([`Bearer ${before}`, `Bearer ${after}`]);
    expect(auth.issuer.requests).toHaveLength(0); // the Codex CLI's refresh token is never used
  });

  it('gives an AuthError when the Codex CLI file still holds the refused token, without resending', async () => {
    const cliFile = join(process.env.CODEX_HOME!, 'auth.json');
    await fs.mkdir(process.env.CODEX_HOME!, { recursive: true });
    await fs.writeFile(cliFile, JSON.stringify({ tokens: { access_token: fakeAccessToken('acc_cli'), refresh_token: 'rt_cli' } }));
    server = await startMockCodexServer({ replies: [{ status: 401 }, { events: textTurn({ text: ['never'] }) }] });
    const error = await turn(new CodexClient({ baseUrl: server.baseUrl, retry: FAST_RETRY })).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(AuthError);
    expect(error).toMatchObject({ status: 401 });
    expect((error as AuthError).message).toMatch(/Run `codex`.*`codex-rx login`/);
    expect(server.requests).toHaveLength(1);
  });

  it.each([
    ['a configured accessToken', 'accessToken'],
    ['OPENAI_CODEX_ACCESS_TOKEN', 'env'],
  ])('gives an AuthError at once for %s, which nothing can refresh', async (_name, where) => {
    const token = fakeAccessToken('acc_given');
    if (where === 'env') process.env.OPENAI_CODEX_ACCESS_TOKEN = token;
    server = await startMockCodexServer({ replies: [{ status: 401 }, { events: textTurn({ text: ['never'] }) }] });
    const client = new CodexClient({ baseUrl: server.baseUrl, retry: FAST_RETRY, ...(where === 'env' ? {} : { accessToken: token }) });
    const error = await turn(client).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(AuthError);
    expect(error).toMatchObject({ status: 401 });
    expect((error as AuthError).message).toContain('codex-rx login');
    expect(server.requests).toHaveLength(1);
    expect(exposedText(error)).not.toContain(token);
  });
});
