/**
 * Peer parsers measured on the same chunks: eventsource-parser alone, eventsource-parser inside a
 * minimal RxJS operator (to separate Rx's per-chunk cost from ours), and openai-node's
 * `Stream.fromSSEResponse`.
 */
import { createParser } from 'eventsource-parser';
import { Observable, from, takeWhile, type OperatorFunction } from 'rxjs';
import { Stream } from 'openai/streaming';
import { WireAccumulator, type Extracted } from './handLoop.js';

/** eventsource-parser + TextDecoder + JSON.parse + the same switch. */
export function eventsourceParser(chunks: readonly Uint8Array[]): Extracted {
  const acc = new WireAccumulator();
  const decoder = new TextDecoder();
  let stop = false;
  const parser = createParser({
    onEvent(msg) {
      if (!stop && msg.data !== '[DONE]') stop = acc.handle(JSON.parse(msg.data));
    },
  });
  for (let i = 0; i < chunks.length && !stop; i++) parser.feed(decoder.decode(chunks[i], { stream: true }));
  return acc.result();
}

/** The minimal Rx bridge: one operator around eventsource-parser that emits parsed JSON. */
function esJson(): OperatorFunction<Uint8Array, { type?: unknown; [k: string]: unknown }> {
  return (source) =>
    new Observable((subscriber) => {
      const decoder = new TextDecoder();
      const parser = createParser({
        onEvent(msg) {
          if (msg.data !== '[DONE]') subscriber.next(JSON.parse(msg.data));
        },
      });
      return source.subscribe({
        next(chunk) {
          try {
            parser.feed(decoder.decode(chunk, { stream: true }));
          } catch (e) {
            subscriber.error(e);
          }
        },
        error: (e) => subscriber.error(e),
        complete: () => subscriber.complete(),
      });
    });
}

/** eventsource-parser + JSON.parse inside an RxJS pipeline (`from(chunks)`, synchronous). */
export function rxEventsourceParser(chunks: readonly Uint8Array[]): Extracted {
  const acc = new WireAccumulator();
  // takeWhile stops (and unsubscribes from the source) at the terminal event.
  from(chunks)
    .pipe(
      esJson(),
      takeWhile((ev) => !acc.handle(ev)),
    )
    .subscribe();
  return acc.result();
}

/** A `ReadableStream` that hands out the chunks one `pull` at a time, as a network body does. */
export function readableOf(chunks: readonly Uint8Array[]): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i < chunks.length) controller.enqueue(chunks[i++]!);
      else controller.close();
    },
  });
}

/** openai-node 6: `Stream.fromSSEResponse(new Response(body))`, iterated with `for await`. */
export async function openaiNode(chunks: readonly Uint8Array[]): Promise<Extracted> {
  const acc = new WireAccumulator();
  const controller = new AbortController();
  const response = new Response(readableOf(chunks), { headers: { 'content-type': 'text/event-stream' } });
  const stream = Stream.fromSSEResponse<{ type?: unknown; [k: string]: unknown }>(response, controller);
  for await (const ev of stream) {
    if (acc.handle(ev)) break;
  }
  return acc.result();
}
