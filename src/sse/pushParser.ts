import { ignoreElements, Observable, tap, type OperatorFunction, type Subscriber } from 'rxjs';

/** A parser fed one value at a time; it writes what it finds to the output it was created with. */
export interface PushParser<In> {
  /** Takes one input value; may throw, which errors the stream. */
  feed(input: In): void;
  /** The source completed: write what is left. May throw, which errors the stream. */
  end(): void;
  /**
   * Called with the error the stream is about to end with (the source's, or a throw from `feed`
   * or `end`), to add to it in place: the same error is passed on.
   */
  annotate?(error: unknown): void;
}

/**
 * An operator around a push parser, one parser per subscription: `create(output)` builds it, the
 * source's values are fed to it, and whatever it writes to `output` (with `output.next`,
 * synchronously, from inside `feed` or `end`) is emitted in the same tick. When the source
 * completes, `end` runs and the output completes. The parser may also complete `output` itself
 * (at a terminal event): the source is then unsubscribed at once, which cancels a body, and a
 * synchronous source pulls no further value. A parser should check `output.closed` before costly
 * work: it is true once the consumer unsubscribed, even in the middle of a chunk.
 *
 * The source is subscribed with `output` itself as the observer, so the `tap` that feeds the
 * parser is a subscription of `output`: closing `output` closes it, and `tap` turns a throw from
 * the parser or its callbacks into the stream's error.
 */
export function pushParser<In, Out>(create: (output: Subscriber<Out>) => PushParser<In>): OperatorFunction<In, Out> {
  return (source) =>
    new Observable<Out>((output) => {
      const parser = create(output);
      const annotated = (error: unknown): unknown => {
        parser.annotate?.(error);
        return error;
      };
      return source
        .pipe(
          tap({
            next: (value) => {
              try {
                parser.feed(value);
              } catch (error) {
                throw annotated(error);
              }
            },
            complete: () => {
              try {
                parser.end();
              } catch (error) {
                throw annotated(error);
              }
            },
            error: annotated,
          }),
          ignoreElements(),
        )
        .subscribe(output);
    });
}
