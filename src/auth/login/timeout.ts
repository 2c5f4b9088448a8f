import { asyncScheduler, merge, mergeMap, takeWhile, throwError, timer, type Observable } from 'rxjs';
import { AuthError } from '../../errors.js';
import type { ResolvedLoginOptions } from './options.js';
import type { LoginEvent } from './types.js';

/**
 * Ends a sign-in flow at its `logged-in` event, or with an `AuthError` once `timeoutMs` has
 * passed on the scheduler. Either way the flow is unsubscribed: its listener closes, its polling stops.
 */
export function endWithinTimeout(flow: Observable<LoginEvent>, options: ResolvedLoginOptions, what: string): Observable<LoginEvent> {
  const expired = timer(options.timeoutMs, options.scheduler ?? asyncScheduler).pipe(
    mergeMap(() =>
      throwError(
        () =>
          new AuthError(
            `Sign-in timed out: ${what} did not complete within ${Math.round(options.timeoutMs / 1000)} s. Run \`codex-rx login\` again` +
              (what.startsWith('the browser') ? ', or `codex-rx login --device` on a machine without a browser.' : '.'),
          ),
      ),
    ),
  );
  return merge(flow, expired).pipe(takeWhile((event) => event.type !== 'logged-in', true));
}
