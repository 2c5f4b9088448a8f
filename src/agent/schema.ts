import { z } from 'zod';
import { ConfigError } from '../errors.js';

/*
 * zod 4 schemas as JSON Schema for the wire, and their issues as one line for the model.
 */

/** True for a zod 4 schema (from any copy of zod: the `_zod` internals, not `instanceof`). */
export function isZodSchema(value: unknown): value is z.ZodType {
  return typeof value === 'object' && value !== null && typeof (value as { _zod?: unknown })._zod === 'object';
}

/** True for a zod 3 schema, which zod 4's converter cannot read. */
function isZod3Schema(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    !isZodSchema(value) &&
    typeof (value as { safeParse?: unknown }).safeParse === 'function' &&
    typeof (value as { _def?: unknown })._def === 'object'
  );
}

/**
 * The JSON Schema of what a zod schema accepts (its input side: fields with a default are
 * optional), without the `$schema` key.
 * @param schema A zod 4 schema.
 * @param where Where the schema sits, for the error message.
 * @return A plain JSON Schema object.
 * @throws {ConfigError} When the schema has parts JSON Schema cannot express (dates, transforms
 * without an input type, …).
 */
export function zodToJsonSchema(schema: z.ZodType, where: string): Record<string, unknown> {
  let json: Record<string, unknown>;
  try {
    json = z.toJSONSchema(schema, { io: 'input' });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError(
      `${where} cannot be expressed as JSON Schema (${reason}). Use types JSON can carry (for a date, z.iso.datetime() instead of z.date()).`,
      { cause: error },
    );
  }
  const { $schema: _drop, ...rest } = json;
  return rest;
}

/**
 * A tool's `parameters` as sent: a zod 4 schema is converted to JSON Schema; anything else is
 * returned as it is.
 * @throws {ConfigError} For a zod 3 schema or a schema JSON Schema cannot express.
 */
export function toolParametersSchema(parameters: unknown, where: string): unknown {
  if (isZodSchema(parameters)) return zodToJsonSchema(parameters, where);
  if (isZod3Schema(parameters)) {
    throw new ConfigError(
      `${where} is a zod 3 schema, which codex-rx cannot convert. Pass a zod 4 schema (import { z } from 'zod') or a JSON Schema object.`,
    );
  }
  return parameters;
}

/**
 * Schema issues as one line: `path: message; path: message`, the root path shown as `(root)`,
 * at most `limit` issues and then how many more there were.
 */
export function summarizeIssues(issues: readonly z.core.$ZodIssue[], limit = 5): string {
  const shown = issues.slice(0, limit).map((issue) => {
    const path = issue.path.length === 0 ? '(root)' : issue.path.map((key) => String(key)).join('.');
    return `${path}: ${oneLine(issue.message)}`;
  });
  if (issues.length > limit) shown.push(`and ${issues.length - limit} more`);
  return shown.join('; ');
}

/** Collapses line breaks (and the spaces around them) into single spaces. */
export function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}
