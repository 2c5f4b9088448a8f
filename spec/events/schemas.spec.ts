import {
  ErrorEventSchema,
  FunctionCallArgumentsDoneEventSchema,
  OutputItemDoneEventSchema,
  OutputTextDeltaEventSchema,
  ReasoningSummaryTextDeltaEventSchema,
  ResponseCompletedEventSchema,
  isKnownResponseEventType,
  isResponseEventOfType,
  responseEventSchemas,
  type ResponseStreamEvent,
} from '../../src/events/schemas.js';
import { fastPaths } from '../../src/events/responseEvents.js';

describe('event schemas', () => {
  it('defaults missing indices to 0 and text to "" (as_i64 / as_str defaults), null read as missing', () => {
    expect(OutputTextDeltaEventSchema.parse({ type: 'response.output_text.delta' })).toEqual({
      type: 'response.output_text.delta',
      item_id: '',
      output_index: 0,
      content_index: 0,
      delta: '',
    });
    expect(
      ReasoningSummaryTextDeltaEventSchema.parse({ type: 'response.reasoning_summary_text.delta', output_index: null, summary_index: 2 }),
    ).toMatchObject({
      output_index: 0,
      summary_index: 2,
      delta: '',
    });
  });

  it('keeps fields it does not read (sequence_number, obfuscation, logprobs)', () => {
    const event = {
      type: 'response.output_text.delta',
      sequence_number: 7,
      item_id: 'msg_1',
      output_index: 1,
      content_index: 0,
      delta: 'hé',
      logprobs: [],
      obfuscation: 'x1y2',
    };
    expect(OutputTextDeltaEventSchema.parse(event)).toEqual(event);
  });

  it('rejects wrongly typed fields instead of defaulting them', () => {
    const result = OutputTextDeltaEventSchema.safeParse({ type: 'response.output_text.delta', delta: 5, output_index: 'one' });
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((i) => i.path.join('.')).sort()).toEqual(['delta', 'output_index']);
    expect(OutputTextDeltaEventSchema.safeParse({ type: 'response.output_text.delta', output_index: 1.5 }).success).toBe(false);
  });

  it('response.output null and response null are tolerated', () => {
    expect(
      ResponseCompletedEventSchema.parse({ type: 'response.completed', response: { id: 'r', output: null, usage: null } }),
    ).toMatchObject({
      response: { id: 'r', output: null },
    });
    expect(ResponseCompletedEventSchema.safeParse({ type: 'response.completed', response: null }).success).toBe(true);
    expect(ResponseCompletedEventSchema.safeParse({ type: 'response.completed' }).success).toBe(true);
    expect(ResponseCompletedEventSchema.safeParse({ type: 'response.completed', response: { output: 'x' } }).success).toBe(false);
  });

  it('error events accept the flat and the nested shape; a numeric code becomes a string', () => {
    expect(ErrorEventSchema.parse({ type: 'error', code: 'server_error', message: 'boom', param: null })).toMatchObject({
      code: 'server_error',
      message: 'boom',
      param: null,
    });
    expect(
      ErrorEventSchema.parse({
        type: 'error',
        error: { type: 'usage_limit_reached', message: 'm', plan_type: 'plus', resets_at: 1, resets_in_seconds: 2 },
      }),
    ).toMatchObject({ error: { type: 'usage_limit_reached', plan_type: 'plus', resets_at: 1, resets_in_seconds: 2 } });
    expect(ErrorEventSchema.parse({ type: 'error', error: { code: 429 } }).error?.code).toBe('429');
  });

  it('reasoning items keep id and encrypted_content; function-call done keeps its optional fields absent', () => {
    expect(
      OutputItemDoneEventSchema.parse({
        type: 'response.output_item.done',
        output_index: 0,
        item: { type: 'reasoning', id: 'rs_1', encrypted_content: 'enc', summary: [] },
      }).item,
    ).toEqual({ type: 'reasoning', id: 'rs_1', encrypted_content: 'enc', summary: [] });
    const done = FunctionCallArgumentsDoneEventSchema.parse({ type: 'response.function_call_arguments.done', item_id: 'fc_1' });
    expect(done.arguments).toBeUndefined();
    expect(done.call_id).toBeUndefined();
  });

  it('has one schema per known type, looked up by type', () => {
    for (const [type, schema] of responseEventSchemas) {
      expect(isKnownResponseEventType(type)).toBe(true);
      // Every schema's literal matches its key: a minimal event of that type parses.
      expect(schema.safeParse({ type }).success).toBe(true);
      expect(schema.safeParse({ type: `${type}.other` }).success).toBe(false);
    }
    expect(isKnownResponseEventType('keepalive')).toBe(false);
  });

  it('isResponseEventOfType narrows the union', () => {
    const event: ResponseStreamEvent = { type: 'response.output_text.delta', item_id: '', output_index: 0, content_index: 0, delta: 'x' };
    if (isResponseEventOfType(event, 'response.output_text.delta')) {
      const delta: string = event.delta;
      expect(delta).toBe('x');
    } else {
      throw new Error('not narrowed');
    }
  });

  it('the typeof fast path accepts exactly what the schema would accept unchanged', () => {
    const samples: Record<string, unknown>[] = [];
    const values = [undefined, null, 0, 3, -1, 1.5, 'x', '', {}, 2 ** 53];
    for (const [type, guard] of fastPaths) {
      for (const delta of values) {
        for (const index of values) {
          for (const itemId of [undefined, 'id', 7]) {
            samples.push({ type, delta, item_id: itemId, output_index: index, content_index: 1, summary_index: 1, sequence_number: 4 });
            samples.push({ type, delta, item_id: itemId, output_index: 0, content_index: index, summary_index: index });
          }
        }
      }
      for (const sample of samples.filter((s) => s.type === type)) {
        const result = responseEventSchemas.get(type)!.safeParse(sample);
        if (guard(sample)) {
          // Accepted by the guard: the schema accepts it and its output equals the input.
          expect(result.success).toBe(true);
          expect(result.data).toEqual(Object.fromEntries(Object.entries(sample).filter(([, v]) => v !== undefined)));
        }
      }
    }
    // And the guard is not vacuous.
    expect(samples.filter((s) => fastPaths.get(s.type as never)!(s)).length).toBeGreaterThan(0);
  });
});
