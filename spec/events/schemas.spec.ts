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
import fc from 'fast-check';
import { ProtocolError } from '../../src/errors.js';
import { fastPaths, parseResponseEvent } from '../../src/events/responseEvents.js';
import { propertyParameters } from '../helpers/property.js';

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
  describe('the fast paths of the output-item events', () => {
    const itemEventTypes = [
      'response.output_text.done',
      'response.reasoning_text.done',
      'response.reasoning_summary_text.done',
      'response.function_call_arguments.done',
      'response.output_item.added',
      'response.output_item.done',
    ] as const;
    // Values each field may take: mostly of its type, else a wrong type, null, or (as undefined) absent.
    const scalar = fc.constantFrom<unknown>(undefined, null, 0, 2, -1, 1.5, 2 ** 53, 'x', '', true, [], {});
    const string = fc.oneof({ arbitrary: fc.string({ maxLength: 3 }), weight: 4 }, { arbitrary: scalar, weight: 1 });
    const index = fc.oneof({ arbitrary: fc.nat(5), weight: 4 }, { arbitrary: scalar, weight: 1 });
    const item = fc.oneof(
      { arbitrary: scalar, weight: 1 },
      {
        arbitrary: fc.record({ type: string, id: string, call_id: string, name: string, encrypted_content: string, status: scalar }),
        weight: 4,
      },
    );
    const event = (type: string) =>
      fc.record({
        type: fc.constant(type),
        item_id: string,
        output_index: index,
        content_index: index,
        summary_index: index,
        text: string,
        arguments: string,
        call_id: string,
        name: string,
        item,
        sequence_number: scalar,
      });
    // JSON has no undefined: a field is there with a value, or absent.
    const withoutUndefined = (o: unknown): unknown =>
      typeof o === 'object' && o !== null && !Array.isArray(o)
        ? Object.fromEntries(
            Object.entries(o)
              .filter(([, v]) => v !== undefined)
              .map(([k, v]) => [k, withoutUndefined(v)]),
          )
        : o;

    it.each(itemEventTypes)('%s: what the check accepts, the schema accepts and leaves exactly as it was', (type) => {
      const guard = fastPaths.get(type)!;
      const schema = responseEventSchemas.get(type)!;
      let accepted = 0;
      let rejectedButValid = 0;
      fc.assert(
        fc.property(event(type).map(withoutUndefined), (sample) => {
          const payload = sample as Record<string, unknown>;
          const result = schema.safeParse(payload);
          if (guard(payload)) {
            accepted++;
            expect(result.success).toBe(true);
            expect(result.data).toStrictEqual(payload);
          } else if (result.success) {
            rejectedButValid++;
          }
        }),
        propertyParameters({ numRuns: 2000 }),
      );
      // Both paths are taken: the check is neither vacuous nor all-accepting.
      expect(accepted).toBeGreaterThan(0);
      expect(rejectedButValid).toBeGreaterThan(0);
    });

    it('parseResponseEvent returns a valid event itself, and what zod made of any other', () => {
      const message = { type: 'response.output_item.added', output_index: 1, item: { type: 'message', id: 'm', status: 'in_progress' } };
      expect(parseResponseEvent(message)).toBe(message);
      const call = { type: 'response.function_call_arguments.done', item_id: 'fc', output_index: 2, arguments: '{}', sequence_number: 9 };
      expect(parseResponseEvent(call)).toBe(call);
      const text = { type: 'response.output_text.done', item_id: 'm', output_index: 1, content_index: 0, text: 'hi' };
      expect(parseResponseEvent(text)).toBe(text);
      // A reasoning item's encrypted_content: null is read as absent, so it goes through zod.
      const reasoning = {
        type: 'response.output_item.done',
        output_index: 0,
        item: { type: 'reasoning', id: 'rs', encrypted_content: null },
      };
      const parsed = parseResponseEvent(reasoning);
      expect(parsed).not.toBe(reasoning);
      expect(parsed).toStrictEqual({
        type: 'response.output_item.done',
        output_index: 0,
        item: { type: 'reasoning', id: 'rs', encrypted_content: undefined },
      });
      // A missing index is filled in by zod.
      expect(parseResponseEvent({ type: 'response.output_text.done', item_id: 'm', text: 'hi' })).toStrictEqual({
        type: 'response.output_text.done',
        item_id: 'm',
        output_index: 0,
        content_index: 0,
        text: 'hi',
      });
      // A wrong type is still a ProtocolError.
      expect(() => parseResponseEvent({ type: 'response.function_call_arguments.done', item_id: 'fc', output_index: 0, name: 3 })).toThrow(
        ProtocolError,
      );
    });
  });
});
