/**
 * The `codex-rx` command as users run it: a child process, against the embedded mock or a mock
 * server of the test's own (`--live --base-url`), checking output, exit codes and Ctrl-C.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { demoTurnEvents } from '../../src/cli/demoTurn.js';
import type { AgentEvent } from '../../src/agent/types.js';
import { fakeAccessToken, startMockCodexServer, type MockCodexServer } from '../../src/testing/index.js';
import type { CodexEvent } from '../../src/types.js';
import { compileCli, runCliProcess, startCli, type CompiledCli } from './cliProcess.js';

const ESC = '\x1b[';
const TOKEN = fakeAccessToken('acc_cli_test');

let cli: CompiledCli;
beforeAll(() => {
  cli = compileCli();
}, 60_000);
afterAll(() => cli?.dispose());

let mock: MockCodexServer | undefined;
afterEach(async () => {
  await mock?.close();
  mock = undefined;
});

/** NODE_OPTIONS that make the CLI report, as it exits, whether it loaded any module of the testing kit. */
function testingKitProbe(): Record<string, string> {
  const probe = join(cli.home, 'probe.cjs');
  writeFileSync(
    probe,
    "process.on('exit', () => process.stderr.write('\\nloaded-testing:' + Object.keys(require.cache).some((p) => /[\\\\/]testing[\\\\/]/.test(p)) + '\\n'));\n",
  );
  return { NODE_OPTIONS: `--require ${probe}` };
}

/** The demo turn's text and reasoning, as the wire events carry them. */
function demoParts(prompt: string): { text: string; reasoning: string } {
  const events = demoTurnEvents(prompt) as Array<{ type: string; text?: string }>;
  return {
    text: events.find((e) => e.type === 'response.output_text.done')!.text!,
    reasoning: events.find((e) => e.type === 'response.reasoning_summary_text.done')!.text!,
  };
}

/** SSE bytes of the first `count` wire events, framed as the mock frames them. */
function bytesOfFirst(events: object[], count: number): number {
  return events
    .slice(0, count)
    .reduce((n, e) => n + Buffer.byteLength(`event: ${(e as { type: string }).type}\ndata: ${JSON.stringify(e)}\n\n`), 0);
}

describe('codex-rx on the embedded mock', () => {
  it('streams reasoning, text, the tool call and the usage, then runs the tool and streams the answer that uses its result, without colours off a TTY', async () => {
    const { code, stdout, stderr } = await runCliProcess(cli, ['Hello there']);
    expect(stderr).toContain('embedded mock Codex server at http://127.0.0.1:');
    expect(stderr).toContain('no credentials found');
    expect(code).toBe(0);
    const { text, reasoning } = demoParts('Hello there');
    expect(reasoning).toContain('"Hello there"');
    const expected = [
      'thinking',
      reasoning,
      '',
      text,
      '',
      '⚙ get_weather {"city":"Paris","unit":"celsius"} (call_demo0001codexrx)',
      '',
      'usage: 1,342 input tokens (1,024 cached) · 187 output tokens (64 reasoning)',
      '↳ get_weather returned {"city":"Paris","temperature":18,"unit":"celsius","conditions":"light rain","source":"codex-rx demo data, not a forecast"}',
      '',
      'The get_weather tool ran in this process and it is 18° C with light rain in Paris (demo data). That was a whole agent loop: the mock asked for a tool, CodexClient.run executed it, sent the result back, and this answer used it.',
      '',
      'usage: 1,410 input tokens (1,280 cached) · 52 output tokens',
      '',
    ].join('\n');
    expect(stdout).toBe(expected);
    expect(stdout).not.toContain(ESC);
    expect(stderr).not.toContain(ESC);
  });

  it('colours with FORCE_COLOR: reasoning and usage dimmed, the tool call cyan', async () => {
    const { code, stdout } = await runCliProcess(cli, [], { FORCE_COLOR: '1' });
    expect(code).toBe(0);
    expect(stdout).toContain(`${ESC}2m**Planning${ESC}22m`);
    expect(stdout).toContain(`${ESC}36m⚙ get_weather${ESC}39m`);
    expect(stdout).toContain(`${ESC}2musage: 1,342 input tokens`);
    // The answer itself is plain.
    expect(stdout).toContain('\n\nThis reply comes from the embedded mock');
  });

  it('--json prints one event per line, in stream order (the loop steps around reasoning, text, tool call, closing events, tool result, answer), and says where credentials are', async () => {
    const { code, stdout, stderr } = await runCliProcess(cli, ['--json', 'Hi'], { OPENAI_CODEX_ACCESS_TOKEN: TOKEN });
    expect(code).toBe(0);
    expect(stderr).toContain('credentials found in OPENAI_CODEX_ACCESS_TOKEN; add --live');
    expect(stderr).not.toContain(TOKEN);
    expect(stdout.endsWith('\n')).toBe(true);
    const all = stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as CodexEvent | AgentEvent);
    // The tool loop: the first step's events, the tool result, then the answer's step.
    const loop = all.map((e) => e.type);
    expect(loop[0]).toBe('step-start');
    expect(loop.indexOf('tool-result')).toBeGreaterThan(loop.indexOf('done'));
    expect(loop.at(-1)).toBe('finish');
    expect(all.at(-1)).toMatchObject({ type: 'finish', reason: 'done', steps: 2 });
    const events = all.slice(1, loop.indexOf('done') + 1) as CodexEvent[];
    const types = events.map((e) => e.type);
    const { text, reasoning } = demoParts('Hi');
    expect(
      events
        .filter((e) => e.type === 'text-delta')
        .map((e) => (e as { delta: string }).delta)
        .join(''),
    ).toBe(text);
    expect(
      events
        .filter((e) => e.type === 'reasoning-delta')
        .map((e) => (e as { delta: string }).delta)
        .join(''),
    ).toBe(reasoning);
    expect(types.indexOf('reasoning-delta')).toBe(0);
    expect(types.lastIndexOf('reasoning-delta')).toBeLessThan(types.indexOf('text-delta'));
    expect(types.lastIndexOf('text-delta')).toBeLessThan(types.indexOf('tool-call-delta'));
    expect(types.slice(-6)).toEqual(['tool-calls', 'usage', 'content-block', 'content-block', 'content-block', 'done']);
    expect(events.at(-6)).toEqual({
      type: 'tool-calls',
      toolCalls: [
        {
          id: 'call_demo0001codexrx',
          name: 'get_weather',
          input: { city: 'Paris', unit: 'celsius' },
          rawInputJson: '{"city":"Paris","unit":"celsius"}',
        },
      ],
    });
    expect(events.at(-1)).toEqual({ type: 'done', responseId: 'resp_demo0001codexrx', status: 'completed' });
  });

  it('--help and --version print to stdout and exit 0', async () => {
    const help = await runCliProcess(cli, ['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: codex-rx \[options\] \[prompt\.\.\.\]/);
    const version = await runCliProcess(cli, ['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout).toBe(`${(require('../../package.json') as { version: string }).version}\n`);
  });
});

describe('codex-rx exit codes', () => {
  it('bad usage: exit 2, the problem and a hint on stderr, nothing on stdout', async () => {
    const bad = await runCliProcess(cli, ['--effort', 'max', 'Hi']);
    expect(bad).toMatchObject({ code: 2, stdout: '' });
    expect(bad.stderr).toBe(
      "codex-rx: --effort must be one of none, minimal, low, medium, high, xhigh, got 'max'\nTry 'codex-rx --help' for more information.\n",
    );
    const unknown = await runCliProcess(cli, ['--frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("Unknown option '--frobnicate'");
  });

  it('an HTTP 400: exit 1, the server message on one line, no stack, no token', async () => {
    mock = await startMockCodexServer({
      replies: [{ status: 400, json: { error: { message: 'Unsupported model: gpt-nope', type: 'invalid_request_error' } } }],
    });
    const { code, stdout, stderr } = await runCliProcess(cli, ['--live', '--base-url', mock.baseUrl, '-m', 'gpt-nope', 'Hi'], {
      OPENAI_CODEX_ACCESS_TOKEN: TOKEN,
    });
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain('codex-rx: live Codex backend at http://127.0.0.1:');
    expect(stderr).toContain('error: Unsupported model: gpt-nope (ERR_CODEX_HTTP, HTTP 400)\n');
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(stderr).not.toContain(TOKEN);
    expect(mock.requests).toHaveLength(1);
    expect(mock.requests[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it('a server that echoes the token in its error still never gets it printed', async () => {
    mock = await startMockCodexServer({
      handler: (request) => ({ status: 400, json: { error: { message: `Bad credentials: ${request.headers.authorization}` } } }),
    });
    const { code, stderr } = await runCliProcess(cli, ['--live', '--base-url', mock.baseUrl, 'Hi'], { OPENAI_CODEX_ACCESS_TOKEN: TOKEN });
    expect(code).toBe(1);
    expect(stderr).toContain('error: Bad credentials: Bearer [redacted]');
    expect(stderr).not.toContain(TOKEN);
    expect(stderr).not.toContain(TOKEN.split('.')[1]!);
  });

  it('--live without credentials: exit 1 with what to set, and no request sent', async () => {
    mock = await startMockCodexServer();
    const { code, stderr } = await runCliProcess(cli, ['--live', '--base-url', mock.baseUrl, 'Hi']);
    expect(code).toBe(1);
    expect(stderr).toMatch(/error: .*OPENAI_CODEX_ACCESS_TOKEN.* \(ERR_CODEX_AUTH\)/);
    expect(mock.requests).toHaveLength(0);
  });

  it('--live sends the request the flags describe', async () => {
    const events = demoTurnEvents('Hi');
    mock = await startMockCodexServer({ replies: [{ events }] });
    const { code, stdout } = await runCliProcess(
      cli,
      ['--live', '--base-url', mock.baseUrl, '-m', 'gpt-5.3-codex', '-e', 'low', '--verbosity', 'high', '-s', 'Be brief.', 'Hi', 'there'],
      { OPENAI_CODEX_ACCESS_TOKEN: TOKEN },
    );
    expect(code).toBe(0);
    expect(stdout).toContain(demoParts('Hi').text);
    const body = mock.requests[0]!.json as Record<string, unknown>;
    expect(body).toMatchObject({
      model: 'gpt-5.3-codex',
      instructions: 'Be brief.',
      reasoning: { effort: 'low', summary: 'auto' },
      text: { verbosity: 'high' },
      input: [{ role: 'user', content: [{ type: 'input_text', text: 'Hi there' }] }],
    });
    // Live mode offers no tools: the CLI cannot run them.
    expect(body.tools ?? []).toEqual([]);
  });
});

describe('codex-rx and Ctrl-C', () => {
  it('SIGINT mid-stream unsubscribes, closes the connection, ends the line and exits 130', async () => {
    const events = demoTurnEvents('Hi');
    const thirdText = events.findIndex(
      (e, i) =>
        (e as { type: string }).type === 'response.output_text.delta' &&
        events.slice(0, i).filter((x) => (x as { type: string }).type === 'response.output_text.delta').length === 2,
    );
    // Send everything up to the third text delta, then hold the stream open.
    mock = await startMockCodexServer({ replies: [{ events, stall: { afterBytes: bytesOfFirst(events, thirdText + 1) } }] });
    const run = startCli(cli, ['--live', '--base-url', mock.baseUrl, 'Hi'], { OPENAI_CODEX_ACCESS_TOKEN: TOKEN });
    await run.waitForStdout('This reply comes');
    expect(run.child.kill('SIGINT')).toBe(true);
    const result = await run.result;
    expect(result.signal).toBeNull();
    expect(result.code).toBe(130);
    expect(result.stdout.endsWith('This reply comes\n')).toBe(true);
    expect(result.stderr).toContain('codex-rx: interrupted');
    expect(await mock.responseOutcome(0)).toMatchObject({ kind: 'client-closed' });
    await mock.waitForOpenConnections(0);
  });
});

describe('what the CLI loads', () => {
  it('a --live run never loads the testing kit; the demo does, for its embedded mock', async () => {
    const live = await runCliProcess(cli, ['--live', 'Hi'], testingKitProbe());
    expect(live.code).toBe(1); // no credentials in the empty HOME
    expect(live.stderr).toContain('loaded-testing:false');
    const demo = await runCliProcess(cli, ['Hi'], testingKitProbe());
    expect(demo.code).toBe(0);
    expect(demo.stderr).toContain('loaded-testing:true');
  });
});
