import { DEMO_PROMPT, HELP_TEXT, parseCliArgs, UsageError, type CliCommand } from '../../src/cli/args.js';

function usageError(argv: string[]): UsageError {
  try {
    parseCliArgs(argv);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return error as UsageError;
  }
  throw new Error(`expected a UsageError for ${JSON.stringify(argv)}`);
}

describe('parseCliArgs', () => {
  it('runs on the mock by default, with no prompt (the demo prompt is chosen later)', () => {
    expect(parseCliArgs([])).toEqual<CliCommand>({ kind: 'run', options: { backend: 'mock', json: false } });
    expect(DEMO_PROMPT.length).toBeGreaterThan(0);
  });

  it('joins the positional arguments into the prompt, and -- ends the options', () => {
    expect(parseCliArgs(['Hello', 'there'])).toEqual({ kind: 'run', options: { backend: 'mock', json: false, prompt: 'Hello there' } });
    expect(parseCliArgs(['--', '--json'])).toEqual({ kind: 'run', options: { backend: 'mock', json: false, prompt: '--json' } });
  });

  it('reads every option, long and short', () => {
    const command = parseCliArgs([
      '--live',
      '-m',
      'gpt-5.3-codex',
      '-e',
      'high',
      '--summary',
      'detailed',
      '--verbosity',
      'low',
      '-s',
      'Be brief',
      '--json',
      '--base-url',
      'http://127.0.0.1:9/backend-api',
      'Hi',
    ]);
    expect(command).toEqual({
      kind: 'run',
      options: {
        backend: 'live',
        baseUrl: 'http://127.0.0.1:9/backend-api',
        model: 'gpt-5.3-codex',
        effort: 'high',
        summary: 'detailed',
        verbosity: 'low',
        system: 'Be brief',
        json: true,
        prompt: 'Hi',
      },
    });
    expect(parseCliArgs(['--effort=low', '--mock', 'x'])).toEqual({
      kind: 'run',
      options: { backend: 'mock', json: false, effort: 'low', prompt: 'x' },
    });
  });

  it('--help wins over everything, then --version', () => {
    expect(parseCliArgs(['--live', '--help'])).toEqual({ kind: 'help' });
    expect(parseCliArgs(['-h', 'prompt'])).toEqual({ kind: 'help' });
    expect(parseCliArgs(['-v'])).toEqual({ kind: 'version' });
    expect(parseCliArgs(['--version', '--help'])).toEqual({ kind: 'help' });
  });

  it('the help names every option', () => {
    for (const flag of [
      'CODEX_RX_MOCK_PACE',
      'NO_COLOR',
      '--model',
      '--effort',
      '--summary',
      '--verbosity',
      '--system',
      '--mock',
      '--live',
      '--json',
      '--help',
      '--version',
      '--base-url',
      '--auth',
      'OPENAI_API_KEY',
    ]) {
      expect(HELP_TEXT).toContain(flag);
    }
  });

  it('rejects unknown options and missing values', () => {
    expect(usageError(['--bogus']).message).toMatch(/Unknown option '--bogus'/);
    expect(usageError(['--model']).message).toMatch(/--model/);
  });

  it('rejects values outside the enums, naming the allowed ones', () => {
    expect(usageError(['--effort', 'max']).message).toBe("--effort must be one of none, minimal, low, medium, high, xhigh, got 'max'");
    expect(usageError(['--summary', 'short']).message).toBe("--summary must be one of auto, concise, detailed, got 'short'");
    expect(usageError(['--verbosity', 'loud']).message).toBe("--verbosity must be one of low, medium, high, got 'loud'");
    expect(usageError(['--transport', 'ws']).message).toBe("--transport must be one of sse, websocket, auto, got 'ws'");
  });

  it('rejects contradictions and empty values', () => {
    expect(usageError(['--mock', '--live', 'x']).message).toBe('--mock and --live cannot be used together');
    expect(usageError(['--base-url', 'http://x']).message).toMatch(/--base-url needs --live/);
    expect(usageError(['--live', '--base-url', 'ftp://x', 'p']).message).toMatch(/absolute http\(s\) URL/);
    expect(usageError(['--live', '--base-url', 'not a url', 'p']).message).toMatch(/absolute http\(s\) URL/);
    expect(usageError(['--model', ' ']).message).toBe('--model must not be empty');
    expect(usageError(['  ']).message).toBe('the prompt must not be empty');
  });

  it('--auth takes chatgpt or api-key, with --live only', () => {
    expect(parseCliArgs(['--live', '--auth', 'api-key', 'x'])).toMatchObject({
      kind: 'run',
      options: { backend: 'live', auth: 'api-key' },
    });
    expect(parseCliArgs(['--live', '--auth', 'chatgpt', 'x'])).toMatchObject({ kind: 'run', options: { auth: 'chatgpt' } });
    expect(usageError(['--live', '--auth', 'key', 'x']).message).toBe("--auth must be one of chatgpt, api-key, got 'key'");
    expect(usageError(['--auth', 'api-key']).message).toMatch(/--auth needs --live/);
  });

  it('--live needs a prompt', () => {
    expect(usageError(['--live']).message).toMatch(/--live needs a prompt/);
  });
});
