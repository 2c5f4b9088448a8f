/** Promises a test awaits (a request count, a response's end, a socket close), with timeouts that never hold the process open. */
import { ConfigError } from '../../errors.js';
import { MAX_DELAY_MS } from './reply.js';

const DEFAULT_WAIT_TIMEOUT_MS = 5_000;

/** A promise that can also be settled from outside, with an optional unref'd timeout. */
export interface Waiter<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: Error): void;
}

export function waiter<T>(timeoutMs: number | undefined, describe: () => string, set: Set<Waiter<never>>, closed: boolean): Waiter<T> {
  const limit = checkWaitTimeout(timeoutMs);
  let resolveFn!: (value: T) => void;
  let rejectFn!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolveFn = res;
    rejectFn = rej;
  });
  // Timers are unref'd and cleared on settle, so a forgotten wait never holds the process open.
  const timer = setTimeout(() => w.reject(new Error(`mock Codex server: timed out after ${limit} ms ${describe()}`)), limit);
  timer.unref();
  const w: Waiter<T> = {
    promise,
    resolve(value) {
      clearTimeout(timer);
      set.delete(w as unknown as Waiter<never>);
      resolveFn(value);
    },
    reject(error) {
      clearTimeout(timer);
      set.delete(w as unknown as Waiter<never>);
      rejectFn(error);
    },
  };
  set.add(w as unknown as Waiter<never>);
  if (closed) w.reject(new Error(`mock Codex server: already closed (${describe()})`));
  return w;
}

function checkWaitTimeout(timeoutMs: number | undefined): number {
  if (timeoutMs === undefined) return DEFAULT_WAIT_TIMEOUT_MS;
  if (typeof timeoutMs !== 'number' || !Number.isFinite(timeoutMs) || timeoutMs < 0 || timeoutMs > MAX_DELAY_MS) {
    throw new ConfigError(
      `timeoutMs must be a number of milliseconds from 0 to ${MAX_DELAY_MS}, got ${String(timeoutMs)}. Set timeoutMs in that range, or leave it out for the default.`,
    );
  }
  return timeoutMs;
}
