/**
 * runCli in this process, with its streams and interrupt hook in the test's hands: proves that
 * Ctrl-C and a closed stdout cancel the request itself (the server sees the client leave while
 * this process lives on), not merely that the process dies.
 */
import { EventEmitter } from 'node:events';
import { promises as fs, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { demoTurnEvents } from '../../src/cli/demoTurn.js';
import { EXIT, runCli, type CliIO } from '../../src/cli/run.js';
import { fakeAccessToken, startMockCodexServer, textTurn, type MockCodexServer } from '../../src/testing/index.js';
import { VERSION } from '../../src/version.js';
import { accountJwt, tmpDir, writeJson } from '../auth/helpers.js';

const TOKEN = fakeAccessToken('acc_run_test');

class FakeOutput extends EventEmitter {
  text = '';
  isTTY = false;
  write(chunk: string): boolean {
    this.text += chunk;
    this.emit('written');
    return true;
  }
  waitFor(fragment: string): Promise<void> {
    return new Promise((resolve) => {
      const check = (): void => {
        if (!this.text.includes(fragment)) return;
        this.off('written', check);
        resolve();
      };
      this.on('written', check);
      check();
    });
  }
}

function fakeIO(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const stdout = new FakeOutput();
  const stderr = new FakeOutput();
  let interrupt: (() => void) | undefined;
  let removed = false;
  const io: CliIO = {
    argv,
    env: { HOME: '/nonexistent-home-for-tests', CODEX_RX_MOCK_PACE: '0', ...env },
    stdout,
    stderr,
    onInterrupt(handler) {
      interrupt = handler;
      return () => {
        removed = true;
      };
    },
  };
  return { io, stdout, stderr, interrupt: () => interrupt?.(), handlerRemoved: () => removed };
}

/** A reply that sends the events up to the first text delta, then stalls. */
function stalledReply(): { events: object[]; stall: { afterBytes: number } } {
  const events = demoTurnEvents('Hi');
  const first = events.findIndex((e) => (e as { type: string }).type === 'response.output_text.delta');
  const afterBytes = events
    .slice(0, first + 1)
    .reduce<number>((n, e) => n + Buffer.byteLength(`event: ${(e as { type: string }).type}\ndata: ${JSON.stringify(e)}\n\n`), 0);
  return { events, stall: { afterBytes } };
}

let mock: MockCodexServer | undefined;
afterEach(async () => {
  await mock?.close();
  mock = undefined;
});

describe('runCli', () => {
  it('an interrupt unsubscribes: the server sees the client close its connection, and the code is 130', async () => {
    mock = await startMockCodexServer({ replies: [stalledReply()] });
    const t = fakeIO(['--live', '--base-url', mock.baseUrl, 'Hi'], { OPENAI_CODEX_ACCESS_TOKEN: TOKEN });
    const code = runCli(t.io);
    await t.stdout.waitFor('\n\nThis');
    t.interrupt();
    expect(await mock.responseOutcome(0)).toMatchObject({ kind: 'client-closed' });
    await mock.waitForOpenConnections(0);
    expect(await code).toBe(EXIT.interrupted);
    expect(t.stdout.text.endsWith('This\n')).toBe(true);
    expect(t.stderr.text).toContain('codex-rx: interrupted');
    expect(t.handlerRemoved()).toBe(true);
  });

  it('a stdout that fails (a closed pipe) stops the stream quietly with 0', async () => {
    mock = await startMockCodexServer({ replies: [stalledReply()] });
    const t = fakeIO(['--live', '--json', '--base-url', mock.baseUrl, 'Hi'], { OPENAI_CODEX_ACCESS_TOKEN: TOKEN });
    const code = runCli(t.io);
    await t.stdout.waitFor('text-delta');
    const before = t.stdout.text;
    t.stdout.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    expect(await code).toBe(EXIT.ok);
    expect(await mock.responseOutcome(0)).toMatchObject({ kind: 'client-closed' });
    expect(t.stdout.text).toBe(before);
    // A late second failure of the same stream is absorbed, not an unhandled 'error'.
    expect(() => t.stdout.emit('error', new Error('write EPIPE'))).not.toThrow();
  });

  it('closes the embedded mock server when the turn ends', async () => {
    const t = fakeIO([]);
    expect(await runCli(t.io)).toBe(EXIT.ok);
    const url = /at (http:\/\/127\.0\.0\.1:\d+)\/backend-api/.exec(t.stderr.text)?.[1];
    expect(url).toBeDefined();
    await expect(fetch(`${url}/backend-api/codex/responses`, { method: 'POST' })).rejects.toThrow();
  });

  it('a ConfigError from the client (reasoning summary with effort none) is exit 1 with its message', async () => {
    const t = fakeIO(['--effort', 'none', '--summary', 'auto']);
    expect(await runCli(t.io)).toBe(EXIT.failed);
    expect(t.stderr.text).toContain('reasoning summaries are not available when reasoning.effort resolves to "none"');
    expect(t.stderr.text).toContain('(ERR_CODEX_CONFIG)');
  });

  it('--json: a failed turn ends the NDJSON stream with one error line {type, code, message}, token redacted', async () => {
    mock = await startMockCodexServer({ replies: [{ status: 400, json: { error: { message: `bad request for ${TOKEN}` } } }] });
    const t = fakeIO(['--live', '--json', '--base-url', mock.baseUrl, 'Hi'], { OPENAI_CODEX_ACCESS_TOKEN: TOKEN });
    expect(await runCli(t.io)).toBe(EXIT.failed);
    const lines = t.stdout.text.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0] ?? '') as Record<string, unknown>;
    expect(Object.keys(line)).toEqual(['type', 'code', 'message']);
    expect(line).toMatchObject({ type: 'error', code: 'ERR_CODEX_HTTP' });
    expect(line.message).toContain('bad request for');
    expect(t.stdout.text).not.toContain(TOKEN);
    expect(t.stderr.text).toContain('(ERR_CODEX_HTTP, HTTP 400)');
  });

  it('--json: a bad option is an error line too', async () => {
    const t = fakeIO(['--json', '--effort', 'none', '--summary', 'auto']);
    expect(await runCli(t.io)).toBe(EXIT.failed);
    expect(JSON.parse(t.stdout.text)).toMatchObject({ type: 'error', code: 'ERR_CODEX_CONFIG' });
  });

  it('without --json, errors stay off stdout', async () => {
    mock = await startMockCodexServer({ replies: [{ status: 400, json: { error: { message: 'bad request' } } }] });
    const t = fakeIO(['--live', '--base-url', mock.baseUrl, 'Hi'], { OPENAI_CODEX_ACCESS_TOKEN: TOKEN });
    expect(await runCli(t.io)).toBe(EXIT.failed);
    expect(t.stdout.text).toBe('');
  });

  it('--live --auth api-key streams from the platform API with OPENAI_API_KEY, and never prints the key', async () => {
    const key = 'sk-proj-cli0123456789abcdefghijklmnopqrstuvwxyz';
    mock = await startMockCodexServer({ api: 'platform', replies: [{ events: textTurn({ text: ['Hi there'] }) }] });
    const t = fakeIO(['--live', '--auth', 'api-key', '--transport', 'sse', '--base-url', mock.baseUrl, 'Hi'], {
      OPENAI_API_KEY: key,
      OPENAI_PROJECT_ID: 'proj_cli',
    });
    expect(await runCli(t.io)).toBe(EXIT.ok);
    expect(t.stdout.text).toContain('Hi there');
    expect(t.stderr.text).toContain(`live OpenAI API at ${mock.baseUrl}, with the API key from OPENAI_API_KEY`);
    expect(mock.requests[0]?.path).toBe('/v1/responses');
    expect(mock.requests[0]?.headers).toMatchObject({ authorization: `Bearer ${key}`, 'openai-project': 'proj_cli' });
    expect(t.stdout.text + t.stderr.text).not.toContain(key.slice(0, 16));
  });

  it('--live --auth api-key: a refused key is one error line naming OPENAI_API_KEY, with the key redacted', async () => {
    const key = 'sk-proj-cli0123456789abcdefghijklmnopqrstuvwxyz';
    mock = await startMockCodexServer({
      api: 'platform',
      replies: [
        {
          status: 401,
          json: { error: { message: `Incorrect API key provided: ${key}`, type: 'invalid_request_error', code: 'invalid_api_key' } },
        },
      ],
    });
    const t = fakeIO(['--live', '--json', '--auth', 'api-key', '--transport', 'sse', '--base-url', mock.baseUrl, 'Hi'], {
      OPENAI_API_KEY: key,
    });
    expect(await runCli(t.io)).toBe(EXIT.failed);
    expect(JSON.parse(t.stdout.text)).toMatchObject({ type: 'error', code: 'ERR_CODEX_AUTH' });
    expect(t.stdout.text).toContain('OPENAI_API_KEY');
    expect(t.stdout.text + t.stderr.text).not.toContain(key.slice(0, 16));
    expect(t.stdout.text + t.stderr.text).not.toContain(key.slice(-16));
  });

  it('--live --auth api-key without OPENAI_API_KEY is exit 1 with a ConfigError that says to set it', async () => {
    const t = fakeIO(['--live', '--auth', 'api-key', 'Hi']);
    expect(await runCli(t.io)).toBe(EXIT.failed);
    expect(t.stderr.text).toContain("auth 'api-key' needs an API key, and neither apiKey nor OPENAI_API_KEY is set. Set OPENAI_API_KEY");
    expect(t.stderr.text).toContain('(ERR_CODEX_CONFIG)');
  });

  it('--version prints the version from src/version.ts, which is the one in package.json', async () => {
    const t = fakeIO(['--version']);
    expect(await runCli(t.io)).toBe(EXIT.ok);
    expect(t.stdout.text).toBe(`${VERSION}\n`);
    expect(VERSION).toBe((JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8')) as { version: string }).version);
  });

  it('--live finds credentials in the env it was given (CODEX_HOME, HOME), never in the process environment', async () => {
    const dir = await tmpDir();
    const given = accountJwt('acc_given_codex_home');
    const saved = { CODEX_HOME: process.env.CODEX_HOME, OPENAI_CODEX_ACCESS_TOKEN: process.env.OPENAI_CODEX_ACCESS_TOKEN };
    try {
      await fs.mkdir(join(dir, 'given'));
      await writeJson(join(dir, 'given', 'auth.json'), {
        tokens: { id_token: accountJwt('acc_given_codex_home'), access_token: given, refresh_token: 'rt_given', account_id: null },
      });
      // Decoys in the process environment: taking either one would send another token.
      await fs.mkdir(join(dir, 'decoy'));
      await writeJson(join(dir, 'decoy', 'auth.json'), {
        tokens: { id_token: accountJwt('acc_decoy'), access_token: accountJwt('acc_decoy'), refresh_token: 'rt_decoy', account_id: null },
      });
      process.env.CODEX_HOME = join(dir, 'decoy');
      process.env.OPENAI_CODEX_ACCESS_TOKEN = accountJwt('acc_decoy_env');

      mock = await startMockCodexServer({ replies: [{ events: textTurn({ text: ['Hello'] }) }] });
      const t = fakeIO(['--live', '--transport', 'sse', '--base-url', mock.baseUrl, 'Hi'], {
        HOME: join(dir, 'home'),
        CODEX_HOME: join(dir, 'given'),
      });
      expect(await runCli(t.io)).toBe(EXIT.ok);
      expect(t.stdout.text).toContain('Hello');
      expect(mock.requests[0]!.headers.authorization).toBe(`Bearer ${given}`);
      expect(mock.requests[0]!.headers['chatgpt-account-id']).toBe('acc_given_codex_home');
    } finally {
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it('a bad CODEX_RX_MOCK_PACE is bad usage', async () => {
    const t = fakeIO([], { CODEX_RX_MOCK_PACE: 'fast' });
    expect(await runCli(t.io)).toBe(EXIT.usage);
    expect(t.stderr.text).toContain("CODEX_RX_MOCK_PACE must be a number from 0 to 100, got 'fast'");
  });
});
