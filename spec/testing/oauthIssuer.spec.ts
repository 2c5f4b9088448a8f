import { refreshCodexToken } from '../../src/auth/refresh.js';
import { AuthError } from '../../src/errors.js';
import { startMockOAuthIssuer, type MockOAuthIssuer } from '../../src/testing/index.js';
import { expectConfigRejection } from '../helpers/configMessage.js';

describe('startMockOAuthIssuer', () => {
  let issuer: MockOAuthIssuer;
  afterEach(() => issuer?.close());

  it('rotates refresh tokens: a spent one is refused with 401 refresh_token_reused', async () => {
    issuer = await startMockOAuthIssuer({ accountId: 'acc_rot' });
    const first = issuer.issueTokens();
    const refreshed = await refreshCodexToken(first.refreshToken, { tokenUrl: issuer.tokenUrl });
    expect(refreshed.accessToken).toBe(issuer.issued[1]!.accessToken);
    expect(refreshed.refreshToken).toBe(issuer.issued[1]!.refreshToken);
    expect(refreshed.expiresInSeconds).toBe(3600);
    const reused = await refreshCodexToken(first.refreshToken, { tokenUrl: issuer.tokenUrl }).catch((e: unknown) => e);
    expect(reused).toBeInstanceOf(AuthError);
    expect((reused as AuthError).message).toContain('refresh_token_reused');
  });

  it('fails the next refresh on demand, then serves again', async () => {
    issuer = await startMockOAuthIssuer();
    const tokens = issuer.issueTokens();
    issuer.failNextRefresh(401, 'refresh_token_expired');
    await expect(refreshCodexToken(tokens.refreshToken, { tokenUrl: issuer.tokenUrl })).rejects.toThrow(/refresh_token_expired/);
    await expect(refreshCodexToken(tokens.refreshToken, { tokenUrl: issuer.tokenUrl })).resolves.toMatchObject({ expiresInSeconds: 3600 });
  });

  it('redirects an authorize request to its redirect URI with a code and the state, and checks the PKCE verifier', async () => {
    issuer = await startMockOAuthIssuer();
    const verifier = 'v'.repeat(43);
    const challenge = require('node:crypto').createHash('sha256').update(verifier).digest('base64url');
    const query = new URLSearchParams({
      response_type: 'code',
      client_id: 'app_EMoamEEZ73f0CkXaXp7hrann',
      redirect_uri: 'http://localhost:1/auth/callback',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      state: 's1',
    });
    const redirect = await fetch(`${issuer.url}/oauth/authorize?${query}`, { redirect: 'manual' });
    expect(redirect.status).toBe(302);
    const location = new URL(redirect.headers.get('location')!);
    expect(location.searchParams.get('state')).toBe('s1');
    const code = location.searchParams.get('code')!;
    const exchange = (v: string) =>
      fetch(issuer.tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code,
          code_verifier: v,
          redirect_uri: 'http://localhost:1/auth/callback',
          client_id: 'app_EMoamEEZ73f0CkXaXp7hrann',
        }),
      });
    expect((await exchange('wrong-verifier')).status).toBe(400);
    // A code is single-use, even after a failed attempt.
    expect((await exchange(verifier)).status).toBe(400);
  });

  it('rejects bad options with a ConfigError', async () => {
    await expectConfigRejection(
      startMockOAuthIssuer({ expiresInSeconds: 0 }),
      'startMockOAuthIssuer: expiresInSeconds must be an integer ≥ 1, got 0',
    );
  });
});
