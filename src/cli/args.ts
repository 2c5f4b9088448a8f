/**
 * The command line of `codex-rx`, parsed into a plain value. Pure: no I/O, no process access,
 * so every rule is unit-tested (spec/cli/args.spec.ts).
 */
import { parseArgs } from 'node:util';
import {
  REASONING_EFFORTS,
  REASONING_SUMMARIES,
  TEXT_VERBOSITIES,
  type ReasoningEffort,
  type ReasoningSummary,
  type TextVerbosity,
} from '../request/models.js';
import { AUTH_MODES, TRANSPORT_MODES, type AuthMode, type TransportMode } from '../client/config.js';

/** Where the turn is sent. */
export type Backend = 'mock' | 'live';

/** What to run, once the arguments are understood. */
export interface RunOptions {
  /** The prompt (all positional arguments joined by spaces); `undefined` when none was given. */
  prompt?: string;
  backend: Backend;
  /** `--base-url` (live only). */
  baseUrl?: string;
  /** `--auth` (live only): `'api-key'` sends the turn to the platform API with env `OPENAI_API_KEY`. */
  auth?: AuthMode;
  model?: string;
  effort?: ReasoningEffort;
  summary?: ReasoningSummary;
  verbosity?: TextVerbosity;
  /** `--transport`: how the turn reaches the backend. */
  transport?: TransportMode;
  /** `--system`: sent as a system message (the request's `instructions`). */
  system?: string;
  /** `--json`: one CodexEvent per line on stdout, and a failure as one `{"type":"error",…}` line. */
  json: boolean;
}

/** The parsed command line. */
export type CliCommand =
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'run'; options: RunOptions }
  | { kind: 'login'; device: boolean }
  | { kind: 'logout' }
  | { kind: 'status' };

/** The command line is wrong: printed with a hint, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** The prompt the embedded mock plays when none is given. */
export const DEMO_PROMPT = 'What is codex-rx, and can you show me a tool call?';

/** `--help`. */
export const HELP_TEXT = `Usage: codex-rx [options] [prompt...]
       codex-rx login [--device]   sign in with your ChatGPT account (--device: without a browser)
       codex-rx logout             remove codex-rx's stored credentials
       codex-rx status             who is signed in, token expiry, last known rate limits

Stream one Codex turn and print it as it arrives: text, reasoning (dimmed), tool calls and the
token usage. Without --live it runs on the embedded mock Codex server (a scripted turn on
127.0.0.1), so it works without credentials.

Options:
  -m, --model <id>        model (default: gpt-5.5, or OPENAI_CODEX_MODEL with --live)
  -e, --effort <level>    reasoning effort: ${REASONING_EFFORTS.join(', ')}
                          (also requests the "auto" reasoning summary unless --summary is given
                          or the effort is none)
      --summary <kind>    reasoning summary: ${REASONING_SUMMARIES.join(', ')}
      --verbosity <level> text verbosity: ${TEXT_VERBOSITIES.join(', ')}
  -s, --system <text>     system instructions
      --transport <kind>  ${TRANSPORT_MODES.join(', ')} (default: auto, a WebSocket with HTTP
                          as fallback)
      --mock              use the embedded mock server (the default)
      --live              use the real Codex backend; needs credentials:
                          OPENAI_CODEX_ACCESS_TOKEN, the codex-rx auth file
                          (OPENAI_CODEX_AUTH_FILE or ~/.codex-rx/auth.json), or the Codex
                          CLI's ~/.codex/auth.json (run \`codex\` to sign in)
      --base-url <url>    backend base URL with --live (default: https://chatgpt.com/backend-api,
                          or OPENAI_CODEX_BASE_URL; https://api.openai.com/v1 with an API key)
      --auth <kind>       with --live: chatgpt (the default, a ChatGPT sign-in) or api-key
                          (an OpenAI API key from OPENAI_API_KEY, on the platform API)
      --json              print one CodexEvent per line (NDJSON) instead of text
  -h, --help              show this help
  -v, --version           print the version

Environment:
  OPENAI_CODEX_ACCESS_TOKEN, OPENAI_CODEX_AUTH_FILE, CODEX_HOME
                          where --live finds credentials
  OPENAI_CODEX_BASE_URL, OPENAI_CODEX_MODEL
                          defaults for --base-url and --model with --live
  OPENAI_API_KEY, OPENAI_ORG_ID, OPENAI_PROJECT_ID
                          the key, organization and project of --auth api-key
                          (never used without it)
  CODEX_RX_MOCK_PACE      pace of the mock turn: 1 a model's (default), 0 all at once
  NO_COLOR, FORCE_COLOR   colours off / on (default: on a terminal only)

Exit codes: 0 success, 1 the request failed, 2 bad usage, 130 interrupted (Ctrl-C).

Examples:
  codex-rx
  codex-rx --json "Hello"
  codex-rx --live --effort low "Explain RxJS switchMap in two sentences"
  codex-rx --live --auth api-key "Hello"
`;

const OPTIONS = {
  model: { type: 'string', short: 'm' },
  effort: { type: 'string', short: 'e' },
  summary: { type: 'string' },
  verbosity: { type: 'string' },
  transport: { type: 'string' },
  system: { type: 'string', short: 's' },
  mock: { type: 'boolean' },
  live: { type: 'boolean' },
  'base-url': { type: 'string' },
  auth: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const;

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], flag: string): T | undefined {
  if (value === undefined) return undefined;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`--${flag} must be one of ${allowed.join(', ')}, got '${value}'`);
}

function nonBlank(value: string | undefined, flag: string): string | undefined {
  if (value === undefined) return undefined;
  if (value.trim() === '') throw new UsageError(`--${flag} must not be empty`);
  return value;
}

/**
 * Parses `codex-rx`'s arguments (without `node` and the script).
 *
 * 0. `login [--device]`, `logout` and `status` as the first argument are account commands.
 * 1. `--help` wins over everything, then `--version`.
 * 2. Unknown options, missing option values and bad enum values are a {@link UsageError}.
 * 3. `--mock` and `--live` exclude each other; `--base-url` needs `--live` and an http(s) URL;
 *    `--auth` needs `--live`.
 * 4. The positional arguments, joined by spaces, are the prompt; `--` ends the options.
 * 5. `--live` needs a prompt (a real request should be meant); the mock has a default one.
 *
 * @param argv The arguments, e.g. `process.argv.slice(2)`.
 * @return What to do.
 * @throws {UsageError} When the command line is wrong.
 */
export function parseCliArgs(argv: readonly string[]): CliCommand {
  const [first, ...rest] = argv;
  if (first === 'login' || first === 'logout' || first === 'status') {
    if (rest.includes('--help') || rest.includes('-h')) return { kind: 'help' };
    const allowed = first === 'login' ? ['--device'] : [];
    const stray = rest.find((arg) => !allowed.includes(arg));
    if (stray !== undefined)
      throw new UsageError(`codex-rx ${first} does not take '${stray}'${first === 'login' ? ' (only --device)' : ''}`);
    return first === 'login' ? { kind: 'login', device: rest.includes('--device') } : { kind: first };
  }
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true; strict: true }>>;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    // node's messages are clear ("Unknown option '--foo'"); drop its own hint about `--`.
    const message = error instanceof Error ? error.message.split('. To specify')[0] : String(error);
    throw new UsageError(message);
  }
  const { values, positionals } = parsed;
  if (values.help === true) return { kind: 'help' };
  if (values.version === true) return { kind: 'version' };

  if (values.mock === true && values.live === true) throw new UsageError('--mock and --live cannot be used together');
  const backend: Backend = values.live === true ? 'live' : 'mock';
  const baseUrl = nonBlank(values['base-url'], 'base-url');
  if (baseUrl !== undefined) {
    if (backend !== 'live') throw new UsageError('--base-url needs --live (the mock server has its own address)');
    let url: URL;
    try {
      url = new URL(baseUrl);
    } catch {
      throw new UsageError(`--base-url must be an absolute http(s) URL, got '${baseUrl}'`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new UsageError(`--base-url must be an absolute http(s) URL, got '${baseUrl}'`);
    }
  }

  const auth = oneOf(values.auth, AUTH_MODES, 'auth');
  if (auth !== undefined && backend !== 'live') throw new UsageError('--auth needs --live (the mock server takes no credentials)');

  const prompt = positionals.length > 0 ? positionals.join(' ') : undefined;
  if (prompt !== undefined && prompt.trim() === '') throw new UsageError('the prompt must not be empty');
  if (prompt === undefined && backend === 'live') throw new UsageError('--live needs a prompt, e.g. codex-rx --live "Hello"');

  const options: RunOptions = { backend, json: values.json === true };
  if (prompt !== undefined) options.prompt = prompt;
  if (baseUrl !== undefined) options.baseUrl = baseUrl;
  if (auth !== undefined) options.auth = auth;
  const model = nonBlank(values.model, 'model');
  if (model !== undefined) options.model = model;
  const effort = oneOf(values.effort, REASONING_EFFORTS, 'effort');
  if (effort !== undefined) options.effort = effort;
  const summary = oneOf(values.summary, REASONING_SUMMARIES, 'summary');
  if (summary !== undefined) options.summary = summary;
  const verbosity = oneOf(values.verbosity, TEXT_VERBOSITIES, 'verbosity');
  if (verbosity !== undefined) options.verbosity = verbosity;
  const transport = oneOf(values.transport, TRANSPORT_MODES, 'transport');
  if (transport !== undefined) options.transport = transport;
  const system = nonBlank(values.system, 'system');
  if (system !== undefined) options.system = system;
  return { kind: 'run', options };
}
