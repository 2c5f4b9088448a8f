import type { SchedulerLike } from 'rxjs';
import type { Dispatcher } from 'undici';
import { ConfigError } from '../../errors.js';
import { CODEX_OAUTH_CLIENT_ID } from '../refresh.js';
import { resolveAuthFilePath } from '../resolveCodexAuth.js';
import type { LoginOptions } from './types.js';

/** OpenAI's sign-in server. */
export const DEFAULT_ISSUER = 'https://auth.openai.com';
/** The port the Codex CLI's browser callback listens on (its registered redirect URI). */
export const DEFAULT_CALLBACK_PORT = 1455;
export const DEFAULT_BROWSER_TIMEOUT_MS = 300_000;
export const DEFAULT_DEVICE_TIMEOUT_MS = 900_000;

const KEYS = new Set(['issuer', 'clientId', 'port', 'originator', 'authFile', 'dispatcher', 'openBrowser', 'timeoutMs', 'scheduler']);

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

/**
 * Checks and completes login options. Unknown keys and bad values are `ConfigError`s that say
 * what to pass instead.
 */
export function resolveLoginOptions(options: LoginOptions | undefined, defaultTimeoutMs: number, fn: string): ResolvedLoginOptions {
  const o = options ?? {};
  if (typeof o !== 'object' || Array.isArray(o)) throw new ConfigError(`${fn}: options must be an object, such as { port: 0 }`);
  for (const key of Object.keys(o)) {
    if (!KEYS.has(key)) throw new ConfigError(`${fn}: unknown option "${key}"; the options are ${[...KEYS].join(', ')}`);
  }
  let issuer = o.issuer ?? DEFAULT_ISSUER;
  try {
    const url = new URL(issuer);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('scheme');
  } catch {
    throw new ConfigError(`${fn}: issuer must be an http(s) URL such as ${DEFAULT_ISSUER}, got ${JSON.stringify(issuer)}`);
  }
  issuer = issuer.replace(/\/+$/, '');
  const port = o.port ?? DEFAULT_CALLBACK_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`${fn}: port must be an integer from 0 to 65535 (0 picks a free port), got ${String(port)}`);
  }
  const timeoutMs = o.timeoutMs ?? defaultTimeoutMs;
  if (typeof timeoutMs !== 'number' || !Number.isFinite(timeoutMs) || timeoutMs <= 0 || timeoutMs > 2_147_483_647) {
    throw new ConfigError(`${fn}: timeoutMs must be a positive number of milliseconds, got ${String(timeoutMs)}`);
  }
  const openBrowser = o.openBrowser ?? process.stdout.isTTY === true;
  if (typeof openBrowser !== 'boolean' && typeof openBrowser !== 'function') {
    throw new ConfigError(`${fn}: openBrowser must be true, false or a function (url) => void`);
  }
  const clientId = o.clientId ?? CODEX_OAUTH_CLIENT_ID;
  if (typeof clientId !== 'string' || clientId.trim() === '') throw new ConfigError(`${fn}: clientId must be a non-empty string`);
  const originator = o.originator ?? 'codex_cli_rs';
  if (typeof originator !== 'string') throw new ConfigError(`${fn}: originator must be a string`);
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
