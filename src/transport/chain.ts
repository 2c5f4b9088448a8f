import { isDeepStrictEqual } from 'node:util';
import { messagesToInputItems, prepareCodexMessages, type InputItem } from '../request/convert.js';
import type { ResponseCreateBody } from '../request/buildRequest.js';
import type { ContentBlock } from '../types.js';

/**
 * What a connection remembers of its last completed request, so the next one can send only
 * what is new. The server keeps the response (`previous_response_id`) for the connection's
 * lifetime; a new connection starts without any.
 */
export interface Chain {
  /** The request without its input, as compared JSON. */
  readonly fieldsKey: string;
  /** The full input of that request, then the response's output items. */
  readonly items: readonly InputItem[];
  readonly responseId: string;
}

/** The request's fields other than `input`, as one string: equal strings mean equal fields. */
export function fieldsKey(body: ResponseCreateBody): string {
  return JSON.stringify({ ...body, input: undefined });
}

/**
 * Whether two input items say the same. Compared as values, not as JSON text: the long strings
 * of a conversation (a pasted file, a tool's output) are the same string objects from one turn
 * to the next, so this costs a step per node, where serialising the history to compare it would
 * cost a step per byte, on every turn. A `function_call` item's `id` is left out: the request
 * builder gives every replayed call a fresh random id on each request, so the same call never
 * compares equal with it.
 */
function sameItem(a: InputItem, b: InputItem): boolean {
  if (a.type !== 'function_call' || b.type !== 'function_call') return isDeepStrictEqual(a, b);
  const { id: _a, ...restA } = a;
  const { id: _b, ...restB } = b;
  void _a;
  void _b;
  return isDeepStrictEqual(restA, restB);
}

/**
 * The chain after a completed response: its request's input followed by its output, converted
 * the way the request builder converts an assistant message holding the response's blocks
 * (which is what a caller appends to the conversation).
 */
export function chainAfter(body: ResponseCreateBody, responseId: string, blocks: readonly ContentBlock[]): Chain {
  const output = messagesToInputItems(prepareCodexMessages([{ role: 'assistant', content: [...blocks] }]));
  return { fieldsKey: fieldsKey(body), items: [...body.input, ...output], responseId };
}

/**
 * The `response.create` frame for a request. When every non-input field equals the chained
 * request's and the new input starts with the chained input and output, only the items after
 * them are sent, with `previous_response_id`; otherwise (or when nothing would be new) the full
 * request. `json` gives the body as JSON; it is called only for a full request.
 */
export function createFrame(
  body: ResponseCreateBody,
  json: () => string,
  chain: Chain | undefined,
): { text: string; incremental: boolean } {
  if (chain !== undefined && body.input.length > chain.items.length && fieldsKey(body) === chain.fieldsKey) {
    const prefix = chain.items;
    let same = true;
    for (let i = 0; i < prefix.length && same; i++) same = sameItem(body.input[i]!, prefix[i]!);
    if (same) {
      const frame = { type: 'response.create', ...body, input: body.input.slice(prefix.length), previous_response_id: chain.responseId };
      return { text: JSON.stringify(frame), incremental: true };
    }
  }
  return { text: fullFrame(json()), incremental: false };
}

/** The full request as a `response.create` frame, from the body's JSON (no second serialisation). */
export function fullFrame(json: string): string {
  return json === '{}' ? '{"type":"response.create"}' : `{"type":"response.create",${json.slice(1)}`;
}
