import { TestScheduler } from 'rxjs/testing';
import { ConnectionError, retryWithBackoff } from '../src/index.js';

// The README's marble example, kept honest.
it('README retry example: 1 s, then 2 s, then the error', () => {
  const testScheduler = new TestScheduler((actual, expected) => {
    expect(actual).toEqual(expected);
    const error = actual.find((n: { notification: { kind: string } }) => n.notification.kind === 'E');
    expect(error.notification.error).toBeInstanceOf(ConnectionError);
  });
  testScheduler.run(({ cold, expectObservable }) => {
    const source = cold('#', {}, new ConnectionError('reset'));
    expectObservable(source.pipe(retryWithBackoff({ maxRetries: 2, jitter: false }, testScheduler))).toBe(
      '3000ms #',
      {},
      new ConnectionError('reset'),
    );
  });
});
