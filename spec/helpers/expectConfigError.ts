import { ConfigError } from '../../src/errors.js';

/** `fn` throws a ConfigError whose message is `message` exactly, or matches it. */
export function expectConfigError(fn: () => unknown, message: string | RegExp): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(ConfigError);
  if (typeof message === 'string') expect((caught as Error).message).toBe(message);
  else expect((caught as Error).message).toMatch(message);
}
