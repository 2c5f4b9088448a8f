/**
 * Marble-test matcher that compares errors by class and fields, not only by message (jest's
 * `toEqual` looks at an Error's message alone).
 */

function normalise(value: unknown, ancestors = new Set<unknown>()): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (ancestors.has(value)) return '[circular]';
  ancestors.add(value);
  try {
    return normaliseObject(value, ancestors);
  } finally {
    ancestors.delete(value);
  }
}

function normaliseObject(value: object, seen: Set<unknown>): unknown {
  if (value instanceof Error) {
    const fields: Record<string, unknown> = { errorClass: value.constructor.name, message: value.message };
    for (const [key, field] of Object.entries(value)) {
      if (field !== undefined && key !== 'stack') fields[key] = normalise(field, seen);
    }
    return fields;
  }
  if (Array.isArray(value)) return value.map((item) => normalise(item, seen));
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) out[key] = normalise(field, seen);
  return out;
}

export function observableMatcher(actual: unknown, expected: unknown): void {
  expect(normalise(actual)).toEqual(normalise(expected));
}

export { normalise as normaliseErrors };
