/**
 * A ConfigError message has two sentences: what is wrong, then what to change. This checks the
 * first is exactly `problem` and the second tells the caller what to do.
 */
export function expectProblemAndFix(message: string, problem: string): void {
  expect(message.slice(0, problem.length + 2)).toBe(`${problem}. `);
  expect(message.slice(problem.length + 2)).toMatch(/^(Set|Pass|Pick|Remove|Use|Did you mean) [^]*\.$/);
}
