import { ConfigError } from '../../src/errors.js';

/**
 * A ConfigError message has two sentences: what is wrong, then what to change. This checks the
 * first is exactly `problem` and the second tells the caller what to do.
 */
export function expectProblemAndFix(message: string, problem: string): void {
  expect(message.slice(0, problem.length + 2)).toBe(`${problem}. `);
  expect(message.slice(problem.length + 2)).toMatch(/^(Set|Pass|Pick|Remove|Use|Did you mean) [^]*\.$/);
}

/** `fn` throws a ConfigError (class and code) whose message is `problem`, then what to change. */
export function expectConfigProblem(fn: () => unknown, problem: string): ConfigError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  return expectConfigErrorOf(caught, problem);
}

/** `run` rejects with a ConfigError (class and code) whose message is `problem`, then what to change. */
export async function expectConfigRejection(run: Promise<unknown>, problem: string): Promise<ConfigError> {
  let caught: unknown;
  try {
    await run;
  } catch (error) {
    caught = error;
  }
  return expectConfigErrorOf(caught, problem);
}

function expectConfigErrorOf(caught: unknown, problem: string): ConfigError {
  expect(caught).toBeInstanceOf(ConfigError);
  const error = caught as ConfigError;
  expect(error.code).toBe('ERR_CODEX_CONFIG');
  expectProblemAndFix(error.message, problem);
  return error;
}
