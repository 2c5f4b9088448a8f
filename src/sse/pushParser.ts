import { defer, ignoreElements, merge, Observable, tap, type OperatorFunction, type Subscriber } from 'rxjs';

/** A parser fed one value at a time; it writes what it finds to the output it was created with. */
export interface PushParser<In> {
  /** Takes one input value; may throw, which errors the stream. */
  feed(input: In): void;
  /** The source completed: write what is left. May throw, which errors the stream. */
  end(): void;
}

/**
 * An operator around a push parser, one parser per subscription: `create(output)` builds it, the
 * source's values are fed to it, and whatever it writes to `output` (with `output.next`,
 * synchronously, from inside `feed` or `end`) is emitted in the same tick. When the source
 * completes, `end` runs and the output completes. A parser should check `output.closed` before
 * costly work: it is true once the consumer unsubscribed, even in the middle of a chunk.
 *
 * The input side is `tap`, not a hand-written subscribe, so that its subscriber is linked to
 * the downstream one through `merge`: an unsubscribe from inside an output's `next` (e.g. at the
 * terminal event) closes it, and a synchronous source pulls no further value. `tap` also turns a
 * throw from the parser or its callbacks into the stream's error. The output side is subscribed
 * first, so the parser exists before the first value arrives.
 */
export function pushParser<In, Out>(create: (output: Subscriber<Out>) => PushParser<In>): OperatorFunction<In, Out> {
  return (source) =>
    defer(() => {
      let output!: Subscriber<Out>;
      let parser!: PushParser<In>;
      const outputs = new Observable<Out>((subscriber) => {
        output = subscriber;
        parser = create(subscriber);
      });
      const input = source.pipe(
        tap({
          next: (value) => parser.feed(value),
          complete: () => {
            parser.end();
            output.complete();
          },
        }),
        ignoreElements(),
      );
      return merge(outputs, input);
    });
}
