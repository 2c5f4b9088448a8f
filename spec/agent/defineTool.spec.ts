import { lastValueFrom, of, toArray } from 'rxjs';
import { z } from 'zod';
import { buildRequestBody } from '../../src/request/buildRequest.js';
import { defineTool } from '../../src/agent/defineTool.js';
import { expectConfigProblem } from '../helpers/configMessage.js';
import type { ExecutableTool, ToolContext } from '../../src/agent/types.js';
import type { Tool } from '../../src/types.js';

const ctx: ToolContext = { callId: 'call_1', step: 1, signal: new AbortController().signal };

describe('defineTool', () => {
  const readInput = z.object({ path: z.string().describe('Relative path'), lines: z.number().int().default(100) });
  const read = defineTool({
    name: 'read_file',
    description: 'Reads a file',
    input: readInput,
    execute: ({ path, lines }) => `${path}:${lines}`,
  });

  it('derives parameters from the schema: JSON Schema of what the model may send, without $schema', () => {
    expect(read.parameters).toEqual({
      type: 'object',
      properties: {
        path: { type: 'string', description: 'Relative path' },
        lines: { type: 'integer', default: 100, minimum: expect.any(Number), maximum: expect.any(Number) },
      },
      required: ['path'],
    });
    expect(read).toMatchObject({ name: 'read_file', description: 'Reads a file' });
  });

  it('parses the input with the schema before execute: defaults applied', () => {
    // The model may leave out a field that has a default: the schema fills it in.
    expect(read.execute({ path: 'a.ts' } as z.output<typeof readInput>, ctx)).toBe('a.ts:100');
  });

  it('throws (for the loop to answer) when the input fails the schema, without running execute', () => {
    let ran = false;
    const t = defineTool({
      name: 't',
      description: '',
      input: z.object({ n: z.number() }),
      execute: () => (ran = true),
    });
    expect(() => t.execute({ n: 'x' } as never, ctx)).toThrow(
      'Invalid input for tool "t": n: Invalid input: expected number, received string',
    );
    expect(ran).toBe(false);
  });

  it('parses a schema with async refinements asynchronously', async () => {
    const t = defineTool({
      name: 't',
      description: '',
      input: z.object({ n: z.number() }).refine(async ({ n }) => n > 0, 'n must be positive'),
      execute: ({ n }) => of(n, n * 2),
    });
    const ok = t.execute({ n: 2 }, ctx);
    await expect(lastValueFrom(ok as never)).resolves.toBe(4);
    await expect(lastValueFrom((t.execute({ n: -1 }, ctx) as never as ReturnType<typeof of>).pipe(toArray()))).rejects.toThrow(
      'Invalid input for tool "t": (root): n must be positive',
    );
  });

  it('rejects a schema JSON Schema cannot express, saying what to use instead', () => {
    const error = expectConfigProblem(
      () => defineTool({ name: 'when', description: '', input: z.object({ at: z.date() }), execute: () => 1 }),
      'The input schema of tool "when" cannot be expressed as JSON Schema (Date cannot be represented in JSON Schema)',
    );
    expect(error.message).toContain('z.iso.datetime()');
  });

  it('infers the input type from the schema (type-checked)', () => {
    const t = defineTool({
      name: 't',
      description: '',
      input: z.object({ path: z.string(), n: z.number().optional() }),
      execute: (input) => {
        const path: string = input.path;
        const n: number | undefined = input.n;
        // @ts-expect-error: the schema has no such field
        void input.missing;
        // @ts-expect-error: path is a string
        const wrong: number = input.path;
        return { path, n, wrong };
      },
    });
    const typed: ExecutableTool<{ path: string; n?: number | undefined }, { path: string; n: number | undefined; wrong: number }> = t;
    // @ts-expect-error: execute takes the schema's type
    expect(() => typed.execute({ path: 1 }, ctx)).toThrow(/path: Invalid input/);
    expect(typed.name).toBe('t');
  });
});

describe('tool parameters on the wire', () => {
  const body = (tools: Tool[]) =>
    buildRequestBody({ model: 'gpt-5.5' }, [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }], tools, 's');

  it('converts a zod schema given as a plain tool parameters to JSON Schema, never an object dump', () => {
    const wire = body([{ name: 'f', description: 'd', parameters: z.object({ q: z.string() }) }]).tools![0]!;
    expect(wire).toEqual({
      type: 'function',
      name: 'f',
      description: 'd',
      parameters: { additionalProperties: false, properties: { q: { type: 'string' } }, required: ['q'], type: 'object' },
    });
    expect(JSON.stringify(wire)).not.toContain('_zod');
  });

  it('sends a defineTool tool with its derived schema', () => {
    const t = defineTool({ name: 'f', description: 'd', input: z.object({ q: z.string() }), execute: () => 1 });
    expect(body([t]).tools![0]!.parameters).toEqual({
      additionalProperties: false,
      properties: { q: { type: 'string' } },
      required: ['q'],
      type: 'object',
    });
  });

  it('rejects a zod 3 schema with a ConfigError that says to pass zod 4 or JSON Schema', () => {
    const zod3Like = { _def: { typeName: 'ZodObject' }, safeParse: () => ({ success: true }) };
    const error = expectConfigProblem(
      () => body([{ name: 'f', description: 'd', parameters: zod3Like }]),
      'tools[0].parameters is a zod 3 schema, which codex-rx cannot convert',
    );
    expect(error.message).toMatch(/zod 4 schema.*JSON Schema/);
  });
});
