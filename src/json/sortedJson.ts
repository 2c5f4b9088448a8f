/**
 * JSON with every object's keys sorted by code point, as serde_json writes a `Value` (its objects
 * are BTreeMaps): the request's tool arguments, results and schemas, and the auth file.
 */
import { ConfigError } from '../errors.js';

/**
 * Compares two strings by Unicode code point (the order of their UTF-8 bytes, which is how Rust
 * orders `String`s). Plain `<` compares UTF-16 units, which puts U+E000–U+FFFF after astral
 * characters; the fix-up only runs at the first differing unit.
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (D800–DFFF) encode code points above FFFF: move them above E000–FFFF.
    if (x >= 0xd800) x = x <= 0xdfff ? x + 0x2000 : x - 0x800;
    if (y >= 0xd800) y = y <= 0xdfff ? y + 0x2000 : y - 0x800;
    return x - y;
  }
  return a.length - b.length;
}

function notSerializable(what: string, path: string): ConfigError {
  return new ConfigError(
    `${path} is not JSON-serialisable: ${what}. Use only JSON values in it (objects, arrays, strings, finite numbers, booleans, null).`,
  );
}

/** The value JSON.stringify would serialize: `toJSON()` applied, boxed primitives unwrapped. */
function jsonView(value: unknown, key: string): unknown {
  if (value !== null && typeof value === 'object') {
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') value = toJSON.call(value, key);
    if (value instanceof Number || value instanceof String || value instanceof Boolean) value = value.valueOf();
  } else if (typeof value === 'bigint') {
    const toJSON = (Object(value) as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') value = toJSON.call(value, key);
  }
  return value;
}

/**
 * `JSON.stringify(value, null, indent)` with every object's keys sorted by code point, as
 * serde_json writes a `Value` (BTreeMap objects). JSON.stringify's rules otherwise: `toJSON`,
 * skipped undefined/function/symbol members, non-finite numbers as `null`. A top-level value
 * JSON.stringify would drop (undefined, a function) gives `null`, as a serde `Value` always
 * serializes to something. Circular structures and BigInt throw a ConfigError naming `path`.
 * @param value Any JSON-like value.
 * @param path Where the value sits, for error messages.
 * @param indent Spaces per level for pretty output (serde_json's `to_string_pretty` uses 2).
 * @default indent 0 (compact)
 * @return The JSON text.
 */
export function sortedJsonStringify(value: unknown, path = 'value', indent = 0): string {
  const stack: object[] = [];
  const write = (input: unknown, key: string, margin: string): string | undefined => {
    const v = jsonView(input, key);
    if (v === null) return 'null';
    switch (typeof v) {
      case 'string':
        return JSON.stringify(v);
      case 'number':
        return Number.isFinite(v) ? JSON.stringify(v) : 'null';
      case 'boolean':
        return v ? 'true' : 'false';
      case 'bigint':
        throw notSerializable('BigInt', path);
      case 'object':
        break;
      default:
        return undefined;
    }
    const obj = v;
    if (stack.includes(obj)) throw notSerializable('circular structure', path);
    stack.push(obj);
    const inner = indent > 0 ? `${margin}${' '.repeat(indent)}` : '';
    const parts: string[] = [];
    if (Array.isArray(obj)) {
      for (let i = 0; i < obj.length; i++) parts.push(write(obj[i], String(i), inner) ?? 'null');
    } else {
      const record = obj as Record<string, unknown>;
      const colon = indent > 0 ? ': ' : ':';
      for (const k of Object.keys(record).sort(compareCodePoints)) {
        const member = write(record[k], k, inner);
        if (member !== undefined) parts.push(`${JSON.stringify(k)}${colon}${member}`);
      }
    }
    stack.pop();
    const [open, close] = Array.isArray(obj) ? ['[', ']'] : ['{', '}'];
    if (parts.length === 0) return `${open}${close}`;
    if (indent === 0) return `${open}${parts.join(',')}${close}`;
    return `${open}\n${inner}${parts.join(`,\n${inner}`)}\n${margin}${close}`;
  };
  return write(value, '', '') ?? 'null';
}

/**
 * A plain JSON copy of `value` whose objects have their keys inserted in code-point order, so
 * JSON.stringify writes them sorted as serde_json would, for a value embedded in a larger body.
 * (JavaScript always writes integer-like keys such as `"10"` first, in numeric order; only
 * `sortedJsonStringify` can sort those.)
 * @param value Any JSON-like value.
 * @param path Where the value sits, for error messages.
 * @return The sorted copy (`undefined` for what JSON.stringify drops).
 */
export function sortedJsonValue(value: unknown, path = 'value'): unknown {
  const v = jsonView(value, '');
  if (v === undefined || typeof v === 'function' || typeof v === 'symbol') return undefined;
  // JSON.parse keeps the written key order, so the copy is as sorted as an object can be.
  return JSON.parse(sortedJsonStringify(value, path)) as unknown;
}
