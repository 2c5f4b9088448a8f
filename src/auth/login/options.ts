import type { SchedulerLike } from 'rxjs';
import type { Dispatcher } from 'undici';
import {
  checkOptions,
  describe,
  isDispatcher,
  isHttpUrl,
  isScheduler,
  isString,
  isTimerMs,
  type OptionRules,
} from '../../client/validate.js';
import { CODEX_OAUTH_CLIENT_ID } from '../refresh.js';
import { resolveAuthFilePath } from '../resolveCodexAuth.js';
import type { LoginOptions } from './types.js';

/** OpenAI's sign-in server. */
export const DEFAULT_ISSUER = 'https://auth.openai.com';
/** The port the Codex CLI's browser callback listens on (its registered redirect URI). */
export const DEFAULT_CALLBACK_PORT = 1455;
export const DEFAULT_BROWSER_TIMEOUT_MS = 300_000;
export const DEFAULT_DEVICE_TIMEOUT_MS = 900_000;

/** Login options with every default applied. */
export interface ResolvedLoginOptions {
  issuer: string;
  clientId: string;
  port: number;
  originator: string;
  authFile: string;
  dispatcher?: Dispatcher;
  openBrowser: boolean | ((url: string) => void);
  timeoutMs: number;
  scheduler?: SchedulerLike;
}

/** One rule per login option: a new option without a rule does not compile. */
const LOGIN_OPTION_RULES: OptionRules<LoginOptions> = {
  issuer: { check: isHttpUrl, fix: `Set issuer to the sign-in server's URL, or leave it out for ${DEFAULT_ISSUER}.` },
  clientId: {
    check: (v) => (typeof v === 'string' && v.trim() !== '' ? undefined : `must be a non-empty string, got ${describe(v)}`),
    fix: "Set clientId to your OAuth client's id, or leave it out for the Codex CLI's.",
  },
  port: {
    check: (v) =>
      Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 65535
        ? undefined
        : `must be an integer from 0 to 65535, got ${describe(v)}`,
    fix: `Set port to 0 for any free port, or leave it out for ${DEFAULT_CALLBACK_PORT}, where the sign-in server sends the browser back.`,
  },
  originator: { check: isString, fix: "Set originator to a string, or leave it out for 'codex_cli_rs'." },
  authFile: { check: isString, fix: 'Set authFile to a file path, or leave it out for OPENAI_CODEX_AUTH_FILE or ~/.codex-rx/auth.json.' },
  dispatcher: { check: isDispatcher, fix: "Pass an undici Agent, Pool or ProxyAgent, or leave dispatcher out for undici's global one." },
  openBrowser: {
    check: (v) =>
      typeof v === 'boolean' || typeof v === 'function' ? undefined : `must be true, false or a function (url) => void, got ${describe(v)}`,
    fix: 'Pass true to open a browser, false to only print the address, or a function that opens it.',
  },
  timeoutMs: {
    check: isTimerMs,
    fix: 'Set timeoutMs to how long to wait for the sign-in, or leave it out (5 minutes in the browser, 15 with a device code).',
  },
  scheduler: {
    check: isScheduler,
    fix: "Pass an rxjs scheduler (a TestScheduler in tests), or leave scheduler out for rxjs' asyncScheduler.",
  },
};

/**
 * Checks and completes login options. Unknown keys and bad values are `ConfigError`s that say
 * what is wrong and what to change, starting with the function's name.
 */
export function resolveLoginOptions(options: LoginOptions | undefined, defaultTimeoutMs: number, fn: string): ResolvedLoginOptions {
  const o = checkOptions<LoginOptions>(options, LOGIN_OPTION_RULES, fn, { lead: `${fn}: ` });
  const issuer = (o.issuer ?? DEFAULT_ISSUER).replace(/\/+$/, '');
  const port = o.port ?? DEFAULT_CALLBACK_PORT;
  const timeoutMs = o.timeoutMs ?? defaultTimeoutMs;
  const openBrowser = o.openBrowser ?? process.stdout.isTTY === true;
  const clientId = o.clientId ?? CODEX_OAUTH_CLIENT_ID;
  const originator = o.originator ?? 'codex_cli_rs';
  const resolved: ResolvedLoginOptions = {
    issuer,
    clientId,
    port,
    originator,
    authFile: resolveAuthFilePath({ authFile: o.authFile }),
    openBrowser,
    timeoutMs,
  };
  if (o.dispatcher !== undefined) resolved.dispatcher = o.dispatcher;
  if (o.scheduler !== undefined) resolved.scheduler = o.scheduler;
  return resolved;
}
