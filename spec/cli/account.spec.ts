/**
 * `codex-rx login`, `logout` and `status` through runCli, against the mock sign-in server and the
 * mock Codex server: a fresh user signs in, streams, and sees their limits, and no output line
 * ever carries token material.
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { EXIT, runCli, type CliIO } from '../../src/cli/run.js';
import { fakeAccessToken, startMockCodexServer, startMockOAuthIssuer, textTurn, type MockOAuthIssuer } from '../../src/testing/index.js';
import { tmpDir } from '../auth/helpers.js';

const JWT_SHAPED = /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}/;

function io(argv: string[], env: NodeJS.ProcessEnv) {
  const out = {
    text: '',
    isTTY: false,
    write(chunk: string) {
      out.text += chunk;
      return true;
    },
  };
  const err = {
    text: '',
    isTTY: false,
    write(chunk: string) {
      err.text += chunk;
      return true;
    },
  };
  const cli: CliIO = { argv, env, stdout: out, stderr: err, onInterrupt: () => () => undefined };
  return { cli, out, err };
}

describe('codex-rx login / status / logout', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let issuer: MockOAuthIssuer;

  beforeEach(async () => {
    dir = await tmpDir();
    issuer = await startMockOAuthIssuer({ accountId: 'acc_cli', planType: 'plus', email: 'cli@example.com', approveDeviceAfterPolls: 1 });
    env = {
      HOME: join(dir, 'home'),
      CODEX_HOME: join(dir, 'codex-home'),
      OPENAI_CODEX_AUTH_FILE: join(dir, 'codex-rx', 'auth.json'),
      CODEX_RX_AUTH_ISSUER: issuer.url,
      CODEX_RX_MOCK_PACE: '0',
    };
  });

  afterEach(async () => {
    await issuer.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  /** Every secret the issuer handed out, and the shapes of any other. */
  function expectNoTokenMaterial(text: string): void {
    for (const grant of issuer.issued) {
      for (const secret of [grant.accessToken, grant.refreshToken, grant.idToken]) expect(text).not.toContain(secret);
    }
    expect(text).not.toMatch(JWT_SHAPED);
    expect(text).not.toMatch(/rt_[A-Za-z0-9_-]{16,}/);
  }

  it('a fresh user signs in with a device code, streams a live turn, and sees account, plan, expiry and limits in status', async () => {
    const before = io(['status'], env);
    expect(await runCli(before.cli)).toBe(EXIT.ok);
    expect(before.out.text).toContain('Not signed in. Run `codex-rx login`');

    const login = io(['login', '--device'], env);
    expect(await runCli(login.cli)).toBe(EXIT.ok);
    expect(login.out.text).toMatch(new RegExp(`open ${issuer.url}/codex/device\\nand enter the code: \\S+`));
    expect(login.out.text).toContain('Signed in to ChatGPT account acc_cli (cli@example.com, plus).');
    expect((await fs.stat(env.OPENAI_CODEX_AUTH_FILE!)).mode & 0o777).toBe(0o600);
    expectNoTokenMaterial(login.out.text + login.err.text);

    const server = await startMockCodexServer({
      replies: [
        {
          headers: {
            'x-codex-primary-used-percent': '12.5',
            'x-codex-primary-window-minutes': '300',
            'x-codex-primary-reset-at': String(Math.floor(Date.now() / 1000) + 3600),
            'x-codex-secondary-used-percent': '40',
            'x-codex-secondary-window-minutes': '10080',
          },
          events: textTurn({ text: ['Hello'] }),
        },
      ],
    });
    try {
      const turn = io(['--live', '--transport', 'sse', '--base-url', server.baseUrl, 'Hi'], env);
      expect(await runCli(turn.cli)).toBe(EXIT.ok);
      expect(turn.out.text).toContain('Hello');
      expect(server.requests[0]!.headers.authorization).toBe(`Bearer ${issuer.issued[0]!.accessToken}`);
    } finally {
      await server.close();
    }

    const status = io(['status'], env);
    expect(await runCli(status.cli)).toBe(EXIT.ok);
    expect(status.out.text).toContain(`Signed in with codex-rx (${env.OPENAI_CODEX_AUTH_FILE}):`);
    expect(status.out.text).toContain('account: acc_cli');
    expect(status.out.text).toContain('plan:    plus');
    expect(status.out.text).toMatch(/token: {3}expires \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(in \d+ min\)/);
    expect(status.out.text).toMatch(/5-hour window: 12\.5% used, resets .* \(in 60 min\)/);
    expect(status.out.text).toContain('7-day window: 40% used');
    expectNoTokenMaterial(status.out.text + status.err.text);
    const kept = await fs.readFile(join(dir, 'codex-rx', 'rate-limits.json'), 'utf8');
    expectNoTokenMaterial(kept);

    const out = io(['logout'], env);
    expect(await runCli(out.cli)).toBe(EXIT.ok);
    await expect(fs.stat(env.OPENAI_CODEX_AUTH_FILE!)).rejects.toMatchObject({ code: 'ENOENT' });
    const after = io(['status'], env);
    await runCli(after.cli);
    expect(after.out.text).toContain('Not signed in.');
  });

  it('status shows a token from the environment without printing it', async () => {
    const token = fakeAccessToken('acc_env', { exp: Math.floor(Date.now() / 1000) - 60 });
    const status = io(['status'], { ...env, OPENAI_CODEX_ACCESS_TOKEN: token, OPENAI_API_KEY: 'sk-secret-key-0123456789abcdef' });
    await runCli(status.cli);
    expect(status.out.text).toContain('Signed in with OPENAI_CODEX_ACCESS_TOKEN');
    expect(status.out.text).toContain('account: acc_env');
    expect(status.out.text).toMatch(/token: {3}expired/);
    expect(status.out.text).toContain('OPENAI_API_KEY is set');
    expect(status.out.text).not.toContain(token);
    expect(status.out.text).not.toContain('sk-secret-key');
    expect(status.out.text).not.toMatch(JWT_SHAPED);
  });

  it('rejects stray arguments to the account commands', async () => {
    const bad = io(['logout', '--device'], env);
    expect(await runCli(bad.cli)).toBe(EXIT.usage);
    expect(bad.err.text).toContain("codex-rx logout does not take '--device'");
  });

  it('login fails with exit 1 and one line when the sign-in server is unreachable', async () => {
    await issuer.close();
    const login = io(['login', '--device'], env);
    expect(await runCli(login.cli)).toBe(EXIT.failed);
    expect(login.err.text).toMatch(/^error: Sign-in failed: the device code request/);
  });
});
