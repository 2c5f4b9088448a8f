/** The client's upload link the mock can stand in for: payloads queue on it, each taking bytes / speed. */
import { performance } from 'node:perf_hooks';
import { sleep } from './play.js';

export class Uplink {
  readonly #bytesPerSecond: number | undefined;
  /** When the link has sent everything queued so far (`performance.now()` time). */
  #freeAt = 0;

  constructor(bytesPerSecond: number | undefined) {
    this.#bytesPerSecond = bytesPerSecond;
  }

  /**
   * A payload of `bytes` was received now: when it would have been uploaded (`performance.now()`
   * time; now at loopback speed). It waits for what is queued before it, then takes bytes / speed.
   */
  uploadedAt(bytes: number): number {
    const now = performance.now();
    if (this.#bytesPerSecond === undefined) return now;
    this.#freeAt = Math.max(now, this.#freeAt) + (bytes * 1000) / this.#bytesPerSecond;
    return this.#freeAt;
  }
}

/** Waits until `at` (a `performance.now()` time), or until `signal` aborts. */
export function sleepUntil(at: number, signal: AbortSignal): Promise<void> {
  return sleep(at - performance.now(), signal);
}
