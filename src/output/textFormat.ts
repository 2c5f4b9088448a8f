import type { z } from 'zod';
import { zodToJsonSchema } from '../agent/schema.js';

/** The request's `text.format` for structured output. */
export interface JsonSchemaTextFormat {
  type: 'json_schema';
  name: string;
  schema: Record<string, unknown>;
  strict: boolean;
}

/**
 * The JSON Schema keywords the backend's strict mode accepts. A schema using any other (say
 * `minLength`, `default`, `propertyNames`) is sent without `strict`, so the request is not refused.
 */
const STRICT_KEYWORDS: ReadonlySet<string> = new Set([
  'type',
  'properties',
  'required',
  'additionalProperties',
  'items',
  'enum',
  'const',
  'anyOf',
  'description',
  'title',
  '$ref',
  '$defs',
  'definitions',
  'pattern',
  'format',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'minItems',
  'maxItems',
]);

/**
 * `text.format` for a zod schema: `{ type: 'json_schema', name, schema, strict }`.
 *
 * - `name` is the schema's `title` (zod's `.meta({ title })`), reduced to the characters the
 *   backend accepts, else `output`.
 * - `strict` is true when strict mode can hold the schema: its root is an object, every object
 *   lists all of its properties as required (no `.optional()`, no `.default()`), none allows
 *   extra properties, and it uses only the keywords strict mode supports. Every object is then
 *   sent with `additionalProperties: false`, which strict mode requires (zod objects drop
 *   unknown keys anyway, so it changes nothing in what validates). Otherwise the schema is sent
 *   as it is, with `strict: false`: the model is guided by it, and the answer is still checked.
 */
export function jsonSchemaTextFormat(schema: z.ZodType): JsonSchemaTextFormat {
  const json = zodToJsonSchema(schema, 'The output schema');
  const title = typeof json.title === 'string' ? json.title.replace(/[^a-zA-Z0-9_-]/g, '_').slice(0, 64) : '';
  const name = title === '' ? 'output' : title;
  if (json.type === 'object' && strictCompatible(json))
    return { type: 'json_schema', name, schema: closeObjects(json) as Record<string, unknown>, strict: true };
  return { type: 'json_schema', name, schema: json, strict: false };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** True when every node fits strict mode (see {@link jsonSchemaTextFormat}). */
function strictCompatible(node: unknown): boolean {
  if (Array.isArray(node)) return node.every(strictCompatible);
  if (!isRecord(node)) return true;
  for (const key of Object.keys(node)) if (!STRICT_KEYWORDS.has(key)) return false;
  if (node.additionalProperties !== undefined && node.additionalProperties !== false) return false;
  if (isRecord(node.properties)) {
    const required = Array.isArray(node.required) ? node.required : [];
    if (!Object.keys(node.properties).every((key) => required.includes(key))) return false;
    if (!Object.values(node.properties).every(strictCompatible)) return false;
  }
  for (const key of ['items', 'anyOf', '$defs', 'definitions'] as const) {
    const child = node[key];
    if (child === undefined) continue;
    if (key === '$defs' || key === 'definitions') {
      if (!isRecord(child) || !Object.values(child).every(strictCompatible)) return false;
    } else if (!strictCompatible(child)) {
      return false;
    }
  }
  return true;
}

/** A copy with `additionalProperties: false` on every object schema. */
function closeObjects(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(closeObjects);
  if (!isRecord(node)) return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'enum' || key === 'const') out[key] = value;
    else if (key === 'properties' || key === '$defs' || key === 'definitions') {
      out[key] = Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, closeObjects(v)]));
    } else out[key] = closeObjects(value);
  }
  if (node.type === 'object' || isRecord(node.properties)) out.additionalProperties = false;
  return out;
}
