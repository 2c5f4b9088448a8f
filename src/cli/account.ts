/**
 * `codex-rx login`, `logout` and `status`: sign in without the Codex CLI, sign out, and show
 * who is signed in and the last known rate limits. Never prints a token.
 */
import { promises as fs } from 'node:fs';
import { dirname, join } from 'node:path';
import { lastValueFrom, type Observable } from 'rxjs';
import { readAuthFile, PROVIDER_KEY, readTextIfPresent } from '../auth/authFile.js';
import { decodeJwtPayload, extractAccountId, JWT_AUTH_CLAIM } from '../auth/jwt.js';
import { loginWithBrowser, loginWithDeviceCode, logout, type LoginEvent } from '../auth/login/index.js';
import { resolveAuthFilePath, resolveCodexCliAuthPath } from '../auth/resolveCodexAuth.js';
import { redactText } from '../redact/index.js';
import type { RateLimitSnapshot, RateLimitWindow } from '../types.js';
import { formatError } from './render.js';

/** Where the CLI keeps the last rate limits it saw: beside the auth file, never with a token. */
export function rateLimitsFilePath(env: NodeJS.ProcessEnv): string {
  return join(dirname(resolveAuthFilePath({ env })), 'rate-limits.json');
}

/** What the rate-limits file holds. */
interface StoredRateLimits {
  updatedAt: number;
  limits: RateLimitSnapshot[];
}

/**
 * Keeps the last snapshot of each limit family, for `codex-rx status`. Best effort: a write that
 * fails never fails the turn.
 */
export async function saveRateLimits(env: NodeJS.ProcessEnv, limits: readonly RateLimitSnapshot[], nowMs = Date.now()): Promise<void> {
  if (limits.length === 0) return;
  const path = rateLimitsFilePath(env);
  const latest = new Map<string, RateLimitSnapshot>();
  for (const snapshot of limits) latest.set(snapshot.limitId, snapshot);
  const stored: StoredRateLimits = { updatedAt: nowMs, limits: [...latest.values()] };
  try {
    await fs.mkdir(dirname(path), { recursive: true, mode: 0o700 });
    await fs.writeFile(path, `${JSON.stringify(stored, null, 2)}\n`, { mode: 0o600 });
  } catch {
    // Only `status` reads it; a turn is not worth failing for it.
  }
}

async function loadRateLimits(env: NodeJS.ProcessEnv): Promise<StoredRateLimits | undefined> {
  try {
    const parsed = JSON.parse((await readTextIfPresent(rateLimitsFilePath(env), 'rate-limits file')) ?? 'null') as StoredRateLimits | null;
    return parsed !== null && Array.isArray(parsed.limits) && typeof parsed.updatedAt === 'number' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** The output the account commands write to. */
export interface AccountIO {
  env: NodeJS.ProcessEnv;
  stdout: { write(chunk: string): unknown; isTTY?: boolean };
  stderr: { write(chunk: string): unknown };
  onInterrupt(handler: () => void): () => void;
}

const when = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

function relative(ms: number, nowMs: number): string {
  const minutes = Math.round((ms - nowMs) / 60_000);
  if (minutes < 0) return `${-minutes} min ago`;
  if (minutes < 120) return `in ${minutes} min`;
  const hours = Math.round(minutes / 60);
  return hours < 48 ? `in ${hours} h` : `in ${Math.round(hours / 24)} d`;
}

/** Runs a login flow, printing what the user must do and the result. */
async function runFlow(io: AccountIO, flow: Observable<LoginEvent>): Promise<number> {
  return new Promise<number>((resolve) => {
    let settled = false;
    const finish = (code: number, message?: string) => {
      if (settled) return;
      settled = true;
      subscription.unsubscribe();
      removeInterrupt();
      if (message !== undefined) io.stderr.write(`${message}\n`);
      resolve(code);
    };
    const removeInterrupt = io.onInterrupt(() => finish(130, 'codex-rx: sign-in interrupted'));
    const subscription = flow.subscribe({
      next: (event) => {
        switch (event.type) {
          case 'authorize-url':
            io.stdout.write(`Sign in with your ChatGPT account at:\n\n  ${event.url}\n\nWaiting for the browser to come back…\n`);
            break;
          case 'device-code':
            io.stdout.write(
              `On any device, open ${event.verificationUrl}\nand enter the code: ${event.userCode}\n` +
                `(it expires at ${when(event.expiresAt)})\nWaiting for you to approve…\n`,
            );
            break;
          case 'logged-in': {
            const who = [event.email, event.planType].filter((x) => x !== undefined).join(', ');
            io.stdout.write(
              `Signed in to ChatGPT account ${event.accountId}${who ? ` (${who})` : ''}.\nCredentials saved to ${event.authFile}.\n`,
            );
            break;
          }
        }
      },
      error: (error: unknown) => finish(1, formatError(error)),
      complete: () => finish(0),
    });
    if (settled) subscription.unsubscribe();
  });
}

/** `codex-rx login [--device]`. The sign-in server can be overridden with env `CODEX_RX_AUTH_ISSUER`. */
export function runLogin(io: AccountIO, device: boolean): Promise<number> {
  const options = {
    authFile: resolveAuthFilePath({ env: io.env }),
    ...(io.env.CODEX_RX_AUTH_ISSUER ? { issuer: io.env.CODEX_RX_AUTH_ISSUER } : {}),
  };
  try {
    return runFlow(io, device ? loginWithDeviceCode(options) : loginWithBrowser({ ...options, openBrowser: io.stdout.isTTY === true }));
  } catch (error) {
    io.stderr.write(`${formatError(error)}\n`);
    return Promise.resolve(1);
  }
}

/** `codex-rx logout`. */
export async function runLogout(io: AccountIO): Promise<number> {
  const authFile = resolveAuthFilePath({ env: io.env });
  try {
    await lastValueFrom(logout({ authFile }), { defaultValue: undefined });
    io.stdout.write(`Signed out: codex-rx's credentials are no longer in ${authFile}.\n`);
    return 0;
  } catch (error) {
    io.stderr.write(`${formatError(error)}\n`);
    return 1;
  }
}

function describeToken(token: string, nowMs: number, expiresAtMs: number | undefined): string[] {
  const claim = decodeJwtPayload(token)?.[JWT_AUTH_CLAIM] as Record<string, unknown> | undefined;
  const plan = typeof claim?.chatgpt_plan_type === 'string' ? claim.chatgpt_plan_type.toLowerCase() : undefined;
  const exp =
    expiresAtMs ?? (typeof decodeJwtPayload(token)?.exp === 'number' ? (decodeJwtPayload(token)!.exp as number) * 1000 : undefined);
  const lines = [`  account: ${extractAccountId(token) ?? 'unknown'}`, `  plan:    ${plan ?? 'unknown'}`];
  if (exp !== undefined) {
    lines.push(`  token:   ${exp <= nowMs ? 'expired' : 'expires'} ${when(exp)} (${relative(exp, nowMs)})`);
  }
  return lines;
}

function describeWindow(name: string, window: RateLimitWindow, nowMs: number): string {
  const span =
    window.windowMinutes === undefined
      ? name
      : window.windowMinutes % 1440 === 0
        ? `${window.windowMinutes / 1440}-day window`
        : window.windowMinutes % 60 === 0
          ? `${window.windowMinutes / 60}-hour window`
          : `${window.windowMinutes}-minute window`;
  const reset =
    window.resetsAt === undefined ? '' : `, resets ${when(window.resetsAt * 1000)} (${relative(window.resetsAt * 1000, nowMs)})`;
  return `    ${span}: ${window.usedPercent}% used${reset}`;
}

/** The status report, as lines. Exported for tests. */
export async function statusLines(env: NodeJS.ProcessEnv, nowMs = Date.now()): Promise<string[]> {
  const lines: string[] = [];
  const authFile = resolveAuthFilePath({ env });
  const envToken = env.OPENAI_CODEX_ACCESS_TOKEN;
  const apiKey = env.OPENAI_API_KEY;
  if (envToken !== undefined && envToken.trim() !== '') {
    lines.push('Signed in with OPENAI_CODEX_ACCESS_TOKEN (it wins over the auth files):', ...describeToken(envToken, nowMs, undefined));
  } else {
    let stored;
    try {
      stored = (await readAuthFile(authFile))?.[PROVIDER_KEY];
    } catch (error) {
      lines.push(formatError(error));
    }
    if (stored !== undefined) {
      lines.push(`Signed in with codex-rx (${authFile}):`, ...describeToken(stored.access, nowMs, stored.expires));
      if (stored.expires <= nowMs) lines.push('  (the token is refreshed automatically at the next turn)');
    } else {
      const cliFile = resolveCodexCliAuthPath({ env });
      const text = await readTextIfPresent(cliFile, 'Codex CLI auth file').catch(() => undefined);
      let cliToken: string | undefined;
      try {
        const access = (JSON.parse(text ?? 'null') as { tokens?: { access_token?: unknown } } | null)?.tokens?.access_token;
        cliToken = typeof access === 'string' && access !== '' ? access : undefined;
      } catch {
        cliToken = undefined;
      }
      if (cliToken !== undefined) {
        lines.push(`Signed in with the Codex CLI (${cliFile}, read only):`, ...describeToken(cliToken, nowMs, undefined));
      } else {
        lines.push('Not signed in. Run `codex-rx login` (or `codex-rx login --device` without a browser).');
      }
    }
  }
  if (apiKey !== undefined && apiKey.trim() !== '')
    lines.push("OPENAI_API_KEY is set (used by `codex-rx --live --auth api-key` and by clients created with auth: 'api-key').");

  const limits = await loadRateLimits(env);
  if (limits === undefined || limits.limits.length === 0) {
    lines.push('Rate limits: none seen yet (they are recorded after each `codex-rx --live` turn).');
  } else {
    lines.push(`Rate limits (as of ${when(limits.updatedAt)}):`);
    for (const snapshot of limits.limits) {
      lines.push(`  ${snapshot.limitName ?? snapshot.limitId}${snapshot.planType ? ` (${snapshot.planType})` : ''}:`);
      if (snapshot.primary) lines.push(describeWindow('primary', snapshot.primary, nowMs));
      if (snapshot.secondary) lines.push(describeWindow('secondary', snapshot.secondary, nowMs));
      if (snapshot.credits) {
        const c = snapshot.credits;
        lines.push(`    credits: ${c.unlimited ? 'unlimited' : c.hasCredits ? `balance ${c.balance ?? 'unknown'}` : 'none'}`);
      }
    }
  }
  // A last guard: nothing shaped like a token leaves, whatever a file held.
  const secrets = [envToken, apiKey];
  return lines.map((line) => redactText(line, secrets));
}

/** `codex-rx status`. */
export async function runStatus(io: AccountIO): Promise<number> {
  io.stdout.write(`${(await statusLines(io.env)).join('\n')}\n`);
  return 0;
}
