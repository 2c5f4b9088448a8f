import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { AuthError } from '../../src/errors.js';
import { resolveCodexAuth, type ResolveCodexAuthOptions } from '../../src/auth/resolveCodexAuth.js';
import { redactText as redactSecrets } from '../../src/redact/index.js';
import { accountJwt, exposedText, makeJwt, NOW, rejectionOf, startTokenServer, tmpDir, type Reply, type TokenServer } from './helpers.js';

/**
 * Every error path of credential resolution, each set up so the tokens involved are right
 * there to leak: then the message, String(), JSON.stringify, stack, own fields and the whole
 * cause chain are searched for every token.
 */
describe('tokens never appear in errors', () => {
  const ACCESS = 'ACCESS-SECRET-7f3a9c'; // an opaque token (no account claim)
  const REFRESH = 'REFRESH-SECRET-4b2e8d';
  const NEW_ACCESS = 'NEW-ACCESS-SECRET-91cd0e';
  const NEW_REFRESH = 'NEW-REFRESH-SECRET-aa17f2';
  const ID_TOKEN = 'ID-TOKEN-SECRET-5e6f70';
  const JWT_NO_CLAIM = makeJwt({ sub: 'user', secret: 'JWT-PAYLOAD-SECRET' });
  const EXPIRED_CLI = accountJwt('acc', { exp: NOW / 1000 - 5, tag: 'CLI-SECRET' });
  const ALL = [ACCESS, REFRESH, NEW_ACCESS, NEW_REFRESH, ID_TOKEN, JWT_NO_CLAIM, EXPIRED_CLI];

  let dir: string;
  let server: TokenServer;
  let reply: Reply;
  beforeAll(async () => {
    server = await startTokenServer(() => reply);
  });
  afterAll(async () => {
    await server.close();
  });
  beforeEach(async () => {
    dir = await tmpDir();
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  const expiredEntry = { 'openai-codex': { type: 'oauth', access: ACCESS, refresh: REFRESH, expires: NOW - 1, account_id: 'acc' } };

  async function refreshFailure(r: Reply, opts: Partial<ResolveCodexAuthOptions> = {}, accountId = 'acc') {
    reply = r;
    const e = { 'openai-codex': { ...expiredEntry['openai-codex'], account_id: accountId } };
    await fs.writeFile(join(dir, 'auth.json'), JSON.stringify(e));
    return resolveCodexAuth({ env: {}, homeDir: dir, authFile: join(dir, 'auth.json'), authTokenUrl: server.url, now: () => NOW, ...opts });
  }

  const echoAll = { access_token: NEW_ACCESS, refresh_token: NEW_REFRESH, id_token: ID_TOKEN };

  const cases: Array<[string, () => Promise<unknown>, RegExp]> = [
    [
      'configured token without account id',
      () => resolveCodexAuth({ accessToken: JWT_NO_CLAIM, env: {}, homeDir: dir }),
      /configured token/,
    ],
    [
      'env token without account id',
      () => resolveCodexAuth({ env: { OPENAI_CODEX_ACCESS_TOKEN: ACCESS }, homeDir: dir }),
      /OPENAI_CODEX_ACCESS_TOKEN/,
    ],
    [
      'auth file with a syntax error right after a token',
      async () => {
        // V8's SyntaxError quotes ~10 characters around the error: here, the start of the token.
        await fs.writeFile(join(dir, 'auth.json'), `{"openai-codex":{"access":${ACCESS},"refresh":"${REFRESH}"}}`);
        return resolveCodexAuth({ env: {}, homeDir: dir, authFile: join(dir, 'auth.json') });
      },
      /Invalid JSON in OpenAI Codex auth file/,
    ],
    [
      'auth file entry of another shape',
      async () => {
        await fs.writeFile(join(dir, 'auth.json'), JSON.stringify({ 'openai-codex': { access: ACCESS, refresh: REFRESH } }));
        return resolveCodexAuth({ env: {}, homeDir: dir, authFile: join(dir, 'auth.json') });
      },
      /auth file .* is valid JSON of the wrong shape/,
    ],
    [
      'auth file token without any account id',
      async () => {
        const e = { 'openai-codex': { type: 'oauth', access: ACCESS, refresh: REFRESH, expires: NOW + 9e9, account_id: '' } };
        await fs.writeFile(join(dir, 'auth.json'), JSON.stringify(e));
        return resolveCodexAuth({ env: {}, homeDir: dir, authFile: join(dir, 'auth.json'), now: () => NOW });
      },
      /Failed to extract ChatGPT account ID/,
    ],
    [
      'token endpoint 400 echoing every token as JSON and the refresh token in prose',
      () =>
        refreshFailure({
          status: 400,
          body: { ...echoAll, error: 'invalid_grant', error_description: `refresh token ${REFRESH} was already used` },
        }),
      /token exchange failed \(400 Bad Request\): .*invalid_grant/,
    ],
    [
      'token endpoint 500 echoing tokens form-encoded',
      () => refreshFailure({ status: 500, body: `access_token=${NEW_ACCESS}&refresh_token=${REFRESH}&id_token=${ID_TOKEN}` }),
      /token exchange failed \(500 Internal Server Error\)/,
    ],
    [
      'token endpoint 401 echoing a JWT',
      () => refreshFailure({ status: 401, body: `bad token: ${JWT_NO_CLAIM}` }),
      /token exchange failed \(401 Unauthorized\): bad token: \[redacted\]/,
    ],
    [
      '200 without access_token',
      () => refreshFailure({ body: { refresh_token: NEW_REFRESH, id_token: ID_TOKEN, expires_in: 1 } }),
      /missing access_token/,
    ],
    [
      '200 without expires_in',
      () => refreshFailure({ body: { access_token: NEW_ACCESS, refresh_token: NEW_REFRESH } }),
      /missing expires_in/,
    ],
    ['200 with a body that is not JSON', () => refreshFailure({ body: `{"access_token":"${NEW_ACCESS}",` }), /invalid JSON/],
    [
      '200 whose new token has no account id',
      () => refreshFailure({ body: { access_token: NEW_ACCESS, expires_in: 1 } }, {}, ''),
      /Failed to extract ChatGPT account ID/,
    ],
    [
      'unreachable token endpoint',
      async () => {
        await fs.writeFile(join(dir, 'auth.json'), JSON.stringify(expiredEntry));
        return resolveCodexAuth({
          env: {},
          homeDir: dir,
          authFile: join(dir, 'auth.json'),
          authTokenUrl: 'http://127.0.0.1:1/oauth/token',
          now: () => NOW,
        });
      },
      /token exchange request failed/,
    ],
    [
      'expired Codex CLI token',
      async () => {
        await fs.mkdir(join(dir, '.codex'));
        await fs.writeFile(
          join(dir, '.codex', 'auth.json'),
          JSON.stringify({ tokens: { access_token: EXPIRED_CLI, refresh_token: REFRESH, id_token: ID_TOKEN } }),
        );
        return resolveCodexAuth({ env: {}, homeDir: dir, now: () => NOW });
      },
      /Run `codex` once/,
    ],
    [
      'Codex CLI file with a syntax error after a token',
      async () => {
        await fs.mkdir(join(dir, '.codex'));
        await fs.writeFile(join(dir, '.codex', 'auth.json'), `{"tokens":{"access_token":${ACCESS}}}`);
        return resolveCodexAuth({ env: {}, homeDir: dir });
      },
      /Invalid JSON in Codex CLI auth file/,
    ],
    [
      'missing credentials',
      () => resolveCodexAuth({ env: { OPENAI_CODEX_ACCESS_TOKEN: '  ' }, homeDir: dir }),
      /^Missing OpenAI Codex credentials/,
    ],
  ];

  it.each(cases)('%s', async (_name, run, expected) => {
    const error = await rejectionOf(run());
    expect(error).toBeInstanceOf(AuthError);
    expect((error as Error).message).toMatch(expected);
    const text = exposedText(error);
    // Not even a fragment: every 8-character slice of every token is absent.
    for (const secret of ALL) {
      for (let i = 0; i + 8 <= secret.length; i++) expect(text).not.toContain(secret.slice(i, i + 8));
    }
    // The shown body keeps its non-secret parts and marks what was removed.
    if (/token exchange failed \(4/.test((error as Error).message)) expect((error as Error).message).toContain('[redacted]');
  });

  it('the error body redaction keeps everything else', () => {
    expect(redactSecrets('{"error":"invalid_grant","refresh_token":"abc\\"def","n":1}')).toBe(
      '{"error":"invalid_grant","refresh_token":"[redacted]","n":1}',
    );
    expect(redactSecrets('a=1&access_token=xyz&b=2')).toBe('a=1&access_token=[redacted]&b=2');
    expect(redactSecrets('used rt_123 twice', ['rt_123'])).toBe('used [redacted] twice');
    expect(redactSecrets('plain message')).toBe('plain message');
  });
});
