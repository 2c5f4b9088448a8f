import { from, mergeMap, type Observable } from 'rxjs';
import { z } from 'zod';
import { toolOutput } from './toolOutput.js';
import { ToolInputError } from './toolInputError.js';
import { summarizeIssues, zodToJsonSchema } from './schema.js';
import type { ExecutableTool, ToolContext } from './types.js';

/** What {@link defineTool} takes. */
export interface ToolDefinition<S extends z.ZodType, O> {
  name: string;
  description: string;
  /** The input's schema: sent to the model as JSON Schema, and checked before `execute` runs. */
  input: S;
  execute(input: z.output<S>, ctx: ToolContext): O | PromiseLike<O> | Observable<O>;
}

/**
 * A tool from a zod schema: its `parameters` are the schema's JSON Schema, and every call's
 * input is parsed by the schema before `execute` sees it. Input that fails the schema never
 * reaches `execute`: the agent loop answers the model with the issues instead.
 *
 * ## Example
 * ```ts
 * import { defineTool } from 'codex-rx';
 * import { z } from 'zod';
 *
 * const add = defineTool({
 *   name: 'add',
 *   description: 'Adds two numbers',
 *   input: z.object({ a: z.number(), b: z.number() }),
 *   execute: ({ a, b }) => a + b,
 * });
 * ```
 *
 * @param definition The name, description, input schema and `execute`.
 * @return An {@link ExecutableTool} whose input type is the schema's output type.
 * @throws {ConfigError} When the schema has parts JSON Schema cannot express.
 */
export function defineTool<S extends z.ZodType, O>(definition: ToolDefinition<S, O>): ExecutableTool<z.output<S>, O> {
  const { name, description, input: schema } = definition;
  // Called through the definition, so an `execute` written as a method keeps its `this`.
  const execute = (input: z.output<S>, ctx: ToolContext) => definition.execute(input, ctx);
  const parameters = zodToJsonSchema(schema, `The input schema of tool "${name}"`);
  return {
    name,
    description,
    parameters,
    execute(input: unknown, ctx: ToolContext) {
      let parsed: z.ZodSafeParseResult<z.output<S>>;
      try {
        parsed = schema.safeParse(input);
      } catch (error) {
        // A schema with async refinements cannot parse synchronously: parse it asynchronously.
        if (!(error instanceof z.core.$ZodAsyncError)) throw error;
        return from(schema.safeParseAsync(input)).pipe(
          mergeMap((result) => toolOutput(execute(inputOrThrow(result, name), ctx))),
        ) as Observable<O>;
      }
      return execute(inputOrThrow(parsed, name), ctx);
    },
  };
}

/** The parsed input, or a {@link ToolInputError} listing the issues. */
function inputOrThrow<T>(parsed: z.ZodSafeParseResult<T>, name: string): T {
  if (parsed.success) return parsed.data;
  throw new ToolInputError(`Invalid input for tool "${name}": ${summarizeIssues(parsed.error.issues)}`);
}
