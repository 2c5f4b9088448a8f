import { TestScheduler } from 'rxjs/testing';

/**
 * Jest's `toEqual` compares only the `message` of Errors, so a marble assertion would accept an
 * error of the wrong class (or with the wrong status). Like rxjs `spec/helpers/observableMatcher.ts`,
 * normalise errors to plain objects (class name + own fields) before comparing.
 */
function normalise(value: unknown): unknown {
  if (value instanceof Error) {
    const fields: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(value)) fields[key] = normalise(field);
    return { class: value.constructor.name, message: value.message, ...fields };
  }
  if (Array.isArray(value)) return value.map(normalise);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(value)) out[key] = normalise(field);
    return out;
  }
  return value;
}

/** A TestScheduler whose assertions compare errors by class and fields, not only by message. */
export function createTestScheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => {
    expect(normalise(actual)).toEqual(normalise(expected));
  });
}
