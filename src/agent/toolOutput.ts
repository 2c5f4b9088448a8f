import { defaultIfEmpty, from, isObservable, of, takeLast, type Observable } from 'rxjs';

/**
 * What `execute` returned, as an Observable of one value: an Observable's last value (or
 * `undefined` when it completes empty), a promise's value, or the value itself (synchronously,
 * so marble tests see it on the frame the call starts).
 */
export function toolOutput<O>(returned: O | PromiseLike<O> | Observable<O>): Observable<O | undefined> {
  if (isObservable(returned)) return returned.pipe(takeLast(1), defaultIfEmpty(undefined));
  if (isPromiseLike(returned)) return from(Promise.resolve(returned));
  return of(returned);
}

function isPromiseLike<O>(value: O | PromiseLike<O>): value is PromiseLike<O> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}
