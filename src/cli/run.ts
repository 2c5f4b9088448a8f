/**
 * The `codex-rx` command, as a function of its inputs (arguments, environment, streams, an
 * interrupt hook) returning the exit code. `main.ts` only wires it to the process.
 */
import { tap, type Observable, type Subscription } from 'rxjs';
import { CodexClient } from '../client/CodexClient.js';
import { CLIENT_CONFIG_DEFAULTS } from '../client/config.js';
import { systemMessage, userMessage } from '../messages.js';
import type { MockCodexServer } from '../testing/index.js';
import type { CodexEvent, Message, RateLimitSnapshot } from '../types.js';
import type { AgentEvent } from '../agent/types.js';
import { VERSION } from '../version.js';
import { DEMO_PROMPT, HELP_TEXT, parseCliArgs, UsageError, type RunOptions } from './args.js';
import { runLogin, runLogout, runStatus, saveRateLimits } from './account.js';
import { backendBanner, buildClientConfig, findCredentialSource } from './config.js';
import { DEMO_TOOL, demoAnswerReply, demoReply } from './demoTurn.js';
import {
  createStyle,
  formatError,
  initialRenderState,
  renderEvent,
  renderJsonError,
  renderJsonLine,
  shouldUseColor,
  type RenderState,
} from './render.js';

/** Exit codes. */
export const EXIT = Object.freeze({ ok: 0, failed: 1, usage: 2, interrupted: 130 });

/** A writable stream as the CLI uses it. */
export interface CliOutput {
  write(chunk: string): unknown;
  isTTY?: boolean;
  on?(event: 'error', listener: (error: Error) => void): unknown;
}

/** What the command runs with. */
export interface CliIO {
  argv: readonly string[];
  env: NodeJS.ProcessEnv;
  stdout: CliOutput;
  stderr: CliOutput;
  /** Registers the Ctrl-C handler; returns its remover. */
  onInterrupt(handler: () => void): () => void;
}

/** The demo account of the embedded mock: its fake token is the only one the mock ever sees. */
const DEMO_ACCOUNT_ID = 'acc_codex_rx_demo';

/** `CODEX_RX_MOCK_PACE`: 1 is a model's pacing (the default), 0 sends the mock turn at once. */
function mockPace(env: NodeJS.ProcessEnv): number {
  const raw = env.CODEX_RX_MOCK_PACE;
  if (raw === undefined || raw.trim() === '') return 1;
  const pace = Number(raw);
  if (!Number.isFinite(pace) || pace < 0 || pace > 100)
    throw new UsageError(`CODEX_RX_MOCK_PACE must be a number from 0 to 100, got '${raw}'`);
  return pace;
}

function buildMessages(options: RunOptions, prompt: string): Message[] {
  return options.system === undefined ? [userMessage(prompt)] : [systemMessage(options.system), userMessage(prompt)];
}

/**
 * Runs `codex-rx`.
 *
 * 1. Bad usage prints the problem and a hint on stderr: exit 2.
 * 2. Without `--live`, starts the embedded mock server on 127.0.0.1 playing the demo turn, and
 *    says so on stderr (with where credentials were found, if anywhere).
 * 3. Streams the turn through `CodexClient`: human output (colours only on a TTY) or NDJSON.
 * 4. A failure prints one line, no stack, tokens redacted: exit 1.
 * 5. Ctrl-C unsubscribes (which aborts the request and closes its socket): exit 130.
 * 6. Always closes the mock server before returning.
 *
 * @param io Arguments, environment, output streams and the interrupt hook.
 * @return The exit code.
 */
export async function runCli(io: CliIO): Promise<number> {
  const errStyle = createStyle(shouldUseColor(io.stderr.isTTY, io.env));
  let options: RunOptions;
  let pace: number;
  try {
    const command = parseCliArgs(io.argv);
    if (command.kind === 'help') {
      io.stdout.write(HELP_TEXT);
      return EXIT.ok;
    }
    if (command.kind === 'version') {
      io.stdout.write(`${VERSION}\n`);
      return EXIT.ok;
    }
    if (command.kind === 'login') return await runLogin(io, command.device);
    if (command.kind === 'logout') return await runLogout(io);
    if (command.kind === 'status') return await runStatus(io);
    options = command.options;
    pace = mockPace(io.env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr.write(`codex-rx: ${error.message}\nTry 'codex-rx --help' for more information.\n`);
    return EXIT.usage;
  }

  const prompt = options.prompt ?? DEMO_PROMPT;
  const secrets = [io.env.OPENAI_CODEX_ACCESS_TOKEN, io.env.OPENAI_API_KEY?.trim()];
  let mock: MockCodexServer | undefined;
  try {
    let client: CodexClient;
    if (options.backend === 'mock') {
      // Loaded only for the demo: a --live run never loads the testing kit.
      const { fakeAccessToken, scriptedConversation, startMockCodexServer, textTurn } =
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        require('../testing/index.js') as typeof import('../testing/index.js');
      // The mock asks for the demo tool, then answers with what the tool returned.
      mock = await startMockCodexServer({
        handler: scriptedConversation([
          { reply: demoReply(prompt, pace) },
          { reply: (request) => demoAnswerReply(request.toolOutputs[0]?.output ?? '', pace, textTurn) },
        ]),
      });
      const accessToken = fakeAccessToken(DEMO_ACCOUNT_ID);
      secrets.push(accessToken);
      client = new CodexClient(buildClientConfig(options, io.env, { baseUrl: mock.baseUrl, accessToken }));
      io.stderr.write(`${errStyle.dim(backendBanner(options, mock.baseUrl, findCredentialSource(io.env)))}\n`);
      return await streamTurn(io, client.run(buildMessages(options, prompt), [DEMO_TOOL], { maxSteps: 3 }), options, secrets);
    }
    const config = buildClientConfig(options, io.env);
    client = new CodexClient(config);
    const defaultBaseUrl = options.auth === 'api-key' ? CLIENT_CONFIG_DEFAULTS.apiKeyBaseUrl : CLIENT_CONFIG_DEFAULTS.baseUrl;
    io.stderr.write(`${errStyle.dim(backendBanner(options, config.baseUrl ?? defaultBaseUrl, undefined))}\n`);
    // A live turn's rate limits are kept for `codex-rx status` (the ChatGPT account's, not an API key's).
    const seen: RateLimitSnapshot[] = [];
    const events$ = client.stream(buildMessages(options, prompt)).pipe(
      tap((event) => {
        if (event.type === 'rate-limits') seen.push(event.rateLimits);
      }),
    );
    const code = await streamTurn(io, events$, options, secrets);
    if (options.auth !== 'api-key') await saveRateLimits(io.env, seen);
    return code;
  } catch (error) {
    // A CodexClient constructor's ConfigError, or the mock failing to start.
    if (options.json) io.stdout.write(renderJsonError(error, secrets));
    io.stderr.write(`${errStyle.error(formatError(error, secrets))}\n`);
    return EXIT.failed;
  } finally {
    await mock?.close();
  }
}

/** Subscribes, writes each event, and settles with the exit code. */
function streamTurn(
  io: CliIO,
  events$: Observable<CodexEvent | AgentEvent>,
  options: RunOptions,
  secrets: readonly (string | undefined)[],
): Promise<number> {
  const style = createStyle(!options.json && shouldUseColor(io.stdout.isTTY, io.env));
  const errStyle = createStyle(shouldUseColor(io.stderr.isTTY, io.env));
  return new Promise<number>((resolve) => {
    let state: RenderState = initialRenderState;
    let subscription: Subscription | undefined;
    let settled = false;
    // Set when the reader went away (`codex-rx | head`): nothing more is written to stdout.
    let stdoutClosed = false;
    const out = (text: string): void => {
      if (!stdoutClosed && text !== '') io.stdout.write(text);
    };
    const finish = (code: number, message?: string): void => {
      if (settled) return;
      settled = true;
      subscription?.unsubscribe();
      removeInterrupt();
      // End the partial line, so the shell prompt (or the error) starts on its own line.
      if (!options.json && !state.atLineStart) out('\n');
      if (message !== undefined) io.stderr.write(`${message}\n`);
      resolve(code);
    };
    // Stays registered: writes already queued may still fail after the stream was stopped.
    io.stdout.on?.('error', () => {
      stdoutClosed = true;
      finish(EXIT.ok);
    });
    const removeInterrupt = io.onInterrupt(() => finish(EXIT.interrupted, errStyle.dim('codex-rx: interrupted')));

    subscription = events$.subscribe({
      next: (event) => {
        if (options.json) {
          // Every event, the loop's own included, as one JSON line.
          out(renderJsonLine(event as CodexEvent));
          return;
        }
        if (event.type === 'step-start' || event.type === 'step-finish' || event.type === 'finish') return;
        if (event.type === 'tool-result') {
          const line = `${state.atLineStart ? '' : '\n'}${style.dim(`↳ ${event.name} returned ${typeof event.output === 'string' ? event.output : JSON.stringify(event.output)}`)}\n`;
          state = { ...state, atLineStart: true };
          out(line);
          return;
        }
        const rendered = renderEvent(state, event, style);
        state = rendered.state;
        out(rendered.output);
      },
      error: (error: unknown) => {
        if (options.json) out(renderJsonError(error, secrets));
        finish(EXIT.failed, errStyle.error(formatError(error, secrets)));
      },
      complete: () => finish(EXIT.ok),
    });
    // A synchronous completion ran `finish` before `subscription` was assigned.
    if (settled) subscription.unsubscribe();
  });
}
