/**
 * A turn with many output items must cost no more per event than the same events in one item:
 * the reducer's state per item may not make each event dearer. Two transcripts with the same
 * events, in the same order: one spreads them over `items` messages (each `output_item.added`,
 * `deltas` text deltas, `output_text.done`, `output_item.done`), the other gives every event
 * output index 0 and one item id. Each is timed against the hand loop in the same rounds, so the
 * ratio of the two ratios cancels the machine's load.
 */
import { handLoop } from './handLoop.js';
import { runInterleaved, type MethodResult } from './harness.js';
import { runOperator } from './pipeline.js';
import { chunk } from './transcript.js';
import type { OperatorFunction } from 'rxjs';
import type { CodexEvent } from '../src/types.js';

/** One of the two transcripts. */
export interface ItemsTranscript {
  bytes: Uint8Array;
  events: number;
  text: string;
  reasoning: string;
  toolArgs: string[];
}

const TOKENS = [' the', ' stream', ' café', ' 東京', ' 😀', ' returns', '\n', ' x'];

/** `items` messages of `deltas` text deltas each, or (`oneItem`) the same events for one item. */
export function generateItemsTranscript(items: number, deltas: number, oneItem: boolean): ItemsTranscript {
  let body = '';
  let text = '';
  let events = 0;
  let seq = 0;
  const emit = (event: Record<string, unknown> & { type: string }): void => {
    body += `event: ${event.type}\ndata: ${JSON.stringify({ ...event, sequence_number: seq++ })}\n\n`;
    events += 1;
  };
  emit({ type: 'response.created', response: { id: 'resp_items', status: 'in_progress', output: [], usage: null } });
  for (let i = 0; i < items; i++) {
    const output_index = oneItem ? 0 : i;
    const id = oneItem ? 'msg_0' : `msg_${i}`;
    const item = { id, type: 'message', status: 'in_progress', role: 'assistant', content: [] };
    emit({ type: 'response.output_item.added', output_index, item });
    let itemText = '';
    for (let d = 0; d < deltas; d++) {
      const delta = TOKENS[(i + d) % TOKENS.length]!;
      itemText += delta;
      emit({ type: 'response.output_text.delta', item_id: id, output_index, content_index: 0, delta, logprobs: [], obfuscation: 'ab' });
    }
    text += itemText;
    emit({ type: 'response.output_text.done', item_id: id, output_index, content_index: 0, text: itemText, logprobs: [] });
    emit({ type: 'response.output_item.done', output_index, item: { ...item, status: 'completed' } });
  }
  emit({
    type: 'response.completed',
    response: { id: 'resp_items', status: 'completed', output: [], usage: { input_tokens: 1, output_tokens: 1 } },
  });
  return { bytes: new TextEncoder().encode(body), events, text, reasoning: '', toolArgs: [] };
}

/** What {@link benchManyItems} measured. */
export interface ManyItemsResult {
  items: number;
  deltas: number;
  events: number;
  many: { hand: MethodResult; pipeline: MethodResult };
  one: { hand: MethodResult; pipeline: MethodResult };
  /** Pipeline time per event with many items over that with one item (each against the hand loop). */
  ratio: number;
}

export async function benchManyItems(
  op: () => OperatorFunction<Uint8Array, CodexEvent>,
  o: { items: number; deltas: number; rounds: number; warmup: number; gcBetweenRuns?: boolean },
): Promise<ManyItemsResult> {
  const time = async (t: ItemsTranscript) => {
    const [hand, pipeline] = await runInterleaved(
      [
        { name: 'hand loop', run: handLoop },
        { name: 'parseResponseStream()', run: (c) => runOperator(op(), c) },
      ],
      chunk(t.bytes, 16384),
      t,
      { rounds: o.rounds, warmup: o.warmup, bytes: t.bytes.length, gcBetweenRuns: o.gcBetweenRuns },
    );
    return { hand: hand!, pipeline: pipeline! };
  };
  const manyT = generateItemsTranscript(o.items, o.deltas, false);
  const many = await time(manyT);
  const one = await time(generateItemsTranscript(o.items, o.deltas, true));
  return { items: o.items, deltas: o.deltas, events: manyT.events, many, one, ratio: many.pipeline.ratio / one.pipeline.ratio };
}
